"""Hand-written silent cases of the rules on parts of a payload and on the other request documents,
by (group, order), and of field rules by code (a value, or a mutation): for each, what its
documented condition lets through next to its firing case in `rule_cases`. `ALSO_FIRES` adds firing
cases for conditions the first case does not reach (a database fact, a boundary)."""

from __future__ import annotations

import copy

from tests.imports import payloads as P
from tests.imports.rule_cases import READING, meter, mp, second_address, setter
from tests.imports.rule_cases_parts import _supply_charge


def _field(field: str, value, **env_changes):
    """Set `field` (and the catalogue settings or lookups given)."""

    def mutate(node, env):
        for name, setting in env_changes.items():
            (env.lookup if name in LOOKUPS else env.catalogue if name in CATALOGUE else env.supplier)[
                name
            ] = setting
        node[field] = copy.deepcopy(value)

    return mutate


LOOKUPS = {
    "taken_identifiers",
    "taken_payment_references",
    "existing_cais_references",
    "held_roles",
    "statement_ids",
}
CATALOGUE = {
    "consents_enabled",
    "required_customer_detail_namespaces",
    "file_store_validation_enabled",
    "cais_references_supported",
    "incomplete_payments_enabled",
}


def _lookup(**values):
    return lambda n, env: env.lookup.update(values)


def _supplier(**values):
    return lambda n, env: env.supplier.update(values)


def _both(*mutations):
    return lambda n, env: [m(n, env) for m in mutations]


def _exchanged(n, *, removed_on="2025-01-01", **old):
    """An old meter removed on `removed_on` before the point's current meter."""
    n["meters"].insert(0, {"meter_serial_number": "OLD1", "removed_on": removed_on, **old})


def _dummy_exchange(n):
    """A dummy meter exchange: the old meter of the same serial removed the day before the current
    one was installed."""
    n["meters"][0]["installed_on"] = "2001-01-01"
    _exchanged(n, removed_on="2000-12-31", meter_serial_number=n["meters"][0]["meter_serial_number"])


POST_IMPORT = {
    1: _lookup(process_exists=False, account_number=None),  # then import_process_does_not_exist
    2: _lookup(process_exists=True, account_number=None),  # then account_not_found
    3: _supplier(migration_status="ONGOING"),
}
PERSON = {
    2: setter(given_name="The", family_name="Occupier"),
    3: setter(given_name="Occupier", family_name="Smith"),
}

