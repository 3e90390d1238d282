"""Hand-written silent cases of the account-level rules (GB `EnergyAccount`, JP `account` and
`account_variant_b`), by error code: for each, the near miss of its firing case in `rule_cases.ROOT`
that its documented condition lets through (a boundary, or an exemption the description states).
A GB-only exemption is keyed `(code, "GB")` and its JP counterpart `(code, "JP")`."""

from __future__ import annotations

from tests.imports import payloads as P
from tests.imports.rule_cases import (
    READING,
    active_new_preference,
    historical,
    meter,
    mp,
    second_address,
    setter,
    vouchered,
)

VEND = {
    "type": "PAYMENT",
    "transaction_id": "V-1",
    "amount": "50.00",
    "reason": "PREPAY_VEND",
    "transaction_date": "2026-05-01",
    "to_prepay_meter_serial_number": "Z16N389556",
}


def _points(n):
    return n["supply_addresses"][0]["meter_points"]


def _never_billed(n, env):
    """An account without historical statement data: no closing date, no historical transactions."""
    n.pop("last_statement_closing_date", None)
    n.pop("historical_statement_transactions", None)


def _prepay_meter(n, env):
    meter(env).update(
        is_prepay=True,
        prepay_customer_reference_number="123456",
        prepay_details={"credit_balance": "0", "debt_balance": "0", "transfer_vend_read_date": "2026-05-31"},
    )


def _business(**extra):
    return setter(account_type="BUSINESS", account_billing_options={"use_industry_billing": True}, **extra)


