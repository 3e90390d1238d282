"""How to break the rules of the other groups than the account level: field rules with a generic
bad value (`FIELD_VALUES`), object rules by (group, order) (`SPECIFIC`), and `breaking(rule)`, the
mutation that makes any rule fail."""

from __future__ import annotations

import copy
import re

from imports.rules import base
from tests.imports import payloads as P
from tests.imports.rule_cases import FAR_FUTURE, READING, ROOT, dropper, meter, mp, setter

# --- field rules: a value that breaks the rule, by code ---------------------------------------------

FIELD_VALUES = {
    "date_in_future": FAR_FUTURE,
    "date_in_past": "2000-01-01",
    "transaction_in_future": "2999-01-01",
    "future_smart_meter_commission_date": "2999-01-01",
    "last_payment_review_date_is_future_dated": "2999-01-01",
    "payment_adequacy_invalid_dates": FAR_FUTURE,
    "invalid_phone_number": "12345",
    "possible_test_email_address": "test@jablonski.co.uk",
    "internal_email_address": "info@kraken.info",
    "billing_email_not_valid": "blackhole+bob@example.org",
    "invalid_postcode": "NOT A POSTCODE",
    "invalid_delivery_point_identifier": "ab-1",
    "invalid_company_number": "XX",
    "invalid_portfolio_number": "P-1",
    "invalid_reference_namespace": "NOPE",
    "market_participant_not_found": "ZZZZ",
    "ledger_code_does_not_exist": "NOPE",
    "path_does_not_exist_in_file_store": "missing/file.pdf",
    "invalid_contribution_scheme": "NOPE",
    "psr_record_description_not_found": "NOPE",
    "electricity_psr_record_not_found": "99",
    "gas_psr_record_not_found": "99",
    "psr_invalid_industry_code": "X",
    "affiliate_organisation_does_not_exist": "NOPE",
    "partner_organisation_does_not_exist": "ORG-9999",
    "payment_plan_strategy_does_not_exist": "NOPE",
    "operations_team_name_does_not_exist": "Nobody",
    "product_code_does_not_exist": "NOPE",
    "tariff_code_not_found": "NOPE",
    "invalid_prepay_customer_reference_number": "ABC",
    "invalid_smart_device_id": "nope",
    "invalid_supply_point_identifier": "123",
    "tpr_not_found": "1",
    "disputed_read_in_progress": True,
    "erroneous_transfer_not_in_progress": True,
    "invalid_day_of_month": 31,
    "invalid_payment_day_for_payment_schedule": 31,
    "incorrect_format_for_tax_year": "2018-19",
    "blank": "  ",
    "invalid_meter_serial_number": "bad serial!",
    "line_item_units_must_be_two_values": ["a"],
    "schedule_window_end_too_far_in_future": FAR_FUTURE,
    "schedule_window_start_in_past": "2000-01-01T00:00:00Z",
    "dunning_path_not_found": {"path_name": "NOPE"},
    "customer_detail_not_registered": {"nope": "x"},
    "customer_detail_incorrect_value_type": {"loyalty_number": "abc"},
    "customer_detail_failed_validation": {"preferred_contact": "x" * 300},
    "children_with_duplicate_values": None,  # per group below
    "registers_have_duplicate_tprs": [
        {"register_id": "1", "tpr": "00001"},
        {"register_id": "2", "tpr": "00001"},
    ],
    "meter_with_duplicate_register_ids": [
        {"meter_serial_number": "M1", "registers": [{"register_id": "1"}, {"register_id": "1"}]}
    ],
    "repeated_eac_for_tpr": [{"effective_from": "2020-01-01", "tpr": "00001", "consumption": "1"}] * 2,
    "gaps_or_overlaps_in_periods": [
        {"effective_from_date": "2020-01-01", "effective_to_date": "2020-06-01", "value": "1"},
        {"effective_from_date": "2020-07-01", "value": "1"},
    ],
    "zero_length_periods": [
        {"effective_from_date": "2020-01-01", "effective_to_date": "2020-01-01", "value": "1"}
    ],
    "configuration_period_starts_in_future": [{"effective_from_date": "2999-01-01"}],
    "latest_configuration_period_not_open_ended": [
        {"effective_from_date": "2020-01-01", "effective_to_date": "2021-01-01"}
    ],
    "multiple_open_ended_tax_exemptions": [
        {"effective_from": "2020-01-01", "rate": "5"},
        {"effective_from": "2021-01-01", "rate": "5"},
    ],
    "overlapping_effective_dates_for_tax_exemptions": [
        {"effective_from": "2020-01-01", "effective_to": "2021-01-01", "rate": "5"},
        {"effective_from": "2020-06-01", "effective_to": "2022-01-01", "rate": "5"},
    ],
    "multiple_open_ended_aqs_in_meterpoint_aq_history": [
        {"effective_from": "2020-01-01", "consumption": "1"},
        {"effective_from": "2021-01-01", "consumption": "1"},
    ],
    "gaps_or_overlaps_in_aq_history": [
        {"effective_from": "2020-01-01", "effective_to": "2020-06-01", "consumption": "1"},
        {"effective_from": "2020-09-01", "consumption": "1"},
    ],
    "duplicate_bespoke_rates": [{"registers": [], "standing_charge": "1"}] * 2,
    "duplicate_meter_points_provided": [{"identifier": "1200060176720"}, {"identifier": "1200060176720"}],
    "duplicate_payment_component_combinations": [
        {
            "payment_date": "2026-07-01",
            "amount_components": [{"component_type": "A", "amount": 1}, {"component_type": "A", "amount": 1}],
        }
    ],
    "inconsistent_campaign_identifiers": [{"campaign_name": "Loyalty"}, {"slug": "loyalty"}],
    "duplicate_account_campaigns": [{"campaign_name": "Loyalty"}, {"campaign_name": "Loyalty"}],
    "overlapping_contribution_agreements": [
        {"scheme": "ECO", "active_period_start_date": "2020-01-01", "active_period_end_date": "2021-01-01"},
        {"scheme": "ECO", "active_period_start_date": "2020-06-01"},
    ],
    "multiple_active_deposits_not_allowed": [
        {"deposit_amount": "1", "reason": "X"},
        {"deposit_amount": "1", "reason": "Y"},
    ],
    "payment_instructions_ledger_code_uniformity_failed": [{"ledger_code": "ENERGY"}, {}],
    "payment_schedules_ledger_code_uniformity_failed": [
        {"ledger_code": "ENERGY", "start_date": "2026-01-01"},
        {"start_date": "2026-01-01"},
    ],
    "multiple_open_ended_payment_schedules": [{"start_date": "2026-01-01"}, {"start_date": "2026-02-01"}],
    "payment_schedule_date_overlaps": [
        {"start_date": "2026-01-01", "end_date": "2026-03-01"},
        {"start_date": "2026-02-01", "end_date": "2026-04-01"},
    ],
    "payment_schedule_date_gaps": [
        {"start_date": "2026-01-01", "end_date": "2026-07-01"},
        {"start_date": "2026-08-01"},
    ],
    "repeated_values_for_unique_customer_detail_namespace": [
        {"details": {"loyalty_number": 7}},
        {"details": {"loyalty_number": 7}},
    ],
    "required_customer_details_namespace_missing": [],
    "field_not_enabled": [{"type": "MARKETING", "value": True}],
    "cais_reference_already_in_use_on_another_account": "CAIS-1",
    "cais_references_not_supported": "CAIS-2",
}

