"""For every rule of the registry, how to break the reference document so that rule (and, at its
node, that code) fails: the environment a case may change, helpers, and the account-level rules by
code (`ROOT`). The other groups' cases and `breaking(rule)` are in `rule_cases_parts`. A case is a
function `(node, env)` that mutates the located node (`env.root` is the whole document)."""

from __future__ import annotations

import copy
import dataclasses

from tests.imports import payloads as P

FAR_FUTURE = "2999-01-01T00:00:00Z"
READING = {
    "register_id": "1",
    "reading_date": "2026-05-31",
    "reading_value": "1000.00",
    "reading_type": "CUSTOMER",
}


@dataclasses.dataclass
class Env:
    root: dict
    supplier: dict = dataclasses.field(default_factory=dict)
    catalogue: dict = dataclasses.field(default_factory=dict)
    lookup: dict = dataclasses.field(default_factory=dict)
    tariff_changes: dict = dataclasses.field(default_factory=dict)


def mp(env, index=0):
    return env.root["supply_addresses"][0]["meter_points"][index]


def meter(env, index=0):
    return mp(env, index)["meters"][0]


def historical(env, *transactions):
    env.root["historical_statement_transactions"] = [
        {
            "type": "CHARGE",
            "transaction_id": f"H-{i}",
            "amount": "1.00",
            "reason": "IMPORTED_CHARGE",
            "transaction_date": "2026-05-01",
            **t,
        }
        for i, t in enumerate(transactions)
    ]


def setter(**values):
    def mutate(node, env):
        node.update(copy.deepcopy(values))

    return mutate


def dropper(*keys):
    def mutate(node, env):
        for key in keys:
            node.pop(key, None)

    return mutate


def second_address(env, digit: str = "9"):
    """A copy of the first supply address at another postcode, its meter points with other
    identifiers (last significant digit `digit`)."""
    second = copy.deepcopy(env.root["supply_addresses"][0])
    second["supply_postcode"] = "SW1A 1AA"
    for point in second["meter_points"]:
        point["identifier"] = P.another_identifier(point["identifier"], digit)
    env.root["supply_addresses"].append(second)


def active_new_preference(instruction_identifier: str):
    """An ACTIVE_NEW payment preference of ledger L-1 naming this payment instruction."""
    return setter(
        ledgers=[{"ledger_code": "ENERGY", "ledger_identifier": "L-1"}],
        payment_preferences=[
            {
                "type": "ACTIVE_NEW",
                "ledger_identifier": "L-1",
                "instruction_reference_params": {"instruction_identifier": instruction_identifier},
            }
        ],
    )


def vouchered(*, credit: str, value: str | None = "1.00"):
    """A credit of `credit` redeeming a voucher (of `value`) on the reference payload's charge T-1."""

    def mutate(node, env):
        node["current_statement_transactions"].append(
            {
                "type": "CREDIT",
                "transaction_id": "C-1",
                "amount": credit,
                "reason": "IMPORTED_CREDIT",
                "transaction_date": "2026-06-02",
            }
        )
        voucher = {
            "charge_transaction_id": "T-1",
            "voucher_redemptions": [{"credit_transaction_id": "C-1"}],
        }
        node["vouchers"] = [voucher if value is None else {**voucher, "value": value}]

    return mutate


def _both(*mutations):
    def mutate(node, env):
        for m in mutations:
            m(node, env)

    return mutate


# --- root account rules, by code (GB EnergyAccount, JP account / account_variant_b) ------------------