SILENT = {
    ("ElectricityMeterPoint.identifier", 2): _lookup(taken_identifiers=frozenset({"1900000000001"})),
    ("GasMeterPoint.identifier", 2): _lookup(taken_identifiers=frozenset({"7000000009"})),
    ("PaymentInstruction.reference", 1): lambda n, env: env.lookup.update(
        taken_payment_references=frozenset({("BOTTOMLINE_PTX", n["reference"])})
    ),
    ("ElectricityMeterPoint.identifier", 1): setter(identifier=P.mpan("190000000123")),
    ("GasMeterPoint.identifier", 1): setter(identifier="123456"),
    ("EnergyCommissionContract.mpxn", 1): setter(mpxn=P.mpan("190000000124")),
    ("AccountCampaign", 1): setter(slug="loyalty"),
    ("AccountCampaign", 2): setter(campaign_name="Loyalty"),
    ("AccountCampaign", 3): setter(campaign_name="Loyalty"),
    ("AccountReference", 1): lambda n, env: (
        env.lookup.update(existing_references=frozenset({("LEGACY", "R-1")})),
        n.update(namespace="CRM", value="R-1"),
    ),
    ("EnergyAccountBillingOptions", 1): setter(use_industry_billing=True),
    ("EnergyAccountBillingOptions", 2): setter(
        use_industry_billing=False, period_start_day=1, period_length="MONTHLY"
    ),
    ("ElectricityMeterPoint", 3): lambda n, env: _dummy_exchange(n),
    ("ElectricityMeterPoint", 4): lambda n, env: _exchanged(n),
    ("ElectricityMeterPoint", 5): lambda n, env: (
        n.update(measurement_class="E"),
        n["meters"][0]["registers"][0].pop("tpr"),
    ),
    ("ElectricityMeterPoint", 6): setter(
        agents={"dc_contract": {"agent_mpid": "TENT", "contract_reference": "C1"}}
    ),
    ("ElectricityMeterPoint", 7): setter(
        agents={"dc_contract": {"contract_reference": "C1"}, "mop_contract": {"contract_reference": "C2"}}
    ),
    ("ElectricityMeterPoint", 8): setter(agents={"dc_contract": {"contract_reference": "C1"}}),
    ("supply_point", 3): setter(supply_end_date="2026-01-01", agreements=[]),
    ("supply_point", 4): setter(
        supply_start_date="2026-07-01",
        agreements=[{"tariff_code": P.ELEC_TARIFF, "effective_from": "2026-07-01"}],
    ),
    ("supply_point", 5): setter(
        supply_details=[{"supply_type": "ELECTRICITY"}, {"supply_type": "ELECTRICITY"}]
    ),
    ("supply_point", 6): setter(
        last_billed_to_date="2026-05-31", supply_details=[{"valid_from_date": "2026-05-30"}]
    ),
    ("supply_point", 7): setter(supply_details=[{"supply_type": "ELECTRICITY"}]),
    ("supply_point", 8): [
        setter(supply_details=[{"supply_type": "ELECTRICITY"}]),
        lambda n, env: n.pop("supply_details", None),
    ],
    ("supply_point", 9): setter(identifier="0300111234567890123457"),
    ("Address", 1): setter(country="FR", postal_code="75001", street_address="1 Rue"),
    ("EnergyLegacySupplyAddress", 2): setter(
        is_landlord=False, property_administrators=[{"given_name": "Lana"}]
    ),
    ("EnergyLegacySupplyAddress", 3): setter(property_administrators=[{"given_name": "A"}]),
    ("ProductCharacteristic", 1): setter(code="ELEC_TARIFF_TYPE", value="STANDARD"),
    ("ProductCharacteristic", 2): setter(code="sales_channel", value="ANYTHING"),
    ("BusinessDetail", 1): setter(key="employees", value=12),
    ("BusinessDetail", 2): setter(key="sic_code", value="62012"),
    ("BusinessWithExistingContracts", 1): setter(company_name="Acme", business_contract_identifier="C-1"),
    ("BusinessWithExistingContracts", 2): lambda n, env: (
        env.supplier.update(link_account_to_business_with_contract=True),
        n.pop("company_name", None),
        n.update(business_contract_identifier="C-1"),
    ),
    ("BusinessWithExistingContracts", 3): setter(company_name="Acme", business_contract_identifiers=["C-1"]),
    ("EnergyCommissionContract", 1): setter(commission_type="FIXED", value="1"),
    ("EnergyCommissionContract", 2): setter(value="1"),
    ("ElectricityMeter", 1): setter(smart_type="SMETS2", smart_device_id="00-11-22-33-44-55-66-77"),
    ("GasMeter", 1): setter(smart_type="SMETS2", smart_device_id="00-11-22-33-44-55-66-77"),
    ("ElectricityMeter", 2): setter(is_prepay=True, prepay_customer_reference_number="123456"),
    ("GasMeter", 2): setter(is_prepay=True, prepay_customer_reference_number="123456"),
    ("ElectricityMeter", 3): setter(is_prepay=True, removed_on="2026-01-01"),
    ("ElectricityMeter", 4): lambda n, env: n["transfer_readings"][0].update(register_id="1"),
    ("ElectricityMeter", 5): lambda n, env: n["transfer_readings"][0].update(register_id="1"),
    ("ElectricityMeter", 6): setter(reading_history=[dict(READING, billed=True)]),
    ("ElectricityMeter", 7): setter(reading_history=[dict(READING, billed=True)]),
    ("ElectricityMeter.meter_serial_number", 3): lambda n, env: mp(env).update(supply_type="ELECTRICITY"),
    ("GasMeter.meter_serial_number", 3): lambda n, env: mp(env, 1).update(supply_type="GAS"),
    # Whitespace is removed first; a meter that is not prepay is not checked.
    ("ElectricityMeter.prepay_customer_reference_number", 1): [
        setter(is_prepay=True, prepay_customer_reference_number=" 12 34 56 "),
        setter(is_prepay=False, prepay_customer_reference_number="ABC"),
    ],
    ("GasMeter.prepay_customer_reference_number", 1): setter(
        is_prepay=True, prepay_customer_reference_number="ABC"
    ),
    ("ContributionSchemeAgreement", 2): setter(
        active_period_start_date="2025-01-01",
        active_period_end_date="2025-12-31",
        periods=[{"start_date": "2025-01-01", "end_date": "2025-12-31"}],
    ),
    ("ContributionSchemeAgreement", 3): setter(
        active_period_start_date="2025-01-01",
        periods=[{"start_date": "2025-01-01", "end_date": "2025-02-01"}],
    ),
    ("ContributionSchemeAgreement", 4): setter(
        active_period_start_date="2025-01-01",
        periods=[
            {"start_date": "2025-01-01", "end_date": "2025-06-01"},
            {"start_date": "2025-06-01", "end_date": "2025-09-01"},
        ],
    ),
    ("Debt", 1): setter(agency_name="Agency One"),
    ("Debt", 2): setter(start_date="2026-01-01", agency_name="Agency One"),
    ("DepositAgreement", 1): setter(fulfilled_at="2026-01-01", last_interest_date="2026-01-01"),
    ("DepositAgreement", 2): setter(fulfilled_at="2026-01-01", last_interest_date="2026-02-01"),
    ("EnergyFit", 1): setter(payment_method="BACS", vendor_name="Vendor", instruction_reference="IR-1"),
    ("PaymentAdequacyChange", 1): setter(
        created_at="2026-06-01T00:00:00Z", applied_at="2026-06-01T00:00:00Z"
    ),
    ("PaymentAdequacyChange", 2): setter(created_at="2026-06-01T00:00:00Z", should_not_be_applied_reason="x"),
    ("PaymentAdequacyChange", 3): setter(applied_at="2026-06-01T00:00:00Z"),
    ("PaymentAdequacyChange", 4): setter(
        average_monthly_charge=10, average_monthly_elec_charge=7, average_monthly_gas_charge=3
    ),
    # Only a non-zero adjustment is compared; a twelfth rounds half up.
    ("PaymentAdequacyChange", 5): [
        setter(balance_adjustment=0, target_balance=120, current_balance=0),
        setter(balance_adjustment=2, target_balance=18, current_balance=0),
    ],
    ("PaymentAdequacyChange", 6): setter(
        new_direct_debit=25,
        existing_direct_debit_payment=10,
        average_monthly_charge=20,
        balance_adjustment=10,
    ),
    ("PaymentInstruction", 1): lambda n, env: (
        env.catalogue.update(incomplete_payments_enabled=True),
        n.update(type="CUSTOM"),
    ),
    ("PaymentPlanPayment", 1): setter(total_amount=10, amount_components=[{"amount": 3}, {"amount": 7}]),
    ("PaymentSchedule", 2): setter(trigger="BILL", amount="0", start_date="2026-01-01"),
    ("PaymentSchedule", 3): setter(
        trigger="BALANCE", balance_threshold="10", amount="10", start_date="2026-01-01"
    ),
    ("PaymentSchedule", 4): setter(trigger="BALANCE", balance_threshold="10", start_date="2026-01-01"),
    ("PaymentSchedule", 5): setter(
        debt_repayment_element="X", debt_repayment_end_date="2026-06-01", start_date="2026-01-01"
    ),
    ("PaymentSchedule", 6): setter(
        start_date="2026-01-01", end_date="2026-06-01", debt_repayment_end_date="2026-06-01"
    ),
    ("PaymentSchedule", 7): setter(
        exempt_from_payment_adequacy=True, trigger="REGULAR", start_date="2026-01-01"
    ),
    ("PaymentSchedule", 8): setter(trigger="BILL", start_date="2026-01-01"),
    ("PaymentSchedule", 9): setter(
        trigger="PLAN", start_date="2026-01-01", instalments=[{"payment_date": "2026-02-01", "amount": "3"}]
    ),
    ("PaymentSchedule", 10): setter(
        start_date="2026-01-01",
        amount="10",
        instalments=[
            {"payment_date": "2026-02-01", "amount": "3"},
            {"payment_date": "2026-03-01", "amount": "7"},
        ],
    ),
    ("PaymentSchedule", 11): setter(
        start_date="2026-01-01",
        end_date="2026-03-01",
        instalments=[{"payment_date": "2026-03-01", "amount": "3"}],
    ),
    ("PaymentSchedule", 12): setter(
        start_date="2026-01-01", trigger="BILL", delay_strategy="X", delay_days=2
    ),
    ("PaymentSchedule", 13): setter(
        start_date="2026-01-01", trigger="BILL", delay_strategy="X", delay_days=2
    ),
    ("PaymentSchedule", 14): [
        setter(
            start_date="2026-01-01", trigger="REGULAR", amount="10000", frequency="MONTHLY", day_of_month=1
        ),
        setter(start_date="2026-01-01", trigger="BILL", amount="20000"),
    ],
    ("PaymentSchedule", 15): setter(
        start_date="2026-01-01", means="MANUAL", standalone_payment_request_method_code="CARD"
    ),
    ("PaymentSchedule", 16): setter(
        start_date="2026-01-01", means="MANUAL", standalone_payment_request_method_code="CARD"
    ),
    ("Complaint", 1): setter(type_of_complaint="BILLING"),
    ("Complaint", 2): setter(official_entity="OMBUDSMAN", official_status="OPEN"),
    ("Complaint", 3): setter(
        official_reference_number="X", official_entity="OMBUDSMAN", official_status="OPEN"
    ),
    ("Complaint", 4): setter(has_eight_week_letter_been_sent=True, has_chsr_letter_been_sent=True),
    ("ComplaintContact", 1): setter(communication_source="EMAIL"),
    ("CustomerUserDetail", 1): setter(namespace="preferred_contact", value="x" * 255),
    ("CustomerUserDetail", 2): setter(namespace="loyalty_number", value=7),
    ("CustomerUserDetail", 3): setter(namespace="vip", value=True),
    ("EnergyCustomer", 5): lambda n, env: (n.pop("account_roles"), n.update(portfolio_roles=["ADMIN"])),
    ("EnergyCustomer", 6): setter(account_roles=["EXECUTOR"]),
    ("EnergyCustomer", 7): setter(consents=[{"type": "X", "value": True}]),
    ("EnergyPSR", 1): setter(gas_industry_code="01"),
    ("EnergyPSR", 2): setter(
        elec_industry_code="01", additional_information="Temporary: recovering", effective_to="2026-09-01"
    ),
    ("EnergySmartRefusalInterest", 1): setter(type="NOT_INTERESTED", refusal_reason="DO_NOT_OWN_HOME"),
    ("EnergySupplyCharge", 4): lambda n, env: (_supply_charge(n), n.update(amount="10.00")),
    ("EnergySupplyCharge", 5): lambda n, env: (
        _supply_charge(n),
        n["line_items"][0].update(rate_specification_code="RS-1"),
        n.update(supply_point_identifier="1200060176720"),
    ),
    # Same period, another rate band; or another supply point's charge for the same period.
    ("EnergySupplyCharge", 6): [
        lambda n, env: (
            _supply_charge(n),
            n["line_items"].append(dict(n["line_items"][0], rate_band="STANDING")),
        ),
        lambda n, env: (
            _supply_charge(n),
            n.update(supply_point_identifier="1200060176720"),
            env.root["current_statement_transactions"].append(
                dict(copy.deepcopy(n), transaction_id="SC-2", supply_point_identifier="1234567890")
            ),
        ),
    ],
    ("LineItem", 2): setter(price_per_unit="2", number_of_units="3", net_amount="6"),
    ("LineItem", 3): lambda n, env: (n.update(rate_band="STANDARD"), n.pop("rate_specification_code", None)),
    ("Statement", 1): lambda n, env: (n.pop("statement_path", None), n.update(pdf_context={"a": 1})),
    ("Statement", 2): setter(statement_path="statements/2024/01.pdf"),
    # (Orders 1 and 4 share their code: each silent case keeps the other silent too.)
    ("HistoricalStatements", 1): lambda n, env: (
        env.lookup.update(process_exists=False, account_number=None),
        n.update(statements=[]),
    ),
    ("HistoricalStatements", 4): lambda n, env: (
        env.lookup.update(process_exists=False, account_number=None),
        n.update(statements=[]),
    ),
    ("Address", 2): setter(country="GB", structured_street_address={"street": "Road"}),
    ("EnergyLegacySupplyAddress", 1): setter(supply_address1="1 Road", supply_postcode="W1F 9DE"),
    ("EnergyCustomer", 4): setter(metadata=[{"key": "a", "value": "1"}, {"key": "b", "value": "1"}]),
    ("Transactions", 4): lambda n, env: n["transactions"].append(
        dict(n["transactions"][0], transaction_id="T-10")
    ),
    ("Transactions", 5): lambda n, env: n["transactions"].append(
        dict(n["transactions"][0], transaction_id="T-10")
    ),
    ("ProcessAccountImportProcess", 2): lambda n, env: (
        env.supplier.update(operations_team_name="Operations"),
        n.pop("operations_team_name"),
    ),
    ("ProcessAccountImportProcess", 3): _supplier(operations_team_name="Operations"),
    ("HistoricalStatements", 5): _lookup(statement_ids={"S-2"}),
    ("LegacyPaymentInstruction", 4): lambda n, env: (
        n.pop("reference"),
        n.update(instruction_reference="IR-1"),
    ),
    ("ProcessAccountImportProcess", 1): _lookup(process_exists=True),
    ("TaskParameters", 1): setter(
        schedule_window_start="2026-06-15T13:00:00+00:00", schedule_window_end="2026-06-15T13:00:01+00:00"
    ),
    ("TaskParameters.schedule_window_end", 1): setter(schedule_window_end="2026-06-19T12:00:00+00:00"),
    ("Note", 1): setter(document_paths=["notes/letter.pdf"]),
    ("Note", 2): setter(body="b", created_at="2026-06-01T00:00:00Z", unpin_at="2026-06-01T00:00:00Z"),
}
for _group in ("ElectricityMeterPoint", "GasMeterPoint", "supply_point"):
    SILENT[(_group, 2)] = [
        lambda n, env: n["agreements"][0].update(effective_from=n["supply_start_date"]),
        lambda n, env: n.pop("supply_start_date"),
    ]