DUPLICATE_CHILDREN = {
    "details": [{"key": "sic_code", "value": "1"}, {"key": "sic_code", "value": "2"}],
    "characteristics": [{"code": "sales_channel", "value": "A"}, {"code": "sales_channel", "value": "B"}],
    "consents": [{"type": "MARKETING", "value": True}, {"type": "MARKETING", "value": False}],
    "instalments": [{"payment_date": "2026-07-01", "payment_type": "X", "amount": "1"}] * 2,
}


def field_value(rule):
    if rule.error_code == "children_with_duplicate_values":
        return DUPLICATE_CHILDREN[rule.field]
    if rule.error_code == "supply_type_not_recognised":
        return {"ELECTRICITY": "BGS", "GAS": "EDFE"}.get(_fuel(rule), "TENT")
    return FIELD_VALUES[rule.error_code]


def _fuel(rule):
    return "GAS" if rule.group.startswith("Gas") else "ELECTRICITY"


FIELD_ENV = {
    "customer_detail_not_registered": lambda env: None,
    "required_customer_details_namespace_missing": lambda env: env.catalogue.update(
        required_customer_detail_namespaces=frozenset({"vip"})
    ),
    "field_not_enabled": lambda env: env.catalogue.update(consents_enabled=False),
    "cais_reference_already_in_use_on_another_account": lambda env: env.lookup.update(
        existing_cais_references=frozenset({"CAIS-1"})
    ),
    "cais_references_not_supported": lambda env: env.catalogue.update(cais_references_supported=False),
    "schedule_window_start_in_past": lambda env: None,
    "path_does_not_exist_in_file_store": lambda env: env.catalogue.update(file_store_validation_enabled=True),
}


