"""Rules on the people of an account: customers and business users (names, contact details, customer
details), priority services (PSR), complaints, property administrators. Checks return True when the rule fails."""

from __future__ import annotations

from imports.rules import base
from imports.rules import checks as c
from imports.rules import payload as p
from imports.rules.base import items, present
from imports.rules.parts._group import group


def _person_specs() -> list[tuple]:
    """The rules every person of an account (customer or business user) starts with."""
    return [
        ("customer_details_and_user_details_both_provided", c.both("details", "user_details")),
        (
            "contact_details_for_occupier",
            lambda n, ctx: (
                p.is_occupier(n) and any(present(n, key) for key in ("email", "mobile", "landline"))
            ),
        ),
        ("customer_may_not_be_named_the_occupier", lambda n, ctx: p.is_occupier(n)),
    ]


def _details_rules(schema):
    def not_registered(value, ctx, parent=None):
        return any(key not in ctx.catalogue.customer_detail_namespaces for key in _details(value))

    def wrong_type(value, ctx, parent=None):
        known = ctx.catalogue.customer_detail_namespaces
        return any(
            key in known and c.detail_type_mismatch(v, known[key]) for key, v in _details(value).items()
        )

    def failed(value, ctx, parent=None):
        return any(isinstance(v, str) and len(v) > 255 for v in _details(value).values())

    group(
        schema,
        ("customer_detail_failed_validation", failed),
        ("customer_detail_incorrect_value_type", wrong_type),
        ("customer_detail_not_registered", not_registered),
    )


def _exclusive_role_conflict(customer: dict, ctx) -> bool:
    """An exclusively-assignable role together with any other role: in the payload, or held by
    the user (the customer's email) already (`RuleContext.lookup["held_roles"]`)."""
    roles = {*(customer.get("account_roles") or []), *(customer.get("portfolio_roles") or [])}
    email = customer.get("email")
    if isinstance(email, str):
        roles |= ctx.lookup.get("held_roles", {}).get(email.lower(), set())
    roles = {role for role in roles if isinstance(role, str)}
    return bool(roles & ctx.catalogue.exclusive_user_roles) and len(roles) > 1


def _details(value) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {d.get("namespace"): d.get("value") for d in value if isinstance(d, dict)}
    return {}


def _required_namespaces(value, ctx, parent=None):
    return bool(ctx.catalogue.required_customer_detail_namespaces - set(_details(value)))


def _contact_rules(schema):
    """The rules on a person's details and contact fields (customer or business user)."""
    _details_rules(f"{schema}.details")
    group(
        f"{schema}.email",
        ("possible_test_email_address", c.test_email),
        ("internal_email_address", c.internal_email),
    )
    group(f"{schema}.landline", ("invalid_phone_number", c.invalid_phone))
    group(f"{schema}.mobile", ("invalid_phone_number", c.invalid_phone))
    group(f"{schema}.user_details", ("required_customer_details_namespace_missing", _required_namespaces))


group("BusinessUser", *_person_specs())
_contact_rules("BusinessUser")
group(
    "Complaint",
    (
        "invalid_complaint_type_or_subtype",
        lambda n, ctx: (
            n.get("type_of_complaint") not in ctx.catalogue.complaint_types
            or (
                present(n, "subtype_of_complaint")
                and n["subtype_of_complaint"] not in ctx.catalogue.complaint_types[n["type_of_complaint"]]
            )
        ),
    ),
    (
        "invalid_official_organization_or_status",
        lambda n, ctx: (
            present(n, "official_entity")
            and (
                n.get("official_status")
                not in ctx.catalogue.official_complaint_organisations.get(n["official_entity"], ())
            )
        ),
    ),
    (
        "official_complaint_field_missing",
        lambda n, ctx: any(present(n, k) for k in _OFFICIAL) and not all(present(n, k) for k in _OFFICIAL),
    ),
    (
        "chsr_letter_not_sent",
        lambda n, ctx: (
            n.get("has_eight_week_letter_been_sent") is True
            and n.get("has_chsr_letter_been_sent") is not True
        ),
    ),
)
_OFFICIAL = ("official_reference_number", "official_entity", "official_status")
group("Complaint.complainant_email", ("possible_test_email_address", c.test_email))
group(
    "ComplaintContact",
    (
        "invalid_complaint_source",
        lambda n, ctx: n.get("communication_source") not in ctx.catalogue.complaint_sources,
    ),
)
group("CustomerAlternativeNumber.phone_number", ("invalid_phone_number", c.invalid_phone))
group("CustomerConsent.signed_at", ("date_in_future", c.is_future))


