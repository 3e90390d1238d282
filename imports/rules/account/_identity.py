"""Account-level checks on who the account is: account type and flags, names, the billing
address, portfolio, business, customers, operations team and properties. Each check returns True when the rule fails."""

from __future__ import annotations

from imports.rules import base
from imports.rules import payload as p
from imports.rules.base import items, present

LEGACY_BILLING = (
    "billing_address1",
    "billing_address2",
    "billing_address3",
    "billing_address4",
    "billing_address5",
)
SYSTEM_ACCOUNT_TYPES = {"SYSTEM"}


def _account_types(a, ctx):
    flags = [
        a.get("is_managed") is True,
        a.get("is_portfolio_lead") is True,
        a.get("unknown_occupier") is True,
    ]
    return sum(flags) > 1


def derive_occupier_billing_address(a, ctx):
    """Normaliser: an occupier account without a billing address takes its only supply address."""
    addresses = items(a, "supply_addresses")
    if a.get("unknown_occupier") and not present(a, "billing_address1") and not present(a, "billing_address"):
        if len(addresses) == 1 and isinstance(addresses[0], dict):
            for index in range(1, 6):
                value = addresses[0].get(f"supply_address{index}")
                if value:
                    a[f"billing_address{index}"] = value
            if addresses[0].get("supply_postcode"):
                a["billing_postcode"] = addresses[0]["supply_postcode"]
    return False


def _invalid_legacy_address(a, ctx):
    if not any(present(a, key) for key in LEGACY_BILLING):
        return False
    return not present(a, "billing_address1") or (
        ctx.supplier.territory == base.GB and not present(a, "billing_postcode")
    )


def _family_name(a, ctx):
    """Domestic customers need a family name; business ones are normalised to 'Business'."""
    failed = False
    for customer in items(a, "customers"):
        if not isinstance(customer, dict) or present(customer, "family_name"):
            continue
        if p.is_business(a):
            customer["family_name"] = "Business"
            if ctx.supplier.territory == base.JP:
                customer["family_name_kanji"] = "Business"
                customer["family_name_kana"] = "ビジネス"
        else:
            failed = True
    return failed


def _metadata_duplicate_keys(a, ctx):
    return base.duplicates(m.get("key") for m in items(a, "metadata") if isinstance(m, dict))


def _duplicate_property_ids(a, ctx):
    ids = [s.get("property_external_identifier") for s in items(a, "supply_addresses") if isinstance(s, dict)]
    return base.duplicates(i for i in ids if i)


def _managed_not_allowed(a, ctx):
    return a.get("is_managed") is True and not ctx.catalogue.managed_accounts_allowed


def _portfolio_settings_not_lead(a, ctx):
    portfolio = a.get("portfolio") or {}
    return present(portfolio, "portfolio_settings") and a.get("is_portfolio_lead") is not True


def _business_fields_on_domestic(a, ctx):
    return not p.is_business(a) and (present(a, "business_type") or present(a, "company_number"))


def bespoke_rates_on_domestic(a, ctx):
    return not p.is_business(a) and any(present(ag, "bespoke_tariff_rates") for _, ag in p.agreements(a, ctx))


def _customer_with_unknown_occupier(a, ctx):
    return a.get("unknown_occupier") is True and bool(items(a, "customers"))


def _given_name_required(a, ctx):
    return (
        ctx.supplier.send_registration_flows
        and p.is_business(a)
        and any(not present(c, "given_name") for c in items(a, "customers") if isinstance(c, dict))
    )


def _portfolio_references_missing(a, ctx):
    portfolio = a.get("portfolio") or {}
    return (
        present(portfolio, "portfolio_settings")
        and not ctx.supplier.create_new_portfolios
        and not present(portfolio, "portfolio_references")
    )


def _portfolio_references_provided(a, ctx):
    portfolio = a.get("portfolio") or {}
    return ctx.supplier.create_new_portfolios and present(portfolio, "portfolio_references")


def _new_style_and_legacy(a, ctx):
    legacy = (*LEGACY_BILLING, "billing_postcode")
    return present(a, "billing_address") and any(present(a, key) for key in legacy)


def _business_field_required(a, ctx):
    return ctx.supplier.enforce_business_contracts_exist and not present(a, "business")


def _customer_vs_business_user(a, ctx):
    users = {
        (u.get("email") or "").lower(): u
        for u in items(a.get("business") or {}, "users")
        if isinstance(u, dict)
    }
    for customer in items(a, "customers"):
        if not isinstance(customer, dict):
            continue
        user = users.get((customer.get("email") or "").lower())
        if user and any(
            present(customer, key) and present(user, key) and customer[key] != user[key]
            for key in ("given_name", "family_name", "mobile", "landline")
        ):
            return True
    return False


def _parent_property_reference(a, ctx):
    known = {
        s.get("property_external_identifier") for s in items(a, "supply_addresses") if isinstance(s, dict)
    }
    return any(
        isinstance(s, dict)
        and s.get("parent_property_reference")
        and s["parent_property_reference"] not in known
        for s in items(a, "supply_addresses") + items(a, "properties")
    )


def _lead_has_supply_address(a, ctx):
    return a.get("is_portfolio_lead") is True and bool(items(a, "supply_addresses"))