def _dates_from_description(description: str) -> tuple[str, str]:
    """(start, end) field names of a documented "X, if given, is on or later than Y" rule."""
    names = re.findall(r"<code>\u2068?([a-z_]+)\u2069?</code>|\u2068([a-z_]+)\u2069", description)
    flat = [a or b for a, b in names]
    return flat[1], flat[0]


def period_case(rule):
    start, end = _dates_from_description(rule.description)

    def mutate(node, env):
        node[start] = "2026-01-01"
        node[end] = "2026-01-01" if rule.error_code == "start_date_same_as_end_date" else "2025-01-01"

    return mutate


# --- object rules of the other groups, by (group, order) --------------------------------------------


def _supply_charge(node):
    node.update(
        {
            "transaction_id": "SC-1",
            "amount": "10.00",
            "product_code": "VAR-22-11-01",
            "transaction_date": "2026-06-05",
            "line_items": [
                {
                    "start_date": "2026-06-01",
                    "end_date": "2026-06-03",
                    "net_amount": "10.00",
                    "number_of_units": "2",
                    "rate_band": "standard",
                }
            ],
        }
    )


def _occupier(**extra):
    return setter(given_name="The", family_name="Occupier", **extra)


SPECIFIC = {
    ("AccountCampaign", 1): setter(campaign_name="Loyalty", slug="loyalty"),
    ("AccountCampaign", 2): lambda n, env: n.clear(),
    ("AccountCampaign", 3): setter(campaign_name="Nope"),
    ("AccountReference", 1): lambda n, env: (
        env.lookup.update(existing_references=frozenset({("LEGACY", "R-1")})),
        n.update(namespace="LEGACY", value="R-1"),
    ),
    ("Address", 1): setter(country="GB", postal_code="NOPE", street_address="1 Road"),
    ("Address", 2): setter(country="GB"),
    ("BusinessDetail", 1): setter(key="employees", value="many"),
    ("BusinessDetail", 2): setter(key="nope", value="x"),
    ("BusinessWithExistingContracts", 1): lambda n, env: n.pop("company_name", None),
    ("BusinessWithExistingContracts", 2): lambda n, env: (
        env.supplier.update(link_account_to_business_with_contract=True),
        n.update(company_name="Acme"),
    ),
    ("BusinessWithExistingContracts", 3): lambda n, env: n.clear(),
    ("Complaint", 1): setter(type_of_complaint="BILLING", subtype_of_complaint="NOPE"),
    ("Complaint", 2): setter(official_entity="NOPE"),
    ("Complaint", 3): setter(official_reference_number="X"),
    ("Complaint", 4): setter(has_eight_week_letter_been_sent=True, has_chsr_letter_been_sent=False),
    ("ComplaintContact", 1): setter(communication_source="NOPE"),
    ("ContributionSchemeAgreement", 2): setter(
        active_period_start_date="2025-01-01",
        active_period_end_date="2025-12-31",
        periods=[{"start_date": "2025-01-01", "end_date": "2026-06-01"}],
    ),
    ("ContributionSchemeAgreement", 3): setter(
        active_period_start_date="2025-01-01",
        periods=[{"start_date": "2024-01-01", "end_date": "2025-02-01"}],
    ),
    ("ContributionSchemeAgreement", 4): setter(
        active_period_start_date="2025-01-01",
        periods=[
            {"start_date": "2025-01-01", "end_date": "2025-06-01"},
            {"start_date": "2025-03-01", "end_date": "2025-09-01"},
        ],
    ),
    ("CustomerUserDetail", 1): setter(namespace="preferred_contact", value="x" * 300),
    ("CustomerUserDetail", 2): setter(namespace="loyalty_number", value="abc"),
    ("CustomerUserDetail", 3): setter(namespace="nope", value="x"),
    ("Debt", 1): setter(agency_name="Nope"),
    ("Debt", 2): setter(start_date="2026-01-01"),
    ("DepositAgreement", 1): setter(fulfilled_at="2026-02-01", last_interest_date="2026-01-01"),
    ("DepositAgreement", 2): setter(last_interest_date="2026-01-01"),
    ("EnergyAccountBillingOptions", 1): setter(use_industry_billing=True, period_length="MONTHLY"),
    ("EnergyAccountBillingOptions", 2): setter(use_industry_billing=False),
    ("EnergyCommissionContract", 1): setter(commission_type="FIXED"),
    ("EnergyCommissionContract", 2): setter(value="1", unit_rate_uplift="1"),
    ("EnergyFit", 1): setter(payment_method="BACS"),
    ("EnergyLegacySupplyAddress", 1): dropper("supply_postcode"),
    ("EnergyLegacySupplyAddress", 2): setter(
        is_landlord=True, property_administrators=[{"given_name": "Lana"}]
    ),
    ("EnergyLegacySupplyAddress", 3): setter(
        property_administrators=[{"given_name": "A"}, {"given_name": "B"}]
    ),
    ("EnergyPSR", 1): lambda n, env: n.clear(),
    ("EnergyPSR", 2): setter(
        elec_industry_code="01", additional_information="Temporary: recovering from surgery"
    ),
    ("EnergySmartRefusalInterest", 1): setter(type="INTERESTED", refusal_reason="DO_NOT_OWN_HOME"),
    ("EnergySupplyCharge", 4): lambda n, env: (_supply_charge(n), n.update(amount="99.00")),
    ("EnergySupplyCharge", 5): lambda n, env: (
        _supply_charge(n),
        n["line_items"][0].update(rate_specification_code="RS-1"),
    ),
    ("EnergySupplyCharge", 6): lambda n, env: (
        _supply_charge(n),
        n["line_items"].append(dict(n["line_items"][0])),
    ),
    ("LineItem", 2): setter(price_per_unit="2", number_of_units="3", net_amount="1"),
    ("LineItem", 3): setter(rate_band="STANDARD", rate_specification_code="RS-1"),
    ("Note", 1): lambda n, env: n.clear(),
    ("Note", 2): setter(body="b", created_at="2026-06-01T00:00:00Z", unpin_at="2026-05-01T00:00:00Z"),
    ("CreateAccountNotesResponse", 1): lambda n, env: n.clear(),
    ("CreateAccountNotesResponse", 2): setter(
        body="b", created_at="2026-06-01T00:00:00Z", unpin_at="2026-05-01T00:00:00Z"
    ),
    ("PaymentAdequacyChange", 1): setter(
        created_at="2026-06-01T00:00:00Z", applied_at="2026-05-01T00:00:00Z"
    ),
    ("PaymentAdequacyChange", 2): setter(created_at="2026-06-01T00:00:00Z"),
    ("PaymentAdequacyChange", 3): setter(applied_at="2026-06-01T00:00:00Z", should_not_be_applied_reason="x"),
    ("PaymentAdequacyChange", 4): setter(
        average_monthly_charge=10, average_monthly_elec_charge=3, average_monthly_gas_charge=3
    ),
    ("PaymentAdequacyChange", 5): setter(balance_adjustment=5, target_balance=120, current_balance=0),
    ("PaymentAdequacyChange", 6): setter(
        new_direct_debit=1000,
        existing_direct_debit_payment=10,
        average_monthly_charge=20,
        balance_adjustment=0,
    ),
    ("PaymentInstruction", 1): setter(type="CUSTOM"),
    ("PaymentPlanPayment", 1): setter(total_amount=10, amount_components=[{"amount": 3}]),
    ("PaymentSchedule", 2): setter(trigger="REGULAR", amount="0", start_date="2026-01-01"),
    ("PaymentSchedule", 3): setter(trigger="REGULAR", amount="10", start_date="2026-01-01"),
    ("PaymentSchedule", 4): setter(trigger="BALANCE", start_date="2026-01-01"),
    ("PaymentSchedule", 5): setter(debt_repayment_element="X", start_date="2026-01-01"),
    ("PaymentSchedule", 6): setter(
        start_date="2026-01-01", end_date="2026-06-01", debt_repayment_end_date="2026-07-01"
    ),
    ("PaymentSchedule", 7): setter(
        exempt_from_payment_adequacy=True, trigger="BILL", start_date="2026-01-01"
    ),
    ("PaymentSchedule", 8): setter(
        trigger="REGULAR", amount="10", frequency="MONTHLY", start_date="2026-01-01"
    ),
    ("PaymentSchedule", 9): setter(trigger="PLAN", start_date="2026-01-01"),
    ("PaymentSchedule", 10): setter(
        start_date="2026-01-01", amount="10", instalments=[{"payment_date": "2026-02-01", "amount": "3"}]
    ),
    ("PaymentSchedule", 11): setter(
        start_date="2026-01-01", instalments=[{"payment_date": "2025-02-01", "amount": "3"}]
    ),
    ("PaymentSchedule", 12): setter(
        start_date="2026-01-01", trigger="REGULAR", delay_strategy="X", delay_days=2
    ),
    ("PaymentSchedule", 13): setter(start_date="2026-01-01", trigger="BILL", delay_strategy="X"),
    ("PaymentSchedule", 14): setter(
        start_date="2026-01-01", trigger="REGULAR", amount="20000", frequency="MONTHLY", day_of_month=1
    ),
    ("PaymentSchedule", 15): setter(
        start_date="2026-01-01", means="DD", standalone_payment_request_method_code="CARD"
    ),
    ("PaymentSchedule", 16): setter(
        start_date="2026-01-01", means="MANUAL", standalone_payment_request_method_code="NOPE"
    ),
    ("ProductCharacteristic", 1): setter(code="nope"),
    ("ProductCharacteristic", 2): setter(code="ELEC_TARIFF_TYPE", value="NOPE"),
    ("Statement", 1): dropper("statement_path"),
    ("Statement", 2): setter(statement_path="statements/2024/01.pdf", pdf_context={"a": 1}),
    ("ElectricityMeter", 1): setter(smart_device_id="00-11-22-33-44-55-66-77"),
    ("ElectricityMeter", 2): setter(prepay_customer_reference_number="123456"),
    ("ElectricityMeter", 3): setter(is_prepay=True),
    ("ElectricityMeter", 4): lambda n, env: n["transfer_readings"][0].update(register_id="9"),
    ("ElectricityMeter", 5): lambda n, env: n["transfer_readings"][0].pop("register_id"),
    ("ElectricityMeter", 6): setter(reading_history=[dict(READING, register_id="9", billed=True)]),
    ("ElectricityMeter", 7): setter(
        reading_history=[{k: v for k, v in READING.items() if k != "register_id"} | {"billed": True}]
    ),
    ("GasMeter", 1): setter(smart_device_id="00-11-22-33-44-55-66-77"),
    ("GasMeter", 2): setter(prepay_customer_reference_number="123456"),
    ("ElectricityMeterPoint", 4): lambda n, env: n["meters"][0].update(registers=[]),
    ("ElectricityMeterPoint", 5): lambda n, env: n["meters"][0]["registers"][0].pop("tpr"),
    ("ElectricityMeterPoint", 6): setter(agents={"dc_contract": {"agent_mpid": "TENT"}}),
    ("ElectricityMeterPoint", 7): setter(
        agents={"dc_contract": {"contract_reference": "C1"}, "mop_contract": {"contract_reference": "C1"}}
    ),
    ("ElectricityMeterPoint", 8): setter(
        agents={"dc_contract": {"contract_reference": "C1"}}, dc_to_appoint="TENT"
    ),
    ("supply_point", 3): setter(agreements=[]),
    ("supply_point", 4): setter(
        supply_start_date="2026-07-01",
        agreements=[{"tariff_code": P.ELEC_TARIFF, "effective_from": "2026-07-02"}],
    ),
    ("supply_point", 5): setter(
        supply_type="GAS", supply_details=[{"supply_type": "GAS"}, {"supply_type": "GAS"}]
    ),
    ("supply_point", 6): setter(
        last_billed_to_date="2026-05-31", supply_details=[{"valid_from_date": "2026-06-10"}]
    ),
    ("supply_point", 7): setter(supply_details=[{"supply_type": "GAS"}]),
    ("supply_point", 8): setter(supply_details=[]),
    ("supply_point", 9): setter(identifier="123"),
    ("HistoricalStatements", 1): lambda n, env: env.lookup.update(account_number=None),
    ("HistoricalStatements", 2): lambda n, env: env.lookup.update(process_exists=False),
    ("HistoricalStatements", 3): lambda n, env: env.supplier.update(migration_status="PAUSED"),
    ("HistoricalStatements", 4): lambda n, env: env.lookup.update(account_number=None),
    ("HistoricalStatements", 5): lambda n, env: env.lookup.update(statement_ids={"S-1"}),
    ("LegacyPaymentInstruction", 4): setter(instruction_reference="IR-1"),
    ("ProcessAccountImportProcess", 1): lambda n, env: env.lookup.update(process_exists=False),
    ("ProcessAccountImportProcess", 2): lambda n, env: env.supplier.update(operations_team_name="Operations"),
    ("ProcessAccountImportProcess", 3): dropper("operations_team_name"),
    ("TaskParameters", 1): setter(
        schedule_window_start="2026-06-16T00:00:00Z", schedule_window_end="2026-06-15T13:00:00Z"
    ),
    ("Transactions", 4): lambda n, env: n["transactions"].append(dict(n["transactions"][0])),
    ("Transactions", 5): lambda n, env: n["transactions"][0].pop("transaction_id"),
}
SPECIFIC[("ElectricityMeter.prepay_customer_reference_number", 1)] = setter(
    is_prepay=True, prepay_customer_reference_number="12 34 AB"
)
# Rules whose documentation says they never fail where they are declared.
NEVER_FAIL = {
    ("GasMeter.prepay_customer_reference_number", 1): "documented for electricity prepay meters only",
}
for _group in ("ElectricityMeterPoint.identifier", "GasMeterPoint.identifier"):
    SPECIFIC[(_group, 2)] = lambda n, env: env.lookup.update(taken_identifiers=frozenset({n["identifier"]}))