SILENT[("GasMeterPoint", 3)] = lambda n, env: _dummy_exchange(n)
for _group in ("AccountPortfolio", "BusinessPortfolio"):
    SILENT[(_group, 1)] = setter(
        portfolio_settings={"collective_billing": True},
        portfolio_references=[{"namespace": "CRM", "value": "1"}],
    )
    SILENT[(_group, 2)] = setter(portfolio_references=[{"namespace": "CRM", "value": "1"}])
    SILENT[(_group, 3)] = setter(
        portfolio_references=[{"namespace": "CRM", "value": "1"}, {"namespace": "LEGACY", "value": "1"}]
    )
for _group in ("BusinessUser", "EnergyCustomer"):
    SILENT[(_group, 1)] = setter(user_details=[{"namespace": "vip", "value": True}])
    SILENT[(_group, 2)] = setter(
        given_name="The", family_name="Occupier", email=None, mobile=None, landline=None
    )
    SILENT[(_group, 3)] = PERSON[3]
for _group in (
    "AccountNote",
    "CreatePaymentInstructionError",
    "HistoricalStatements",
    "LegacyPaymentInstruction",
    "Transactions",
):
    for _order, _case in POST_IMPORT.items():
        SILENT.setdefault((_group, _order), _case)
for _group in ("ElectricityAgreement", "GasAgreement"):
    SILENT[(_group, 2)] = setter(rate_overrides=[{"rate_band": "STANDARD", "unit_price": "1"}])
    SILENT[(_group, 3)] = setter(rate_overrides=[{"rate_band": "STANDARD", "unit_price": "1"}])
    SILENT[(_group, 4)] = setter(
        bespoke_tariff_rates=[{"registers": [{"rate_type": "STANDARD"}], "standing_charge": "1"}]
    )
    SILENT[(_group, 5)] = lambda n, env: (
        env.tariff_changes.update(available_to="2030-01-01"),
        n.update(effective_to="2030-01-01"),
    )