def _system_account_has_supply_address(a, ctx):
    return a.get("account_type") in SYSTEM_ACCOUNT_TYPES and bool(items(a, "supply_addresses"))


def _ops_team_with_auto_allocation(a, ctx):
    return ctx.supplier.auto_allocates_operations_team and present(a, "operations_team_name")


def _ops_team_should_be_provided(a, ctx):
    return not ctx.supplier.auto_allocates_operations_team and not present(a, "operations_team_name")


def _occupier_multiple_addresses(a, ctx):
    return a.get("unknown_occupier") is True and len(items(a, "supply_addresses")) > 1


def _dd_reference_for_occupier(a, ctx):
    occupier = a.get("unknown_occupier") is True or any(
        isinstance(c, dict) and p.is_occupier(c) for c in items(a, "customers")
    )
    return occupier and present(a, "dd_reference")


def _debt_and_debts(a, ctx):
    return present(a, "debt") and present(a, "debts")


def _multiple_properties(a, ctx):
    return len(items(a, "supply_addresses")) > 1


def _has_business_information(a):
    return present(a, "business") or present(a, "business_type") or present(a, "company_number")


def _is_business_must_be_false(a, ctx):
    return a.get("is_business") is True and not _has_business_information(a)


def _is_business_must_be_true(a, ctx):
    return a.get("is_business") is not True and _has_business_information(a)


def _lead_needs_closing_date(a, ctx):
    return a.get("is_portfolio_lead") is True and not present(a, "last_statement_closing_date")


def _next_bill_for_quarterly(a, ctx):
    options = a.get("account_billing_options") or {}
    return (
        options.get("use_industry_billing") is False
        and options.get("period_length") == "QUARTERLY"
        and not present(a, "next_bill_due_date")
    )


def _billing_options_on_domestic(a, ctx):
    return present(a, "account_billing_options") and not p.is_business(a)


def _tax_exemptions_on_domestic(a, ctx):
    return not p.is_business(a) and any(
        present(mp, "ccl_exemptions") or present(mp, "vat_exemptions") for mp in p.meter_points(a, ctx)
    )


def _billing_address_not_provided(a, ctx):
    return (
        a.get("unknown_occupier") is not True
        and not present(a, "billing_address")
        and not (present(a, "billing_address1") and present(a, "billing_postcode"))
    )


def _business_supply_type_on_domestic(a, ctx):
    return not p.is_business(a) and any(
        mp.get("supply_type") in {"REGOS_EXPORT_CERTIFICATES", "ROCS_EXPORT_CERTIFICATES"}
        for mp in p.meter_points(a, ctx)
    )


def _business_missing_billing_options(a, ctx):
    options = a.get("account_billing_options")
    return (
        p.is_business(a)
        and isinstance(options, dict)
        and options.get("use_industry_billing") is not True
        and not (present(options, "period_start_day") and present(options, "period_length"))
    )


def _business_missing_customers(a, ctx):
    return p.is_business(a) and not items(a, "customers")


CHECKS = {
    "multiple_account_types_selected": _account_types,
    "invalid_address": _invalid_legacy_address,
    "customer_family_name_required": _family_name,
    "metadata_has_duplicate_keys": _metadata_duplicate_keys,
    "duplicate_property_external_identifiers": _duplicate_property_ids,
    "managed_accounts_are_not_allowed": _managed_not_allowed,
    "portfolio_settings_included_when_not_lead": _portfolio_settings_not_lead,
    "business_fields_provided_for_domestic_accounts": _business_fields_on_domestic,
    "customer_with_unknown_occupier": _customer_with_unknown_occupier,
    "customer_given_name_required": _given_name_required,
    "portfolio_references_missing": _portfolio_references_missing,
    "portfolio_references_provided": _portfolio_references_provided,
    "billing_address_new_style_and_legacy": _new_style_and_legacy,
    "business_field_required": _business_field_required,
    "customer_details_and_user_details_both_provided": _customer_vs_business_user,
    "parent_property_reference_not_found": _parent_property_reference,
    "portfolio_lead_has_a_supply_address": _lead_has_supply_address,
    "system_account_has_a_supply_address": _system_account_has_supply_address,
    "operations_team_provided_when_using_auto_allocation": _ops_team_with_auto_allocation,
    "operations_team_should_be_provided": _ops_team_should_be_provided,
    "occupier_account_with_multiple_supply_addresses": _occupier_multiple_addresses,
    "dd_reference_for_occupier_account": _dd_reference_for_occupier,
    "debt_and_debts_are_defined": _debt_and_debts,
    "multiple_properties_not_allowed": _multiple_properties,
    "is_business_must_be_false": _is_business_must_be_false,
    "is_business_must_be_true": _is_business_must_be_true,
    "lead_account_must_have_last_statement_closing_date": _lead_needs_closing_date,
    "next_bill_to_date_not_provided_for_quarterly_billing": _next_bill_for_quarterly,
    "account_billing_options_provided_for_domestic_accounts": _billing_options_on_domestic,
    "tax_exemptions_provided_for_domestic_account": _tax_exemptions_on_domestic,
    "billing_address_not_provided": _billing_address_not_provided,
    "business_supply_type_on_domestic_account": _business_supply_type_on_domestic,
    "business_account_missing_billing_options": _business_missing_billing_options,
    "business_account_missing_customers": _business_missing_customers,
}