SPECIFIC[("PaymentInstruction.reference", 1)] = lambda n, env: env.lookup.update(
    taken_payment_references=frozenset({(n["vendor"], n["reference"])})
)
for _group in ("AccountPortfolio", "BusinessPortfolio"):
    SPECIFIC[(_group, 1)] = setter(portfolio_settings={"collective_billing": True})
    SPECIFIC[(_group, 2)] = lambda n, env: (
        env.supplier.update(create_new_portfolios=True),
        n.update(portfolio_references=[{"namespace": "CRM", "value": "1"}]),
    )
    SPECIFIC[(_group, 3)] = setter(
        portfolio_references=[{"namespace": "CRM", "value": "1"}, {"namespace": "CRM", "value": "2"}]
    )
for _group in ("BusinessUser", "EnergyCustomer"):
    SPECIFIC[(_group, 1)] = setter(details={"vip": True}, user_details=[{"namespace": "vip", "value": True}])
    SPECIFIC[(_group, 2)] = _occupier(email="occupier@jablonski.co.uk")
    SPECIFIC[(_group, 3)] = _occupier()
SPECIFIC[("EnergyCustomer", 4)] = setter(metadata=[{"key": "a", "value": "1"}, {"key": "a", "value": "2"}])
SPECIFIC[("EnergyCustomer", 5)] = dropper("account_roles")
SPECIFIC[("EnergyCustomer", 6)] = setter(account_roles=["EXECUTOR", "ADMIN"])
SPECIFIC[("EnergyCustomer", 7)] = setter(
    customer_preferences={"opted_into_sms": True}, consents=[{"type": "X", "value": True}]
)
for _group in ("ElectricityAgreement", "GasAgreement"):
    SPECIFIC[(_group, 2)] = setter(rate_overrides=[{"unit_price": "1"}])
    SPECIFIC[(_group, 3)] = setter(rate_overrides=[{"rate_band": "NIGHT", "unit_price": "1"}])
    SPECIFIC[(_group, 4)] = setter(
        bespoke_tariff_rates=[{"registers": [{"standing": "1"}], "standing_charge": "1"}]
    )
    SPECIFIC[(_group, 5)] = lambda n, env: env.tariff_changes.update(available_to="2030-01-01")