SILENT[("CreateAccountNotesResponse", 1)] = SILENT[("Note", 1)]
SILENT[("CreateAccountNotesResponse", 2)] = SILENT[("Note", 2)]
for _group, _serial in (("ElectricityMeter", "Z16N389556"), ("GasMeter", "G4A00012345")):
    SILENT[(f"{_group}.meter_serial_number", 1)] = setter(meter_serial_number=_serial)
    SILENT[(f"{_group}.meter_serial_number", 2)] = setter(meter_serial_number=_serial)

_SUPPLY = {
    1: lambda n, env: second_address(env, "6"),
    2: lambda n, env: (env.supplier.update(skip_supply_point_creation=True), _no_points(n)),
    3: lambda n, env: (env.supplier.update(skip_supply_point_creation=True), _no_points(n)),
    4: lambda n, env: (env.supplier.update(skip_property_creation=True), n.update(supply_addresses=[])),
    6: lambda n, env: _exchanged(mp(env), transfer_readings=[dict(READING, reading_date="2025-01-01")]),
    7: lambda n, env: _exchanged(mp(env), transfer_readings=[dict(READING, reading_date="2025-01-01")]),
    # The old gas meter carries the last billed to date, the new one none.
    8: lambda n, env: _exchanged(
        mp(env, 1),
        last_billed_to_date="2025-01-01",
        transfer_readings=[dict(READING, reading_date="2025-01-01")],
    ),
    9: lambda n, env: _exchanged(
        mp(env, 1),
        last_billed_to_date="2025-01-01",
        transfer_readings=[dict(READING, reading_date="2025-01-01")],
    ),
    10: lambda n, env: mp(env).update(supply_end_date=P.NOW.date().isoformat()),
    11: lambda n, env: (
        env.supplier.update(send_registration_flows=True),
        mp(env).update(dc_to_appoint="TENT"),
    ),
    12: lambda n, env: _import_export_pair(env),
    13: lambda n, env: _import_export_pair(env),
    14: lambda n, env: meter(env).update(
        reading_history=[dict(READING, billed=True), dict(READING, reading_date="2026-06-05", billed=False)]
    ),
    15: lambda n, env: _exchanged(mp(env), transfer_readings=[dict(READING, reading_date="2025-01-01")]),
}
for _order, _case in _SUPPLY.items():
    SILENT[("EnergyAccount.supply_addresses", _order)] = _case


