"""Rules on account-level parts: campaigns, consents, portfolios, references, billing contact
fields, billing options, tax exemptions and notes. Checks return True when the rule fails."""

from __future__ import annotations

from imports.rules import base
from imports.rules import checks as c
from imports.rules.base import items, present
from imports.rules.parts._group import group

group(
    "AccountCampaign",
    ("campaign_name_and_slug_provided", c.both("campaign_name", "slug")),
    ("campaign_name_or_slug_not_provided", c.neither("campaign_name", "slug")),
    (
        "campaign_not_found",
        lambda n, ctx: any(
            present(n, key) and n[key] not in ctx.catalogue.campaigns for key in ("campaign_name", "slug")
        ),
    ),
    ("start_date_same_as_end_date", c.later("start_date", "expiry_date", strict=True)),
)
group("AccountConsent.signed_at", ("date_in_future", c.is_future))


def _portfolio_rules(schema):
    group(
        schema,
        (
            "portfolio_references_missing",
            lambda n, ctx: (
                present(n, "portfolio_settings")
                and not ctx.supplier.create_new_portfolios
                and not present(n, "portfolio_references")
            ),
        ),
        (
            "portfolio_references_provided",
            lambda n, ctx: ctx.supplier.create_new_portfolios and present(n, "portfolio_references"),
        ),
        (
            "duplicate_portfolio_references",
            lambda n, ctx: base.duplicates(
                r.get("namespace") for r in items(n, "portfolio_references") if isinstance(r, dict)
            ),
        ),
    )


_portfolio_rules("AccountPortfolio")
_portfolio_rules("BusinessPortfolio")
group(
    "AccountReference",
    (
        "reference_already_exists",
        lambda n, ctx: (n.get("namespace"), n.get("value")) in ctx.lookup.get("existing_references", ()),
    ),
)
group("AccountReference.namespace", ("invalid_reference_namespace", c.not_in("reference_namespaces")))
group(
    "EnergyAccount.account_campaigns",
    (
        "inconsistent_campaign_identifiers",
        lambda v, ctx, parent: (
            len({"slug" if present(x, "slug") else "name" for x in v if isinstance(x, dict)}) > 1
        ),
    ),
    (
        "duplicate_account_campaigns",
        lambda v, ctx, parent: base.duplicates(
            x.get("campaign_name") or x.get("slug") for x in v if isinstance(x, dict)
        ),
    ),
)
group(
    "EnergyAccount.billing_delivery_point_identifier",
    ("invalid_delivery_point_identifier", c.invalid_delivery_point),
)
group(
    "EnergyAccount.billing_email",
    ("internal_email_address", c.internal_email),
    ("billing_email_not_valid", lambda v, ctx, parent: "blackhole+" in str(v)),
)
group("EnergyAccount.billing_postcode", ("invalid_postcode", c.postcode_at("billing_postcode")))
group("EnergyAccount.company_number", ("invalid_company_number", c.company_number_at("company_number")))
for _consents in ("EnergyAccount.consents", "EnergyCustomer.consents"):
    group(
        _consents,
        ("field_not_enabled", lambda v, ctx, parent: bool(v) and not ctx.catalogue.consents_enabled),
        ("children_with_duplicate_values", c.duplicate_children("type")),
    )
group(
    "EnergyAccount.operations_team_name",
    ("operations_team_name_does_not_exist", c.not_in("operations_teams")),
)
group(
    "EnergyAccount.smart_read_cycle_day",
    ("invalid_day_of_month", lambda v, ctx, parent: not (isinstance(v, int) and 1 <= v <= 28)),
)
group(
    "EnergyAccountBillingOptions",
    (
        "account_billing_options_industry_billing_with_period_data",
        lambda n, ctx: (
            n.get("use_industry_billing") is True
            and (present(n, "period_start_day") or present(n, "period_length"))
        ),
    ),
    (
        "account_billing_options_period_data_required",
        lambda n, ctx: (
            n.get("use_industry_billing") is not True
            and not (present(n, "period_start_day") and present(n, "period_length"))
        ),
    ),
)
group(
    "EnergyTaxExemption",
    ("start_date_same_as_end_date", c.later("effective_from", "effective_to", strict=True)),
)
group(
    "Note",
    ("note_body_or_document_path_not_found", c.neither("body", "document_paths")),
    (
        "note_unpin_at_earlier_than_creation_date",
        lambda n, ctx: (
            present(n, "unpin_at")
            and present(n, "created_at")
            and (base.as_datetime(n["unpin_at"]) or 0) < (base.as_datetime(n["created_at"]) or 0)
        ),
    ),
)
group(
    "NoteDocument.document_path",
    ("path_does_not_exist_in_file_store", c.path_not_in_file_store),
    document=(base.ACCOUNT, base.NOTES),
)