for _group in ("ElectricityMeterPoint", "GasMeterPoint", "supply_point"):
    SPECIFIC[(_group, 2)] = lambda n, env: n["agreements"][0].update(effective_from="2018-06-01")
for _group in ("ElectricityMeterPoint", "GasMeterPoint"):
    SPECIFIC[(_group, 3)] = lambda n, env: n["meters"].append(dict(n["meters"][0]))
for _group in ("AccountNote", "CreatePaymentInstructionError", "LegacyPaymentInstruction", "Transactions"):
    SPECIFIC[(_group, 1)] = lambda n, env: env.lookup.update(account_number=None)
    SPECIFIC[(_group, 2)] = lambda n, env: env.lookup.update(process_exists=False)
    SPECIFIC[(_group, 3)] = lambda n, env: env.supplier.update(migration_status="PAUSED")
SPECIFIC[("ElectricityMeter.meter_serial_number", 3)] = lambda n, env: mp(env).update(supply_type="WATER")
SPECIFIC[("GasMeter.meter_serial_number", 3)] = lambda n, env: mp(env, 1).update(supply_type="WATER")


def _copy_address(env, **changes):
    second = copy.deepcopy(env.root["supply_addresses"][0])
    second.update(changes)
    env.root["supply_addresses"].append(second)