def _user_detail(kind):
    known = lambda ctx: ctx.catalogue.customer_detail_namespaces  # noqa: E731
    return {
        "failed": lambda n, ctx: isinstance(n.get("value"), str) and len(n["value"]) > 255,
        "type": lambda n, ctx: (
            n.get("namespace") in known(ctx)
            and c.detail_type_mismatch(n.get("value"), known(ctx)[n["namespace"]])
        ),
        "registered": lambda n, ctx: n.get("namespace") not in known(ctx),
    }[kind]


group(
    "CustomerUserDetail",
    ("customer_detail_failed_validation", _user_detail("failed")),
    ("customer_detail_incorrect_value_type", _user_detail("type")),
    ("customer_detail_not_registered", _user_detail("registered")),
)
group(
    "EnergyAccount.customers",
    (
        "repeated_values_for_unique_customer_detail_namespace",
        lambda v, ctx, parent: any(
            base.duplicates(
                _details(x.get("details") or x.get("user_details")).get(ns)
                for x in v
                if isinstance(x, dict)
                and _details(x.get("details") or x.get("user_details")).get(ns) is not None
            )
            for ns in ctx.catalogue.unique_customer_detail_namespaces
        ),
    ),
)
group(
    "EnergyCustomer",
    *_person_specs(),
    (
        "metadata_has_duplicate_keys",
        lambda n, ctx: base.duplicates(m.get("key") for m in items(n, "metadata") if isinstance(m, dict)),
    ),
    ("required_user_role", lambda n, ctx: not (present(n, "portfolio_roles") or present(n, "account_roles"))),
    (
        "customer_has_exclusive_role_conflict",
        lambda n, ctx: _exclusive_role_conflict(n, ctx),
    ),
    ("fields_are_mutually_exclusive", c.both("customer_preferences", "consents")),
)
_contact_rules("EnergyCustomer")
group(
    "EnergyPSR",
    ("psr_industry_code_not_provided", c.neither("elec_industry_code", "gas_industry_code")),
    (
        "temporary_psr_does_not_have_end_date",
        lambda n, ctx: (
            "temporary" in str(n.get("additional_information") or "").lower()
            and not present(n, "effective_to")
        ),
    ),
)
group("EnergyPSR.description", ("psr_record_description_not_found", c.not_in("psr_descriptions")))
group(
    "EnergyPSR.elec_industry_code",
    (
        "electricity_psr_record_not_found",
        lambda v, ctx, parent: isinstance(v, str) and v.isdigit() and v not in ctx.catalogue.psr_elec_codes,
    ),
    ("psr_invalid_industry_code", c.not_matching(r"[0-9]{2}")),
)
group(
    "EnergyPSR.gas_industry_code",
    (
        "gas_psr_record_not_found",
        lambda v, ctx, parent: isinstance(v, str) and v.isdigit() and v not in ctx.catalogue.psr_gas_codes,
    ),
    ("psr_invalid_industry_code", c.not_matching(r"[0-9]{2}")),
)
group(
    "EnergySmartRefusalInterest",
    (
        "smart_refusal_reason_given_for_interest",
        lambda n, ctx: n.get("type") == "INTERESTED" and present(n, "refusal_reason"),
    ),
)
group("PropertyAdministrator", ("start_date_later_than_end_date", c.later("effective_from", "effective_to")))
group("PropertyAdministrator.landline", ("invalid_phone_number", c.invalid_phone))
group("PropertyAdministrator.mobile", ("invalid_phone_number", c.invalid_phone))
