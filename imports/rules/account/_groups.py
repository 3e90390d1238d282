"""The account-level rule groups: GB `EnergyAccount` (OpenAPI) and the JP seed groups `account` and
`account_variant_b`, each a list of the documented validators in their documented order, declared on
the registry with the checks of the topic modules."""

from __future__ import annotations

from imports.rules import base
from imports.rules.account import _identity, _ledgers, _meters, _statements, _supply
from imports.rules.registry import REGISTRY

CHECKS = {**_identity.CHECKS, **_statements.CHECKS, **_ledgers.CHECKS, **_supply.CHECKS, **_meters.CHECKS}
# Where a GB description states a condition the JP seed's does not, the GB group checks it.
GB_CHECKS = {**_statements.GB_CHECKS, **_supply.GB_CHECKS}

# Runs of rules that the GB and JP account groups document in the same order.
_ACCOUNT_SHAPE = (
    "managed_accounts_are_not_allowed",
    "portfolio_settings_included_when_not_lead",
    "business_fields_provided_for_domestic_accounts",
    "customer_with_unknown_occupier",
    "customer_given_name_required",
    "portfolio_references_missing",
    "portfolio_references_provided",
    "billing_address_new_style_and_legacy",
    "gaps_or_overlaps_in_agreement_dates",
    "supply_charge_line_items_not_covered_by_single_agreement",
    "historical_statement_period_end_in_future",
    "term_supply_type_mismatch",
    "account_contracts_without_supply_points",
    "historical_statement_billing_document_identifier_missing",
    "historical_statement_billing_document_identifier_not_allowed_when_feature_flag_disabled",
    "billing_document_identifier_not_allowed_for_current_statement_transactions",
    "historical_statement_billing_document_identifier_mismatch",
    "contract_term_product_code_not_in_agreements",
    "business_field_required",
)
_PREFERENCES_AND_VOUCHERS = (
    "ledger_balances_not_equal_to_transfer_balance",
    "customer_details_and_user_details_both_provided",
    "invalid_payment_preference_ledger_identifier",
    "duplicate_ledger_in_payment_preferences",
    "active_new_payment_preference_invalid_instruction_identifier",
    "voucher_transactions_sum_greater_than_voucher_value",
    "voucher_charge_transaction_id_not_found",
    "voucher_redemption_credit_transaction_id_not_found",
)
_LEDGERS_TO_FORMER_ADDRESSES = (
    "duplicate_ledger_entries_found",
    "duplicate_identifiers_entries_found",
    "unknown_ledger_identifiers",
    "payment_adequacy_changes_and_last_payment_review_date_provided",
    "payment_plan_and_payment_schedule_not_allowed_on_same_ledger",
    "occupier_account_with_multiple_supply_addresses",
    "dd_reference_for_occupier_account",
    "unbilled_former_supply_address",
)

