"""Rules on the business of an account and its contracts: company details, business contracts,
commission contracts, partner organisations (GB and the JP seed's `organisation_number`). Checks return True when the rule fails."""

from __future__ import annotations

import dataclasses

from imports.rules import checks as c
from imports.rules.base import present
from imports.rules.parts._group import GB_AU, R, group

group(
    "AgreementIntermediaryDetails.portfolio_number",
    ("invalid_portfolio_number", c.not_matching(r"P-[A-Z0-9]{8}")),
)
group("BaseBusiness.company_number", ("invalid_company_number", c.company_number_at("company_number")))
group("BaseBusiness.details", ("children_with_duplicate_values", c.duplicate_children("key")))
group(
    "BusinessDetail",
    (
        "business_detail_incorrect_value_type",
        lambda n, ctx: (
            n.get("key") in ctx.catalogue.business_detail_keys
            and c.detail_type_mismatch(n.get("value"), ctx.catalogue.business_detail_keys[n["key"]])
        ),
    ),
    (
        "business_detail_failed_validation",
        lambda n, ctx: n.get("key") not in ctx.catalogue.business_detail_keys,
    ),
)
group(
    "BusinessWithExistingContracts",
    (
        "business_information_required_if_not_linking_via_contract",
        lambda n, ctx: (
            not ctx.supplier.link_account_to_business_with_contract and not present(n, "company_name")
        ),
    ),
    (
        "business_information_not_required_if_linking_via_contract",
        lambda n, ctx: ctx.supplier.link_account_to_business_with_contract and present(n, "company_name"),
    ),
    (
        "missing_contract_identifier",
        c.neither("business_contract_identifiers", "business_contract_identifier"),
    ),
)
group(
    "BusinessWithExistingContracts.company_number",
    ("invalid_company_number", c.company_number_at("company_number")),
)
group(
    "BusinessWithExistingContracts.details", ("children_with_duplicate_values", c.duplicate_children("key"))
)
group(
    "organisation_number",
    ("partner_organisation_does_not_exist", c.not_in("partner_organisations")),
    territories=("JP",),
    locations=("partner_organisations[]",),
)
R.rules[-1] = dataclasses.replace(R.rules[-1], field="organisation_number")
group(
    "EnergyCommissionContract",
    (
        "commission_type_requires_value",
        lambda n, ctx: present(n, "commission_type") and not present(n, "value"),
    ),
    (
        "uplift_and_value_conflict",
        lambda n, ctx: (
            present(n, "value") and (present(n, "unit_rate_uplift") or present(n, "standing_charge_uplift"))
        ),
    ),
    ("start_date_later_than_end_date", c.later("effective_from", "effective_to")),
)
group(
    "EnergyCommissionContract.affiliate_organisation_name",
    ("affiliate_organisation_does_not_exist", c.not_in("affiliate_organisations")),
)
group("EnergyCommissionContract.mpxn", ("invalid_supply_point_identifier", c.invalid_supply_point_identifier))
group("PartnerOrganisation", ("start_date_later_than_end_date", c.later("valid_from", "valid_to")))
group(
    "PartnerOrganisation.organisation_number",
    ("partner_organisation_does_not_exist", c.not_in("partner_organisations")),
    territories=GB_AU,
)