ROOT = {
    "multiple_account_types_selected": setter(is_managed=True, is_portfolio_lead=True),
    "invalid_address": _both(dropper("billing_address1"), setter(billing_address2="Flat 1")),
    "customer_family_name_required": lambda n, env: n["customers"][0].pop("family_name"),
    "metadata_has_duplicate_keys": setter(metadata=[{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]),
    "duplicate_property_external_identifiers": lambda n, env: (
        second_address(env),
        [a.update(property_external_identifier="P-1") for a in n["supply_addresses"]],
    ),
    "managed_accounts_are_not_allowed": setter(is_managed=True),
    "portfolio_settings_included_when_not_lead": setter(
        portfolio={"portfolio_settings": {"collective_billing": True}}
    ),
    "business_fields_provided_for_domestic_accounts": setter(company_number="01234567"),
    "customer_with_unknown_occupier": setter(unknown_occupier=True),
    "customer_given_name_required": lambda n, env: (
        env.supplier.update(send_registration_flows=True),
        n.update(account_type="BUSINESS"),
        n["customers"][0].pop("given_name"),
    ),
    "portfolio_references_missing": setter(
        is_portfolio_lead=True, portfolio={"portfolio_settings": {"collective_billing": True}}
    ),
    "portfolio_references_provided": lambda n, env: (
        env.supplier.update(create_new_portfolios=True),
        n.update(portfolio={"portfolio_references": [{"namespace": "CRM", "value": "1"}]}),
    ),
    "billing_address_new_style_and_legacy": setter(
        billing_address={"country": "GB", "street_address": "1 Road", "postal_code": "W1F 9DE"}
    ),
    "gaps_or_overlaps_in_agreement_dates": lambda n, env: mp(env).update(
        agreements=[
            {"tariff_code": P.ELEC_TARIFF, "effective_from": "2019-01-01", "effective_to": "2020-01-01"},
            {"tariff_code": P.ELEC_TARIFF, "effective_from": "2020-02-01"},
        ]
    ),
    "supply_charge_line_items_not_covered_by_single_agreement": lambda n, env: n[
        "current_statement_transactions"
    ].append(
        {
            "type": "SUPPLY_CHARGE",
            "transaction_id": "SC-1",
            "amount": "0.00",
            "product_code": "OTHER",
            "transaction_date": "2026-06-10",
            "line_items": [
                {
                    "start_date": "2026-06-01",
                    "end_date": "2026-06-10",
                    "net_amount": "0",
                    "number_of_units": "1",
                }
            ],
        }
    ),
    "historical_statement_period_end_in_future": setter(last_statement_closing_date="2026-12-31"),
    "term_supply_type_mismatch": setter(account_contracts=[{"terms": [{"supply_type": "WATER"}]}]),
    "account_contracts_without_supply_points": setter(account_contracts=[{"name": "c"}], supply_addresses=[]),
    "historical_statement_billing_document_identifier_missing": lambda n, env: historical(
        env, {"billing_document_identifier": "B-1"}, {}
    ),
    "historical_statement_billing_document_identifier_not_allowed_when_feature_flag_disabled": lambda n, env: (
        env.catalogue.update(billing_document_identifiers_enabled=False),
        historical(env, {"billing_document_identifier": "B-1"}),
    ),
    "billing_document_identifier_not_allowed_for_current_statement_transactions": lambda n, env: n[
        "current_statement_transactions"
    ][0].update(billing_document_identifier="B-1"),
    "historical_statement_billing_document_identifier_mismatch": lambda n, env: historical(
        env, {"billing_document_identifier": "B-1"}, {"billing_document_identifier": "B-2"}
    ),
    "contract_term_product_code_not_in_agreements": setter(
        account_contracts=[{"terms": [{"product_code": "NOPE"}]}]
    ),
    "business_field_required": lambda n, env: env.supplier.update(enforce_business_contracts_exist=True),
    "agreement_business_contract_identifier_not_declared": lambda n, env: mp(env)["agreements"][0].update(
        business_contract_identifier="C-1"
    ),
    "ledger_balances_not_equal_to_transfer_balance": setter(
        ledgers=[{"ledger_code": "ENERGY", "ledger_balance": "1.00"}]
    ),
    "customer_details_and_user_details_both_provided": lambda n, env: n.update(
        business={
            "users": [
                {"email": n["customers"][0]["email"], "given_name": "Robert", "business_roles": ["ADMIN"]}
            ]
        }
    ),
    "invalid_payment_preference_ledger_identifier": setter(
        payment_preferences=[{"type": "PASSIVE", "ledger_identifier": "L-9"}]
    ),
    "duplicate_ledger_in_payment_preferences": setter(
        ledgers=[{"ledger_code": "ENERGY", "ledger_identifier": "L-1"}],
        payment_preferences=[
            {"type": "PASSIVE", "ledger_identifier": "L-1"},
            {"type": "PASSIVE", "ledger_identifier": "L-1"},
        ],
    ),
    "active_new_payment_preference_invalid_instruction_identifier": active_new_preference("NOPE"),
    "voucher_transactions_sum_greater_than_voucher_value": vouchered(credit="5.00"),
    "voucher_charge_transaction_id_not_found": setter(vouchers=[{"charge_transaction_id": "NOPE"}]),
    "voucher_redemption_credit_transaction_id_not_found": setter(
        vouchers=[
            {"charge_transaction_id": "T-1", "voucher_redemptions": [{"credit_transaction_id": "NOPE"}]}
        ]
    ),
    "parent_property_reference_not_found": lambda n, env: n["supply_addresses"][0].update(
        parent_property_reference="NOPE"
    ),
    "portfolio_lead_has_a_supply_address": setter(is_portfolio_lead=True),
    "system_account_has_a_supply_address": setter(account_type="SYSTEM"),
    "operations_team_provided_when_using_auto_allocation": lambda n, env: env.supplier.update(
        operations_team_name="Operations"
    ),
    "operations_team_should_be_provided": dropper("operations_team_name"),
    "cannot_determine_responsible_for_billing_from_date": lambda n, env: (
        n.pop("last_statement_closing_date"),
        [
            point.update(agreements=[]) or point.pop("last_billed_to_date")
            for point in n["supply_addresses"][0]["meter_points"]
        ],
    ),
    "last_billed_to_date_not_found": lambda n, env: mp(env).pop("last_billed_to_date"),
    "historical_statement_transactions_without_last_statement_closing_date_or_last_billed_to_date": lambda n, env: (
        n.pop("last_statement_closing_date"),
        [point.pop("last_billed_to_date") for point in n["supply_addresses"][0]["meter_points"]],
        historical(env, {}),
    ),
    "duplicate_transaction_ids": lambda n, env: n["current_statement_transactions"].append(
        dict(n["current_statement_transactions"][0], amount="0.00")
    ),
    "missing_transaction_id": lambda n, env: n["current_statement_transactions"][0].pop("transaction_id"),
    "current_statement_transaction_before_current_statement_opening_date": lambda n, env: n[
        "current_statement_transactions"
    ][0].update(transaction_date="2026-05-01"),
    "current_statement_transaction_before_last_billed_to_date": lambda n, env: n[
        "current_statement_transactions"
    ][0].update(transaction_date="2026-05-01"),
    "historical_statement_transaction_after_current_statement_transaction": lambda n, env: historical(
        env, {"transaction_date": "2026-06-10"}
    ),
    "historical_statement_transaction_after_last_statement_closing_date": lambda n, env: historical(
        env, {"transaction_date": "2026-06-05"}
    ),
    "last_statement_issued_before_closing_date": setter(last_statement_issue_date="2026-05-01"),
    "balance_mismatch_on_transfer_balance": setter(transfer_balance="99.00"),
    "historical_statement_transactions_balance_mismatch": lambda n, env: historical(env, {"amount": "5.00"}),
    "duplicate_ledger_entries_found": setter(ledgers=[{"ledger_code": "ENERGY"}, {"ledger_code": "ENERGY"}]),
    "duplicate_identifiers_entries_found": setter(
        ledgers=[{"ledger_code": "ELECTRICITY", "identifier": "X"}, {"ledger_code": "GAS", "identifier": "X"}]
    ),
    "unknown_ledger_identifiers": setter(ledgers=[{"ledger_code": "ENERGY", "identifier": "NOPE"}]),
    "payment_adequacy_changes_and_last_payment_review_date_provided": setter(
        payment_adequacy_changes=[{"created_at": "2026-01-01T00:00:00Z"}],
        last_payment_review_date="2026-01-01",
    ),
    "payment_plan_and_payment_schedule_not_allowed_on_same_ledger": setter(
        payment_plans=[{"strategy_name": "EQUAL_INSTALMENTS"}],
        payment_schedules=[{"start_date": "2026-01-01", "means": "DD"}],
    ),
    "occupier_account_with_multiple_supply_addresses": lambda n, env: (
        n.update(unknown_occupier=True),
        second_address(env),
    ),
    "dd_reference_for_occupier_account": setter(unknown_occupier=True, dd_reference="DD-1"),
    "unbilled_former_supply_address": lambda n, env: n["supply_addresses"][0].update(
        customer_at_supply_address_to_date="2026-06-10"
    ),
    "agreement_starting_before_meter_point_ssd": lambda n, env: mp(env)["agreements"][0].update(
        effective_from="2018-06-01"
    ),
    "no_agreement_covering_last_billed_to_date": lambda n, env: mp(env)["agreements"][0].update(
        effective_to="2020-01-01"
    ),
    "debt_and_debts_are_defined": setter(
        debt={"agency_name": "Agency One"}, debts=[{"agency_name": "Agency One"}]
    ),
    "portfolio_lead_has_an_agreement": setter(is_portfolio_lead=True),
    "multiple_properties_not_allowed": lambda n, env: second_address(env),
    "is_business_must_be_false": setter(is_business=True),
    "is_business_must_be_true": setter(company_number="01234567"),
    "agreement_should_cover_unbilled_period": lambda n, env: mp(env)["agreements"][0].update(
        effective_to="2026-06-01"
    ),
    "lead_account_must_have_last_statement_closing_date": _both(
        setter(is_portfolio_lead=True), dropper("last_statement_closing_date")
    ),
    "meter_point_with_no_agreement": lambda n, env: mp(env).update(agreements=[]),
    "meterpoint_with_agreement_not_on_supply": lambda n, env: mp(env).update(supply_end_date="2026-01-01"),
    "agreement_has_no_matching_meter_point": setter(account_contracts=[{"supply_point_identifier": "NOPE"}]),
    "next_bill_to_date_not_provided_for_quarterly_billing": setter(
        account_billing_options={"use_industry_billing": False, "period_length": "QUARTERLY"}
    ),
    "account_billing_options_provided_for_domestic_accounts": setter(
        account_billing_options={"use_industry_billing": True}
    ),
    "transactions_target_non_initialised_prepay_meter": lambda n, env: n["current_statement_transactions"][
        0
    ].update(to_prepay_meter_serial_number="NOPE"),
    "tax_exemptions_provided_for_domestic_account": lambda n, env: mp(env).update(
        vat_exemptions=[{"effective_from": "2020-01-01", "rate": "5"}]
    ),
    "prepay_details_on_fully_billed_meter": lambda n, env: mp(env)["meters"].append(
        {
            "meter_serial_number": "OLD1",
            "removed_on": "2025-01-01",
            "is_prepay": True,
            "prepay_details": {
                "credit_balance": "0",
                "debt_balance": "0",
                "transfer_vend_read_date": "2025-01-01",
            },
        }
    ),
    "transfer_vend_read_date_must_match_last_billed_to_date": lambda n, env: meter(env).update(
        prepay_details={"credit_balance": "0", "debt_balance": "0", "transfer_vend_read_date": "2026-01-01"}
    ),
    "tariff_type_does_not_match_meter_point_type": lambda n, env: meter(env)["registers"].append(
        {"register_id": "2", "tpr": "00002", "number_of_digits": 5}
    ),
    "billing_address_not_provided": dropper("billing_address1"),
    "no_current_or_future_aq_entry_found": lambda n, env: mp(env, 1).update(
        aq_history=[{"effective_from": "2020-01-01", "effective_to": "2021-01-01", "consumption": "1000"}]
    ),
    "active_gas_meter_with_multiple_transfer_readings": lambda n, env: meter(env, 1)[
        "transfer_readings"
    ].append(dict(meter(env, 1)["transfer_readings"][0])),
    "active_gas_meter_without_transfer_reading": lambda n, env: meter(env, 1).update(transfer_readings=[]),
    "reading_meter_fully_billed": lambda n, env: mp(env)["meters"].append(
        {"meter_serial_number": "OLD1", "removed_on": "2025-01-01", "transfer_readings": [READING]}
    ),
    "missing_eacs_for_active_register_tpr": lambda n, env: mp(env).update(
        eac_history=[{"effective_from": "2020-01-01", "tpr": "00002", "consumption": "1"}]
    ),
    "tariff_type_does_not_match_meter_type": lambda n, env: meter(env).update(is_prepay=True),
    "agreement_effective_from_before_product_available_from": lambda n, env: (
        mp(env).update(supply_start_date="2017-01-01", last_billed_to_date="2017-06-30"),
        mp(env)["agreements"][0].update(effective_from="2017-01-01"),
    ),
    "agreement_cannot_start_before_product_available": lambda n, env: (
        mp(env).update(supply_start_date="2017-01-01"),
        mp(env)["agreements"][0].update(effective_from="2017-01-01", business_contract_identifier="C-1"),
    ),
    "future_supply_end_date": lambda n, env: mp(env).update(supply_end_date="2026-12-31"),
    "no_reading_on_supply_end_date": lambda n, env: mp(env).update(supply_end_date="2026-06-01"),
    "future_supply_start_date": lambda n, env: mp(env).update(supply_start_date="2026-07-01"),
    "meter_point_with_no_meters": lambda n, env: mp(env).update(meters=[]),
    "no_supply_point_on_supply": lambda n, env: [
        point.update(supply_end_date="2026-01-01") for point in n["supply_addresses"][0]["meter_points"]
    ],
    "business_supply_type_on_domestic_account": lambda n, env: mp(env).update(
        supply_type="ROCS_EXPORT_CERTIFICATES"
    ),
    "business_account_missing_billing_options": setter(
        account_type="BUSINESS", account_billing_options={"use_industry_billing": False}
    ),
    "business_account_missing_customers": setter(account_type="BUSINESS", customers=[]),
    "missing_transfer_reading_for_register": lambda n, env: meter(env).update(transfer_readings=[]),
    "multiple_transfer_readings_for_register": lambda n, env: meter(env)["transfer_readings"].append(
        dict(READING)
    ),
}