def _exchanged_gas_meter(env):
    mp(env, 1)["meters"].append(
        {
            "meter_serial_number": "OLDG1",
            "gas_number_of_digits": 5,
            "removed_on": "2025-01-01",
            "transfer_readings": [dict(READING, reading_date="2025-01-01")],
        }
    )


def _third_point_sharing_serial(env):
    points = env.root["supply_addresses"][0]["meter_points"]
    points[1]["meters"][0]["meter_serial_number"] = points[0]["meters"][0]["meter_serial_number"]
    points.append(dict(copy.deepcopy(points[0]), identifier=P.another_identifier("1200060176720", "3")))


SUPPLY_ADDRESSES = {
    1: lambda n, env: _copy_address(env, supply_postcode="SW1A 1AA"),
    2: lambda n, env: env.supplier.update(skip_supply_point_creation=True),
    3: lambda n, env: n["supply_addresses"][0].update(meter_points=[]),
    4: lambda n, env: env.supplier.update(skip_property_creation=True),
    5: lambda n, env: _copy_address(env),
    6: lambda n, env: mp(env)["meters"].append(
        {"meter_serial_number": "OLD1", "removed_on": "2025-01-01", "transfer_readings": [READING]}
    ),
    7: lambda n, env: mp(env)["meters"].append(
        {
            "meter_serial_number": "OLD1",
            "removed_on": "2025-01-01",
            "reading_history": [dict(READING, reading_date="2025-01-01", billed=True)],
        }
    ),
    8: lambda n, env: (_exchanged_gas_meter(env), meter(env, 1).update(last_billed_to_date="2026-05-31")),
    9: lambda n, env: (_exchanged_gas_meter(env), mp(env, 1).pop("last_billed_to_date")),
    10: lambda n, env: mp(env).update(supply_end_date="2026-12-31"),
    11: lambda n, env: mp(env).update(dc_to_appoint="TENT"),
    12: lambda n, env: mp(env).update(export_type="EXPORT"),
    13: lambda n, env: _third_point_sharing_serial(env),
    14: lambda n, env: meter(env).update(
        reading_history=[dict(READING, reading_date="2026-06-05", billed=True)]
    ),
    15: lambda n, env: meter(env)["transfer_readings"][0].update(reading_date="2026-05-30"),
}
for _order, _case in SUPPLY_ADDRESSES.items():
    SPECIFIC[("EnergyAccount.supply_addresses", _order)] = _case


def breaking(rule):
    """The mutation of a rule's node (and environment) that makes the rule fail."""
    specific = SPECIFIC.get((rule.group, rule.order))
    if specific:
        return specific
    if rule.group == "EnergyAccount" and rule.order == 68:
        return lambda n, e: mp(e)["agreements"][0].update(
            bespoke_tariff_rates=[{"registers": [{"register_id": "1"}], "standing_charge": "1"}]
        )
    if rule.field:

        def set_field(node, env):
            FIELD_ENV.get(rule.error_code, lambda e: None)(env)
            node[rule.field] = copy.deepcopy(field_value(rule))

        return set_field
    document = base.ACCOUNT if base.ACCOUNT in rule.locations else next(iter(rule.locations))
    if rule.locations[document][0] == "":
        return ROOT[rule.error_code]
    return period_case(rule)