SILENT = {
    "multiple_account_types_selected": setter(is_portfolio_lead=True),
    "invalid_address": setter(billing_address2="Flat 1"),
    "customer_family_name_required": lambda n, env: (
        _business()(n, env),
        n["customers"][0].pop("family_name"),
    ),
    "metadata_has_duplicate_keys": setter(metadata=[{"key": "a", "value": "1"}, {"key": "b", "value": "1"}]),
    "duplicate_property_external_identifiers": lambda n, env: (
        second_address(env),
        n["supply_addresses"][0].update(property_external_identifier="P-1"),
        n["supply_addresses"][1].update(property_external_identifier="P-2"),
    ),
    "managed_accounts_are_not_allowed": lambda n, env: (
        n.update(is_managed=True),
        env.catalogue.update(managed_accounts_allowed=True),
    ),
    "portfolio_settings_included_when_not_lead": setter(
        is_portfolio_lead=True, portfolio={"portfolio_settings": {"collective_billing": True}}
    ),
    "business_fields_provided_for_domestic_accounts": [
        _business(company_number="01234567"),
        lambda n, env: (
            _business()(n, env),
            mp(env)["agreements"][0].update(
                bespoke_tariff_rates=[{"registers": [{"register_id": "1"}], "standing_charge": "1"}]
            ),
        ),
    ],
    "customer_with_unknown_occupier": setter(unknown_occupier=True, customers=[]),
    # Only when the supplier sends registration flows (it does not here).
    "customer_given_name_required": lambda n, env: (_business()(n, env), n["customers"][0].pop("given_name")),
    "portfolio_references_missing": setter(
        is_portfolio_lead=True,
        portfolio={
            "portfolio_settings": {"collective_billing": True},
            "portfolio_references": [{"namespace": "CRM", "value": "1"}],
        },
    ),
    "portfolio_references_provided": setter(
        portfolio={"portfolio_references": [{"namespace": "CRM", "value": "1"}]}
    ),
    "billing_address_new_style_and_legacy": lambda n, env: (
        [n.pop(key) for key in ("billing_address1", "billing_postcode")],
        n.update(billing_address={"country": "GB", "street_address": "1 Road", "postal_code": "W1F 9DE"}),
    ),
    # A gap wholly before the supply start date is historic supply, allowed.
    "gaps_or_overlaps_in_agreement_dates": lambda n, env: mp(env).update(
        supply_start_date="2019-01-01",
        agreements=[
            {"tariff_code": P.ELEC_TARIFF, "effective_from": "2017-01-01", "effective_to": "2017-06-01"},
            {"tariff_code": P.ELEC_TARIFF, "effective_from": "2018-01-01", "effective_to": "2019-06-01"},
            {"tariff_code": P.ELEC_TARIFF, "effective_from": "2019-06-01"},
        ],
    ),
    "supply_charge_line_items_not_covered_by_single_agreement": lambda n, env: n[
        "current_statement_transactions"
    ].append(
        {
            "type": "SUPPLY_CHARGE",
            "transaction_id": "SC-1",
            "amount": "0.00",
            "product_code": "VAR-22-11-01",
            "supply_point_identifier": _points(n)[0]["identifier"],
            "transaction_date": "2026-06-10",
            "line_items": [{"start_date": "2026-06-01", "end_date": "2026-06-10", "net_amount": "0"}],
        }
    ),
    "historical_statement_period_end_in_future": setter(last_statement_closing_date=P.NOW.date().isoformat()),
    "term_supply_type_mismatch": setter(account_contracts=[{"terms": [{"supply_type": "ELECTRICITY"}]}]),
    "account_contracts_without_supply_points": setter(account_contracts=[{"name": "c"}]),
    "historical_statement_billing_document_identifier_missing": lambda n, env: historical(
        env, {"billing_document_identifier": "B-1"}, {"billing_document_identifier": "B-1"}
    ),
    "historical_statement_billing_document_identifier_not_allowed_when_feature_flag_disabled": lambda n, env: (
        env.catalogue.update(billing_document_identifiers_enabled=True),
        historical(env, {"billing_document_identifier": "B-1"}),
    ),
    "billing_document_identifier_not_allowed_for_current_statement_transactions": lambda n, env: historical(
        env, {"billing_document_identifier": "B-1"}
    ),
    "historical_statement_billing_document_identifier_mismatch": lambda n, env: historical(
        env, {"billing_document_identifier": "B-1"}, {"billing_document_identifier": "B-1"}
    ),
    "contract_term_product_code_not_in_agreements": setter(
        account_contracts=[{"terms": [{"product_code": "VAR-22-11-01"}]}]
    ),
    "business_field_required": lambda n, env: (
        env.supplier.update(enforce_business_contracts_exist=True),
        n.update(business={"company_name": "Acme", "business_contract_identifier": "C-1"}),
    ),
    "agreement_business_contract_identifier_not_declared": lambda n, env: (
        n.update(business={"company_name": "Acme", "business_contract_identifiers": ["C-1"]}),
        mp(env)["agreements"][0].update(business_contract_identifier="C-1"),
    ),
    "ledger_balances_not_equal_to_transfer_balance": setter(
        ledgers=[
            {"ledger_code": "ELECTRICITY", "ledger_balance": "-10.00"},
            {"ledger_code": "GAS", "ledger_balance": "-2.34"},
        ]
    ),
    "customer_details_and_user_details_both_provided": lambda n, env: n.update(
        business={
            "users": [{"email": n["customers"][0]["email"], "given_name": "Bob", "business_roles": ["ADMIN"]}]
        }
    ),
    "invalid_payment_preference_ledger_identifier": setter(
        ledgers=[{"ledger_code": "ENERGY", "ledger_identifier": "L-1"}],
        payment_preferences=[{"type": "PASSIVE", "ledger_identifier": "L-1"}],
    ),
    "duplicate_ledger_in_payment_preferences": setter(
        ledgers=[
            {"ledger_code": "ELECTRICITY", "ledger_identifier": "L-1"},
            {"ledger_code": "GAS", "ledger_identifier": "L-2"},
        ],
        payment_preferences=[
            {"type": "PASSIVE", "ledger_identifier": "L-1"},
            {"type": "PASSIVE", "ledger_identifier": "L-2"},
        ],
    ),
    "active_new_payment_preference_invalid_instruction_identifier": active_new_preference("PI-1"),
    # Redemptions summing to exactly the voucher's value.
    "voucher_transactions_sum_greater_than_voucher_value": vouchered(credit="1.00"),
    "voucher_charge_transaction_id_not_found": setter(vouchers=[{"charge_transaction_id": "T-1"}]),
    "voucher_redemption_credit_transaction_id_not_found": vouchered(credit="1.00", value=None),
    "parent_property_reference_not_found": lambda n, env: (
        second_address(env),
        n["supply_addresses"][0].update(property_external_identifier="P-1"),
        n["supply_addresses"][1].update(parent_property_reference="P-1"),
    ),
    "portfolio_lead_has_a_supply_address": setter(is_portfolio_lead=True, supply_addresses=[]),
    "system_account_has_a_supply_address": setter(account_type="SYSTEM", supply_addresses=[]),
    "operations_team_provided_when_using_auto_allocation": lambda n, env: (
        env.supplier.update(operations_team_name="Operations"),
        n.pop("operations_team_name"),
    ),
    "operations_team_should_be_provided": lambda n, env: (
        env.supplier.update(operations_team_name="Operations"),
        n.pop("operations_team_name"),
    ),
    # Without any last billed to date or closing date, the agreements still say when billing starts.
    "cannot_determine_responsible_for_billing_from_date": lambda n, env: (
        n.pop("last_statement_closing_date"),
        [point.pop("last_billed_to_date") for point in _points(n)],
    ),
    "last_billed_to_date_not_found": lambda n, env: (
        _never_billed(n, env),
        mp(env).pop("last_billed_to_date"),
    ),
    ("last_billed_to_date_not_found", "GB"): [
        lambda n, env: (_never_billed(n, env), mp(env).pop("last_billed_to_date")),
        # Half-hourly meter points are exempt.
        lambda n, env: (mp(env).pop("last_billed_to_date"), mp(env).update(measurement_class="E")),
        # The date may sit on the register itself.
        lambda n, env: (
            mp(env).pop("last_billed_to_date"),
            meter(env)["registers"][0].update(last_billed_to_date="2026-05-31"),
        ),
        # An exchanged meter whose new meter has been billed needs no date of its own.
        lambda n, env: (
            mp(env, 1).pop("last_billed_to_date"),
            meter(env, 1).update(last_billed_to_date="2026-05-31", installed_on="2025-01-02"),
            mp(env, 1)["meters"].insert(
                0,
                {"meter_serial_number": "OLDG1", "removed_on": "2025-01-01", "transfer_readings": [READING]},
            ),
        ),
    ],
    # The closing date is inferred from the supply points' last billed to dates.
    "historical_statement_transactions_without_last_statement_closing_date_or_last_billed_to_date": lambda n, env: (
        n.pop("last_statement_closing_date"),
        historical(env, {}),
    ),
    "duplicate_transaction_ids": lambda n, env: n["current_statement_transactions"].append(
        dict(n["current_statement_transactions"][0], transaction_id="T-2", amount="0.00")
    ),
    "missing_transaction_id": lambda n, env: historical(env, {}),
    "historical_statement_transaction_after_current_statement_transaction": lambda n, env: historical(
        env, {"transaction_date": "2026-05-31"}
    ),
    # On the closing date is not later than it.
    "historical_statement_transaction_after_last_statement_closing_date": lambda n, env: historical(
        env, {"transaction_date": "2026-05-31"}
    ),
    "last_statement_issued_before_closing_date": setter(last_statement_issue_date="2026-05-31"),
    "balance_mismatch_on_transfer_balance": setter(last_statement_balance="10.00", transfer_balance="-2.34"),
    # GB leaves prepay vends out of the sum.
    ("balance_mismatch_on_transfer_balance", "GB"): lambda n, env: (
        _prepay_meter(n, env),
        n["current_statement_transactions"].append(dict(VEND, transaction_date="2026-06-02")),
    ),
    "historical_statement_transactions_balance_mismatch": lambda n, env: historical(env, {"amount": "0.00"}),
    ("historical_statement_transactions_balance_mismatch", "GB"): lambda n, env: (
        _prepay_meter(n, env),
        historical(env, {"amount": "0.00"}, dict(VEND)),
    ),
    "duplicate_ledger_entries_found": setter(
        ledgers=[{"ledger_code": "ELECTRICITY"}, {"ledger_code": "GAS"}]
    ),
    "duplicate_identifiers_entries_found": lambda n, env: n.update(
        ledgers=[
            {"ledger_code": "ELECTRICITY", "identifier": _points(n)[0]["identifier"]},
            {"ledger_code": "GAS"},
        ]
    ),
    "unknown_ledger_identifiers": lambda n, env: n.update(
        ledgers=[{"ledger_code": "ENERGY", "identifier": _points(n)[0]["identifier"]}]
    ),
    "payment_adequacy_changes_and_last_payment_review_date_provided": setter(
        payment_adequacy_changes=[{"created_at": "2026-01-01T00:00:00Z"}]
    ),
    "payment_plan_and_payment_schedule_not_allowed_on_same_ledger": setter(
        payment_plans=[{"strategy_name": "EQUAL_INSTALMENTS", "ledger_code": "ELECTRICITY"}],
        payment_schedules=[{"start_date": "2026-01-01", "means": "DD", "ledger_code": "GAS"}],
    ),
    "occupier_account_with_multiple_supply_addresses": setter(unknown_occupier=True, customers=[]),
    "dd_reference_for_occupier_account": setter(dd_reference="DD-1"),
    # Moved out on the day billed to: fully billed.
    "unbilled_former_supply_address": lambda n, env: n["supply_addresses"][0].update(
        customer_at_supply_address_to_date="2026-05-31"
    ),
    "agreement_starting_before_meter_point_ssd": lambda n, env: mp(env)["agreements"][0].update(
        effective_from=mp(env)["supply_start_date"]
    ),
    # An agreement ending the day after the last billed to date covers it (ends are exclusive).
    "no_agreement_covering_last_billed_to_date": lambda n, env: (
        mp(env)["agreements"][0].update(effective_to="2026-06-01"),
        mp(env)["agreements"].append({"tariff_code": P.ELEC_TARIFF, "effective_from": "2026-06-01"}),
    ),
    "debt_and_debts_are_defined": setter(debts=[{"agency_name": "Agency One"}]),
    "portfolio_lead_has_an_agreement": setter(is_portfolio_lead=True, supply_addresses=[]),
    "multiple_properties_not_allowed": lambda n, env: None,  # one supply address
    "is_business_must_be_false": setter(is_business=True, company_number="01234567"),
    "is_business_must_be_true": setter(is_business=True, company_number="01234567"),
    # A fixed-term agreement ending after today covers the billing period too.
    "agreement_should_cover_unbilled_period": lambda n, env: mp(env)["agreements"][0].update(
        effective_to="2027-01-01"
    ),
    "lead_account_must_have_last_statement_closing_date": setter(is_portfolio_lead=True),
    # Not billable: the supply ended, so no agreement is needed.
    "meter_point_with_no_agreement": lambda n, env: mp(env).update(
        agreements=[], supply_end_date="2026-05-31", last_billed_to_date="2026-05-31"
    ),
    "meterpoint_with_agreement_not_on_supply": lambda n, env: (
        mp(env).update(supply_end_date="2026-05-31"),
        mp(env)["agreements"][0].update(effective_to="2026-06-01"),
    ),
    "agreement_has_no_matching_meter_point": lambda n, env: n.update(
        account_contracts=[{"supply_point_identifier": _points(n)[0]["identifier"]}]
    ),
    "next_bill_to_date_not_provided_for_quarterly_billing": setter(
        account_billing_options={"use_industry_billing": False, "period_length": "QUARTERLY"},
        next_bill_due_date="2026-09-01",
    ),
    "account_billing_options_provided_for_domestic_accounts": _business(),
    "transactions_target_non_initialised_prepay_meter": lambda n, env: (
        _prepay_meter(n, env),
        n["current_statement_transactions"][0].update(to_prepay_meter_serial_number="Z16N389556"),
    ),
    "tax_exemptions_provided_for_domestic_account": lambda n, env: (
        _business()(n, env),
        mp(env).update(vat_exemptions=[{"effective_from": "2020-01-01", "rate": "5"}]),
    ),
    # Removed after the last billed to date: not fully billed.
    "prepay_details_on_fully_billed_meter": lambda n, env: mp(env)["meters"].append(
        {
            "meter_serial_number": "OLD1",
            "removed_on": "2026-06-10",
            "is_prepay": True,
            "prepay_details": {
                "credit_balance": "0",
                "debt_balance": "0",
                "transfer_vend_read_date": "2026-05-31",
            },
        }
    ),
    "transfer_vend_read_date_must_match_last_billed_to_date": _prepay_meter,
    # A second register that is not a settlement register does not make the point two-rate.
    "tariff_type_does_not_match_meter_point_type": lambda n, env: meter(env)["registers"].append(
        {"register_id": "2", "tpr": "00002", "number_of_digits": 5, "is_settlement": False}
    ),
    # An occupier account needs no billing address.
    "billing_address_not_provided": lambda n, env: (
        [n.pop(key) for key in ("billing_address1", "billing_postcode")],
        n.update(unknown_occupier=True, customers=[]),
    ),
    "no_current_or_future_aq_entry_found": lambda n, env: mp(env, 1).update(
        aq_history=[
            {"effective_from": "2020-01-01", "effective_to": "2021-01-01", "consumption": "1000"},
            {"effective_from": "2021-01-01", "effective_to": "2027-01-01", "consumption": "1000"},
        ]
    ),
    # Two readings on a removed (not active) gas meter are not checked.
    "active_gas_meter_with_multiple_transfer_readings": lambda n, env: mp(env, 1)["meters"].append(
        {"meter_serial_number": "OLDG1", "removed_on": "2025-01-01", "transfer_readings": [READING, READING]}
    ),
    "active_gas_meter_without_transfer_reading": lambda n, env: mp(env, 1)["meters"].append(
        {"meter_serial_number": "OLDG1", "removed_on": "2025-01-01"}
    ),
    "reading_meter_fully_billed": lambda n, env: mp(env)["meters"].append(
        {"meter_serial_number": "OLD1", "removed_on": "2026-06-10", "transfer_readings": [READING]}
    ),
    # A register that is not a settlement register needs no EAC.
    "missing_eacs_for_active_register_tpr": lambda n, env: meter(env)["registers"].append(
        {"register_id": "2", "tpr": "00002", "number_of_digits": 5, "is_settlement": False}
    ),
    # Only active meters and agreements are compared: a removed prepay meter is not.
    "tariff_type_does_not_match_meter_type": lambda n, env: mp(env)["meters"].append(
        {"meter_serial_number": "OLD1", "removed_on": "2025-01-01", "is_prepay": True}
    ),
    # Kraken bills from after the product is available: an earlier agreement start is not checked.
    "agreement_effective_from_before_product_available_from": lambda n, env: (
        mp(env).update(supply_start_date="2017-01-01"),
        mp(env)["agreements"][0].update(effective_from="2017-01-01"),
    ),
    # Not part of a contract.
    "agreement_cannot_start_before_product_available": lambda n, env: (
        mp(env).update(supply_start_date="2017-01-01"),
        mp(env)["agreements"][0].update(effective_from="2017-01-01"),
    ),
    "future_supply_end_date": lambda n, env: mp(env).update(supply_end_date=P.NOW.date().isoformat()),
    "no_reading_on_supply_end_date": lambda n, env: (
        mp(env).update(supply_end_date="2026-05-31"),
        meter(env)["transfer_readings"][0].update(reading_date="2026-05-31"),
    ),
    "future_supply_start_date": lambda n, env: mp(env).update(supply_start_date=P.NOW.date().isoformat()),
    "meter_point_with_no_meters": lambda n, env: mp(env).update(meters=[], measurement_class="B"),
    "no_supply_point_on_supply": lambda n, env: mp(env).update(supply_end_date="2026-01-01"),
    "business_supply_type_on_domestic_account": lambda n, env: (
        _business()(n, env),
        mp(env).update(supply_type="ROCS_EXPORT_CERTIFICATES"),
    ),
    # Without billing options the defaults apply.
    "business_account_missing_billing_options": setter(account_type="BUSINESS"),
    "business_account_missing_customers": setter(customers=[]),
    "current_statement_transaction_before_last_billed_to_date": lambda n, env: n[
        "current_statement_transactions"
    ][0].update(transaction_date="2026-05-31"),
    "missing_transfer_reading_for_register": lambda n, env: meter(env)["registers"].append(
        {"register_id": "2", "tpr": "00002", "number_of_digits": 5, "is_settlement": False}
    ),
    "multiple_transfer_readings_for_register": lambda n, env: (
        meter(env)["registers"].append({"register_id": "2", "tpr": "00001", "number_of_digits": 5}),
        meter(env)["transfer_readings"].append(dict(READING, register_id="2")),
    ),
    # On the opening day itself.
    "current_statement_transaction_before_current_statement_opening_date": lambda n, env: n[
        "current_statement_transactions"
    ][0].update(transaction_date="2026-06-01"),
    # GB leaves prepay vend transactions out of the check.
    ("current_statement_transaction_before_current_statement_opening_date", "GB"): lambda n, env: (
        _prepay_meter(n, env),
        n["current_statement_transactions"].append(dict(VEND, amount="0.00")),
    ),
}