GB_ACCOUNT = (
    "multiple_account_types_selected",
    None,
    "invalid_address",
    "customer_family_name_required",
    "metadata_has_duplicate_keys",
    "duplicate_property_external_identifiers",
    *_ACCOUNT_SHAPE,
    "agreement_business_contract_identifier_not_declared",
    *_PREFERENCES_AND_VOUCHERS,
    "parent_property_reference_not_found",
    "portfolio_lead_has_a_supply_address",
    "system_account_has_a_supply_address",
    "operations_team_provided_when_using_auto_allocation",
    "operations_team_should_be_provided",
    "cannot_determine_responsible_for_billing_from_date",
    "historical_statement_transactions_without_last_statement_closing_date_or_last_billed_to_date",
    "duplicate_transaction_ids",
    "missing_transaction_id",
    "historical_statement_transaction_after_current_statement_transaction",
    "historical_statement_transaction_after_last_statement_closing_date",
    "last_statement_issued_before_closing_date",
    *_LEDGERS_TO_FORMER_ADDRESSES,
    "no_agreement_covering_last_billed_to_date",
    "debt_and_debts_are_defined",
    "last_billed_to_date_not_found",
    "current_statement_transaction_before_current_statement_opening_date",
    "balance_mismatch_on_transfer_balance",
    "historical_statement_transactions_balance_mismatch",
    "next_bill_to_date_not_provided_for_quarterly_billing",
    "account_billing_options_provided_for_domestic_accounts",
    "transactions_target_non_initialised_prepay_meter",
    "tax_exemptions_provided_for_domestic_account",
    "prepay_details_on_fully_billed_meter",
    "transfer_vend_read_date_must_match_last_billed_to_date",
    "tariff_type_does_not_match_meter_point_type",
    ("business_fields_provided_for_domestic_accounts", _identity.bespoke_rates_on_domestic),
    "billing_address_not_provided",
    "no_current_or_future_aq_entry_found",
    "meter_point_with_no_agreement",
    "meterpoint_with_agreement_not_on_supply",
    "active_gas_meter_with_multiple_transfer_readings",
    "active_gas_meter_without_transfer_reading",
    "reading_meter_fully_billed",
    "missing_eacs_for_active_register_tpr",
    "tariff_type_does_not_match_meter_type",
    "agreement_effective_from_before_product_available_from",
    "agreement_cannot_start_before_product_available",
    "future_supply_end_date",
    "no_reading_on_supply_end_date",
    "future_supply_start_date",
    "meter_point_with_no_meters",
    "no_supply_point_on_supply",
    "business_supply_type_on_domestic_account",
    "business_account_missing_billing_options",
    "business_account_missing_customers",
    "current_statement_transaction_before_last_billed_to_date",
    "missing_transfer_reading_for_register",
    "multiple_transfer_readings_for_register",
)

_JP_COMMON_HEAD = (
    "multiple_account_types_selected",
    "invalid_address",
    "customer_family_name_required",
    "metadata_has_duplicate_keys",
    *_ACCOUNT_SHAPE,
    *_PREFERENCES_AND_VOUCHERS,
    "operations_team_provided_when_using_auto_allocation",
    "operations_team_should_be_provided",
    "cannot_determine_responsible_for_billing_from_date",
)
_JP_COMMON_TAIL = (
    "last_billed_to_date_not_found",
    "historical_statement_transactions_without_last_statement_closing_date_or_last_billed_to_date",
    "duplicate_transaction_ids",
    "missing_transaction_id",
    "current_statement_transaction_before_current_statement_opening_date",
    "current_statement_transaction_before_last_billed_to_date",
    "historical_statement_transaction_after_current_statement_transaction",
    "historical_statement_transaction_after_last_statement_closing_date",
    "last_statement_issued_before_closing_date",
    "balance_mismatch_on_transfer_balance",
    "historical_statement_transactions_balance_mismatch",
    *_LEDGERS_TO_FORMER_ADDRESSES,
    "agreement_starting_before_meter_point_ssd",
    "no_agreement_covering_last_billed_to_date",
    "debt_and_debts_are_defined",
    "portfolio_lead_has_an_agreement",
    "portfolio_lead_has_a_supply_address",
    "multiple_properties_not_allowed",
    "is_business_must_be_false",
    "is_business_must_be_true",
    "agreement_should_cover_unbilled_period",
    "lead_account_must_have_last_statement_closing_date",
    "meter_point_with_no_agreement",
    "meterpoint_with_agreement_not_on_supply",
)
JP_ACCOUNT = _JP_COMMON_HEAD + _JP_COMMON_TAIL
JP_ACCOUNT_VARIANT_B = _JP_COMMON_HEAD + ("agreement_has_no_matching_meter_point",) + _JP_COMMON_TAIL


def _declare(group: base.GroupBuilder, codes: tuple, checks: dict) -> None:
    for order, entry in enumerate(codes, start=1):
        if isinstance(entry, tuple):
            code, check = entry
        elif entry is None:
            code, check = None, _identity.derive_occupier_billing_address
        else:
            code, check = entry, checks[entry]
        group.rule(order, code, check)


_declare(REGISTRY.group("EnergyAccount", territories=("GB", "AU")), GB_ACCOUNT, {**CHECKS, **GB_CHECKS})
_declare(
    REGISTRY.group("account", territories=("JP",), locations=("",), variants=("v1",)), JP_ACCOUNT, CHECKS
)
_declare(
    REGISTRY.group("account_variant_b", territories=("JP",), locations=("",), variants=("v2",)),
    JP_ACCOUNT_VARIANT_B,
    CHECKS,
)