def _no_points(n):
    for address in n["supply_addresses"]:
        address["meter_points"] = []


def _import_export_pair(env):
    """An import-export meter: two meter points with meters of one serial, one IMPORT_EXPORT."""
    points = env.root["supply_addresses"][0]["meter_points"]
    points[0]["export_type"] = "IMPORT_EXPORT"
    export = copy.deepcopy(points[0])
    export.update(identifier=P.another_identifier(points[0]["identifier"], "2"), export_type="EXPORT_ONLY")
    points.append(export)


# Field rules, by code: the value (or mutation) that passes.
SILENT_FIELD = {
    "invalid_delivery_point_identifier": "AB12CD",
    "billing_email_not_valid": "blackhole@jablonski.co.uk",
    "invalid_company_number": "sc 123456",
    "field_not_enabled": _field("consents", [{"type": "MARKETING", "value": True}], consents_enabled=True),
    "invalid_day_of_month": 28,
    "inconsistent_campaign_identifiers": [{"slug": "loyalty"}, {"slug": "spring-sale"}],
    "duplicate_account_campaigns": [{"campaign_name": "Loyalty"}, {"campaign_name": "Spring sale"}],
    "path_does_not_exist_in_file_store": "missing/file.pdf",  # the check is off by default
    "gaps_or_overlaps_in_periods": [
        {"effective_from_date": "2020-01-01", "effective_to_date": "2020-06-01", "value": "1"},
        {"effective_from_date": "2020-06-01", "value": "1"},
    ],
    "zero_length_periods": [
        {"effective_from_date": "2020-01-01", "effective_to_date": "2020-01-02", "value": "1"}
    ],
    "configuration_period_starts_in_future": [{"effective_from_date": P.NOW.date().isoformat()}],
    "latest_configuration_period_not_open_ended": [
        {"effective_from_date": "2020-01-01", "effective_to_date": "2021-01-01"},
        {"effective_from_date": "2021-01-01"},
    ],
    "multiple_open_ended_tax_exemptions": [
        {"effective_from": "2020-01-01", "effective_to": "2021-01-01", "rate": "5"},
        {"effective_from": "2021-01-01", "rate": "5"},
    ],
    "overlapping_effective_dates_for_tax_exemptions": [
        {"effective_from": "2020-01-01", "effective_to": "2021-01-01", "rate": "5"},
        {"effective_from": "2021-01-01", "effective_to": "2022-01-01", "rate": "5"},
    ],
    "repeated_eac_for_tpr": [
        {"effective_from": "2020-01-01", "tpr": "00001", "consumption": "1"},
        {"effective_from": "2020-01-01", "tpr": "00002", "consumption": "1"},
    ],
    "meter_with_duplicate_register_ids": [
        {"meter_serial_number": "M1", "registers": [{"register_id": "1"}]},
        {"meter_serial_number": "M2", "registers": [{"register_id": "1"}]},
    ],
    "tpr_not_found": "00001",
    "multiple_open_ended_aqs_in_meterpoint_aq_history": [
        {"effective_from": "2020-01-01", "effective_to": "2020-12-31", "consumption": "1"},
        {"effective_from": "2021-01-01", "consumption": "1"},
    ],
    "gaps_or_overlaps_in_aq_history": [
        {"effective_from": "2020-01-01", "effective_to": "2020-12-31", "consumption": "1"},
        {"effective_from": "2021-01-01", "consumption": "1"},
    ],
    "duplicate_meter_points_provided": [{"identifier": "1200060176720"}, {"identifier": "1234567890"}],
    "duplicate_bespoke_rates": [
        {"registers": [], "standing_charge": "1"},
        {"registers": [], "standing_charge": "2"},
    ],
    "tariff_code_not_found": None,  # per group below
    "invalid_portfolio_number": "P-ABCD1234",
    "invalid_smart_device_id": "00-11-22-33-44-55-66-77",
    "registers_have_duplicate_tprs": [
        {"register_id": "1", "tpr": "01201"},
        {"register_id": "2", "tpr": "01201"},
        {"register_id": "3", "tpr": "00001"},
        {"register_id": "4", "tpr": "00001", "is_settlement": False},
    ],
    "cais_reference_already_in_use_on_another_account": _field(
        "cais_reference", "CAIS-2", existing_cais_references=frozenset({"CAIS-1"})
    ),
    "cais_references_not_supported": _field("cais_reference", "CAIS-2", cais_references_supported=True),
    "overlapping_contribution_agreements": [
        {"scheme": "ECO", "active_period_start_date": "2020-01-01", "active_period_end_date": "2021-01-01"},
        {"scheme": "WHD", "active_period_start_date": "2020-06-01"},
    ],
    "multiple_active_deposits_not_allowed": [
        {"deposit_amount": "1", "reason": "X"},
        {"deposit_amount": "1", "reason": "Y", "fulfilled_at": "2026-01-01"},
    ],
    "dunning_path_not_found": {"path_name": "STANDARD"},
    "payment_instructions_ledger_code_uniformity_failed": [{"ledger_code": "ENERGY"}, {"ledger_code": "GAS"}],
    "payment_schedules_ledger_code_uniformity_failed": [
        {"start_date": "2026-01-01"},
        {"start_date": "2026-02-01"},
    ],
    "multiple_open_ended_payment_schedules": [
        {"start_date": "2026-01-01"},
        {"start_date": "2026-02-01", "is_debt_repayment_plan": True},
    ],
    "payment_schedule_date_gaps": [
        {"start_date": "2025-01-01", "end_date": "2025-03-01"},
        {"start_date": "2025-05-01", "end_date": "2026-01-01"},
        {"start_date": "2026-01-01"},
    ],
    "incorrect_format_for_tax_year": "2018/19",
    "duplicate_payment_component_combinations": [
        {
            "payment_date": "2026-07-01",
            "amount_components": [{"component_type": "A", "amount": 1}, {"component_type": "B", "amount": 1}],
        }
    ],
    "invalid_payment_day_for_payment_schedule": 28,
    "customer_detail_failed_validation": {"preferred_contact": "x" * 255},
    "customer_detail_incorrect_value_type": {"loyalty_number": 7},
    "customer_detail_not_registered": {"vip": True},
    "required_customer_details_namespace_missing": _field(
        "user_details",
        [{"namespace": "vip", "value": True}],
        required_customer_detail_namespaces=frozenset({"vip"}),
    ),
    "repeated_values_for_unique_customer_detail_namespace": [
        {"details": {"loyalty_number": 7, "vip": True}},
        {"details": {"loyalty_number": 8, "vip": True}},
    ],
    "electricity_psr_record_not_found": "01",
    "gas_psr_record_not_found": "01",
    "psr_invalid_industry_code": "01",
    "product_code_does_not_exist": "VAR-22-11-01",
    "line_item_units_must_be_two_values": ["a", "b"],
    "schedule_window_end_too_far_in_future": "2026-06-19T12:00:00+00:00",
}
SILENT[("EnergyAccount.payment_schedules", 3)] = setter(
    payment_schedules=[
        {"start_date": "2026-01-01", "end_date": "2026-02-01"},
        {"start_date": "2026-02-01", "end_date": "2026-04-01"},
        {"start_date": "2026-01-01", "is_debt_repayment_plan": True},
    ]
)
SILENT[("EnergyAccount.payment_schedules", 4)] = setter(
    payment_schedules=[
        {"start_date": "2026-01-01", "end_date": "2026-03-01"},
        {"start_date": "2026-03-01", "end_date": "2026-04-01"},
        {"start_date": "2026-02-01", "end_date": "2026-05-01", "is_debt_repayment_plan": True},
    ]
)
SILENT[("ElectricityAgreement.tariff_code", 1)] = setter(tariff_code=P.ELEC_TARIFF)
SILENT[("GasAgreement.tariff_code", 1)] = setter(tariff_code=P.GAS_TARIFF)
SILENT[("PaymentPlan.payments", 1)] = setter(
    payments=SILENT_FIELD["duplicate_payment_component_combinations"]
)

ALSO_FIRES = {
    # An exclusive role next to one the user holds already (in the database).
    ("EnergyCustomer", 6): lambda n, env: (
        n.update(account_roles=["EXECUTOR"]),
        env.lookup.update(held_roles={n["email"].lower(): {"ADMIN"}}),
    ),
    # A window starting when it ends is not "before" it.
    ("TaskParameters", 1): setter(
        schedule_window_start="2026-06-15T13:00:00+00:00", schedule_window_end="2026-06-15T13:00:00+00:00"
    ),
    # A GB MPAN whose check digit is wrong.
    ("ElectricityMeterPoint.identifier", 1): setter(identifier="1200060176721"),
    # Non-smart is also smart_type NONE (its default).
    ("ElectricityMeter", 1): setter(smart_type="NONE", smart_device_id="00-11-22-33-44-55-66-77"),
    ("GasMeter", 1): setter(smart_type="NONE", smart_device_id="00-11-22-33-44-55-66-77"),
}
