"""Rules on the parts of an account payload (customers, supply points, meters, agreements, payments,
...): one `x-validators` location of the OpenAPI per group, plus the JP seed's `supply_point` and
`organisation_number` groups. Checks return True when the rule fails."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import date

from imports.rules import base
from imports.rules import checks as c
from imports.rules import payload as p
from imports.rules.base import as_date, as_decimal, items, present
from imports.rules.registry import REGISTRY

GB_AU = ("GB", "AU")
R = REGISTRY


def group(schema: str, *specs, territories=base.ALL_TERRITORIES, locations=None, document=base.ACCOUNT):
    return R.group(schema, territories=territories, locations=locations, document=document).rules(*specs)


TRANSACTION_DOCS = (base.ACCOUNT, base.TRANSACTIONS)


# --- account-level properties -----------------------------------------------------------------

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
        lambda n, ctx: (n.get("namespace"), n.get("reference")) in ctx.catalogue.existing_references,
    ),
)
group("AccountReference.namespace", ("invalid_reference_namespace", c.not_in("reference_namespaces")))
group(
    "Address",
    (
        "invalid_postcode",
        lambda n, ctx: (
            present(n, "postal_code")
            and n.get("country") == ctx.supplier.territory
            and c.invalid_postcode(n["postal_code"], ctx)
        ),
    ),
    (
        "invalid_address",
        lambda n, ctx: not (present(n, "street_address") or present(n, "structured_street_address")),
    ),
)
group("Address.delivery_point_identifier", ("invalid_delivery_point_identifier", c.invalid_delivery_point))
group(
    "AgreementIntermediaryDetails.portfolio_number",
    ("invalid_portfolio_number", c.not_matching(r"P-[A-Z0-9]{8}")),
)
group("BaseBusiness.company_number", ("invalid_company_number", c.invalid_company_number))
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


def _user_rules(schema):
    group(
        schema,
        ("customer_details_and_user_details_both_provided", c.both("details", "user_details")),
        (
            "contact_details_for_occupier",
            lambda n, ctx: (
                _is_occupier(n) and any(present(n, key) for key in ("email", "mobile", "landline"))
            ),
        ),
        ("customer_may_not_be_named_the_occupier", lambda n, ctx: _is_occupier(n)),
    )


def _is_occupier(person: dict) -> bool:
    name = f"{person.get('given_name') or ''} {person.get('family_name') or ''}".strip().lower()
    return name in {"the occupier", "occupier"}


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


def _details(value) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {d.get("namespace"): d.get("value") for d in value if isinstance(d, dict)}
    return {}


def _required_namespaces(value, ctx, parent=None):
    return bool(ctx.catalogue.required_customer_detail_namespaces - set(_details(value)))


_user_rules("BusinessUser")
_details_rules("BusinessUser.details")
group(
    "BusinessUser.email",
    ("possible_test_email_address", c.test_email),
    ("internal_email_address", c.internal_email),
)
group("BusinessUser.landline", ("invalid_phone_number", c.invalid_phone))
group("BusinessUser.mobile", ("invalid_phone_number", c.invalid_phone))
group("BusinessUser.user_details", ("required_customer_details_namespace_missing", _required_namespaces))
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
group("BusinessWithExistingContracts.company_number", ("invalid_company_number", c.invalid_company_number))
group(
    "BusinessWithExistingContracts.details", ("children_with_duplicate_values", c.duplicate_children("key"))
)
group(
    "Complaint",
    (
        "invalid_complaint_type_or_subtype",
        lambda n, ctx: (
            n.get("subtype_of_complaint")
            not in ctx.catalogue.complaint_types.get(n.get("type_of_complaint"), ())
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


def _contribution_periods(n):
    return [
        (as_date(x.get("start_date")), as_date(x.get("end_date")))
        for x in items(n, "periods")
        if isinstance(x, dict)
    ]


group(
    "ContributionSchemeAgreement",
    ("start_date_later_than_end_date", c.later("active_period_start_date", "active_period_end_date")),
    (
        "invalid_contribution_period_end_date",
        lambda n, ctx: (
            as_date(n.get("active_period_end_date")) is not None
            and any(end and end > as_date(n["active_period_end_date"]) for _, end in _contribution_periods(n))
        ),
    ),
    (
        "invalid_contribution_period_start_date",
        lambda n, ctx: any(
            start
            and as_date(n.get("active_period_start_date"))
            and start < as_date(n["active_period_start_date"])
            for start, _ in _contribution_periods(n)
        ),
    ),
    (
        "overlapping_contribution_periods",
        lambda n, ctx: c.overlapping("start_date", "end_date")(items(n, "periods"), ctx),
    ),
)
group("ContributionSchemeAgreement.scheme", ("invalid_contribution_scheme", c.not_in("contribution_schemes")))
group("ContributionSchemePeriod", ("start_date_later_than_end_date", c.later("start_date", "end_date")))
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
    "Debt",
    (
        "debt_collection_agency_does_not_exist",
        lambda n, ctx: (
            present(n, "agency_name") and n["agency_name"] not in ctx.catalogue.debt_collection_agencies
        ),
    ),
    (
        "debt_collection_agency_name_required",
        lambda n, ctx: present(n, "start_date") and not present(n, "agency_name"),
    ),
)
group(
    "Debt.cais_reference",
    (
        "cais_reference_already_in_use_on_another_account",
        lambda v, ctx, parent: v in ctx.catalogue.existing_cais_references,
    ),
    ("cais_references_not_supported", lambda v, ctx, parent: not ctx.catalogue.cais_references_supported),
)
group(
    "DepositAgreement",
    (
        "fulfilled_at_greater_than_last_interest_date",
        lambda n, ctx: (
            present(n, "fulfilled_at")
            and present(n, "last_interest_date")
            and as_date(n["fulfilled_at"]) > as_date(n["last_interest_date"])
        ),
    ),
    (
        "last_interest_date_not_allowed",
        lambda n, ctx: present(n, "last_interest_date") and not present(n, "fulfilled_at"),
    ),
)
group("DunningPath.start_date", ("date_in_past", c.is_past))
for _mpid_group in (
    "ElectricityAgentContractReference.agent_mpid",
    "ElectricityMeterPoint.dc_to_appoint",
    "ElectricityMeterPoint.mop_to_appoint",
    "ElectricityMeterPoint.mpid",
    "GasMeterPoint.mam_to_appoint",
    "GasMeterPoint.mpid",
    "GasMeterPoint.shipper_mpid",
):
    group(
        _mpid_group,
        ("market_participant_not_found", c.market_participant_missing),
        ("supply_type_not_recognised", c.market_participant_wrong_supply),
    )


# --- agreements ---------------------------------------------------------------------------------


def _agreement_rules(schema, utility):
    def invalid_period(n, ctx):
        return any(isinstance(o, dict) and not present(o, "rate_band") for o in items(n, "rate_overrides"))

    def band_missing(n, ctx):
        info = p.tariff(ctx, n.get("tariff_code"))
        return info is not None and any(
            isinstance(o, dict) and o.get("rate_band") and o["rate_band"] not in info.rate_bands
            for o in items(n, "rate_overrides")
        )

    def no_register(n, ctx):
        return any(
            isinstance(r, dict) and not (present(r, "register_id") or present(r, "rate_type"))
            for rate in items(n, "bespoke_tariff_rates")
            if isinstance(rate, dict)
            for r in items(rate, "registers")
        )

    def open_ended(n, ctx):
        info = p.tariff(ctx, n.get("tariff_code"))
        return info is not None and info.available_to is not None and not present(n, "effective_to")

    group(
        schema,
        ("start_date_later_than_end_date", c.later("effective_from", "effective_to")),
        ("invalid_period", invalid_period),
        ("rate_band_does_not_exist", band_missing),
        ("no_register_id_or_rate_type_provided_for_bespoke_elec_rate", no_register),
        ("open_ended_agreement_for_end_dated_product", open_ended),
    )
    group(
        f"{schema}.bespoke_tariff_rates",
        (
            "duplicate_bespoke_rates",
            lambda v, ctx, parent: base.duplicates(repr(sorted(r.items())) for r in v if isinstance(r, dict)),
        ),
    )
    group(f"{schema}.characteristics", ("children_with_duplicate_values", c.duplicate_children("code")))
    group(
        f"{schema}.tariff_code",
        (
            "tariff_code_not_found",
            lambda v, ctx, parent: p.tariff(ctx, v) is None or p.tariff(ctx, v).utility_type != utility,
        ),
    )


_agreement_rules("ElectricityAgreement", "ELECTRICITY")
_agreement_rules("GasAgreement", "GAS")
group(
    "ElectricityCapacityValue",
    ("start_date_later_than_end_date", c.later("effective_from_date", "effective_to_date")),
)
group(
    "ElectricityConfigurationPeriod",
    ("start_date_later_than_end_date", c.later("effective_from_date", "effective_to_date")),
)


# --- meters -------------------------------------------------------------------------------------

SMART_FIELDS = ("smart_commissioned_on", "smart_device_id", "smart_type")
PREPAY_FIELDS = ("prepay_customer_reference_number", "prepay_details")


def _register_ids(meter):
    return {r.get("register_id") for r in items(meter, "registers") if isinstance(r, dict)}


def _meter_rules(schema, *, electricity):
    specs = [
        (
            "smart_details_provided_for_non_smart_meter",
            lambda n, ctx: not present(n, "smart_type") and any(present(n, f) for f in SMART_FIELDS),
        ),
        (
            "prepay_details_on_non_prepay_meter",
            lambda n, ctx: n.get("is_prepay") is not True and any(present(n, f) for f in PREPAY_FIELDS),
        ),
    ]
    if electricity:
        specs += [
            (
                "electricity_prepay_meter_without_customer_reference_number",
                lambda n, ctx: (
                    n.get("is_prepay") is True
                    and not present(n, "removed_on")
                    and not present(n, "prepay_customer_reference_number")
                ),
            ),
            (
                "reading_register_id_not_recognised",
                lambda n, ctx: any(
                    isinstance(r, dict) and r.get("register_id") and r["register_id"] not in _register_ids(n)
                    for r in items(n, "transfer_readings")
                ),
            ),
            (
                "reading_without_register_id",
                lambda n, ctx: any(
                    isinstance(r, dict) and not present(r, "register_id")
                    for r in items(n, "transfer_readings")
                ),
            ),
            (
                "historical_reading_register_id_not_recognised",
                lambda n, ctx: any(
                    isinstance(r, dict) and r.get("register_id") and r["register_id"] not in _register_ids(n)
                    for r in items(n, "reading_history")
                ),
            ),
            (
                "no_register_id_for_reading",
                lambda n, ctx: any(
                    isinstance(r, dict) and not present(r, "register_id") for r in items(n, "reading_history")
                ),
            ),
        ]
    group(schema, *specs)
    fuel = "ELECTRICITY" if electricity else "GAS"

    def own_fuel(ctx, meter):
        return _meter_supply_type(ctx, meter) == fuel

    serial = SERIAL_PATTERNS[fuel]
    builder = R.group(f"{schema}.meter_serial_number")
    builder.parent_supply_type = None  # sees every meter: an unknown supply type is this rule's failure
    builder.rules(
        ("blank", lambda v, ctx, parent: own_fuel(ctx, parent) and not str(v).strip()),
        (
            "invalid_meter_serial_number",
            lambda v, ctx, parent: (
                own_fuel(ctx, parent) and bool(str(v).strip()) and serial.fullmatch(str(v)) is None
            ),
        ),
        (
            "supply_type_not_recognised",
            lambda v, ctx, parent: _meter_supply_type(ctx, parent) not in SERIAL_PATTERNS,
        ),
    )
    group(
        f"{schema}.prepay_customer_reference_number",
        ("invalid_prepay_customer_reference_number", c.not_matching(r"[0-9]{6,20}")),
    )
    group(f"{schema}.smart_commissioned_on", ("future_smart_meter_commission_date", c.is_future))
    group(
        f"{schema}.smart_device_id",
        ("invalid_smart_device_id", c.not_matching(r"([0-9A-F]{2}-){7}[0-9A-F]{2}")),
    )


SERIAL_PATTERNS = {"ELECTRICITY": re.compile(r"[A-Z0-9]{1,10}"), "GAS": re.compile(r"[A-Z0-9]{1,14}")}


def _meter_supply_type(ctx, meter):
    for mp in p.meter_points(ctx.root, ctx):
        if any(m is meter for m in items(mp, "meters")):
            return mp.get("supply_type")
    return None


_meter_rules("ElectricityMeter", electricity=True)
group(
    "ElectricityMeter.registers",
    (
        "registers_have_duplicate_tprs",
        lambda v, ctx, parent: base.duplicates(
            r.get("tpr")
            for r in v
            if isinstance(r, dict) and r.get("tpr") and r.get("is_settlement") is not False
        ),
    ),
)
_meter_rules("GasMeter", electricity=False)


# --- meter points -------------------------------------------------------------------------------


def _agreements_before_ssd(n, ctx):
    start = as_date(n.get("supply_start_date"))
    return start is not None and any(
        isinstance(ag, dict) and as_date(ag.get("effective_from")) and as_date(ag["effective_from"]) < start
        for ag in items(n, "agreements")
    )


def _shared_serials(n, ctx):
    serials = Counter(m.get("meter_serial_number") for m in items(n, "meters") if isinstance(m, dict))
    return any(count > 1 for count in serials.values()) and not all(
        present(m, "removed_on") or m is items(n, "meters")[-1]
        for m in items(n, "meters")
        if isinstance(m, dict)
    )


def _active_meters(n):
    return [m for m in items(n, "meters") if isinstance(m, dict) and not present(m, "removed_on")]


AGENT_FIELDS = ("dc_to_appoint", "da_to_appoint", "mop_to_appoint")
group(
    "ElectricityMeterPoint",
    ("start_date_later_than_end_date", c.later("supply_start_date", "supply_end_date")),
    ("agreement_start_date_before_supply_start_date", _agreements_before_ssd),
    ("multiple_non_dmex_meters_with_serial_number", _shared_serials),
    (
        "registers_missing_for_active_electricity_meter",
        lambda n, ctx: any(not items(m, "registers") for m in _active_meters(n)),
    ),
    (
        "registers_missing_for_active_electricity_meter",
        lambda n, ctx: (
            (n.get("measurement_class") or "A") != "HH"
            and any(
                isinstance(r, dict) and not present(r, "tpr")
                for m in _active_meters(n)
                for r in items(m, "registers")
            )
        ),
    ),
    (
        "agent_contract_reference_does_not_exist",
        lambda n, ctx: any(
            isinstance(ref, dict) and present(ref, "agent_mpid") and not present(ref, "contract_reference")
            for ref in (n.get("agents") or {}).values()
        ),
    ),
    (
        "multiple_active_agent_contract_references",
        lambda n, ctx: base.duplicates(
            ref.get("contract_reference")
            for ref in (n.get("agents") or {}).values()
            if isinstance(ref, dict) and ref.get("contract_reference")
        ),
    ),
    (
        "agents_and_mpids_to_appoint_provided",
        lambda n, ctx: present(n, "agents") and any(present(n, f) for f in AGENT_FIELDS),
    ),
    territories=GB_AU,
)
group(
    "ElectricityMeterPoint.capacity_values",
    ("gaps_or_overlaps_in_periods", c.gaps_or_overlaps("effective_from_date", "effective_to_date")),
    ("zero_length_periods", c.zero_length("effective_from_date", "effective_to_date")),
)
for _mp in ("ElectricityMeterPoint", "GasMeterPoint"):
    group(
        f"{_mp}.ccl_exemptions",
        ("multiple_open_ended_tax_exemptions", c.multiple_open_ended("effective_to")),
        ("overlapping_effective_dates_for_tax_exemptions", c.overlapping("effective_from", "effective_to")),
    )
group(
    "ElectricityMeterPoint.configuration_periods",
    ("gaps_or_overlaps_in_periods", c.gaps_or_overlaps("effective_from_date", "effective_to_date")),
    ("zero_length_periods", c.zero_length("effective_from_date", "effective_to_date")),
    (
        "configuration_period_starts_in_future",
        lambda v, ctx, parent: any(
            isinstance(x, dict) and (as_date(x.get("effective_from_date")) or date.min) > ctx.today for x in v
        ),
    ),
    (
        "latest_configuration_period_not_open_ended",
        lambda v, ctx, parent: (
            bool(v)
            and present(
                max(
                    (x for x in v if isinstance(x, dict)),
                    key=lambda x: as_date(x.get("effective_from_date")) or date.min,
                ),
                "effective_to_date",
            )
        ),
    ),
)
for _mp in ("ElectricityMeterPoint", "GasMeterPoint"):
    group(f"{_mp}.dr_in_progress", ("disputed_read_in_progress", lambda v, ctx, parent: v is True))
    group(f"{_mp}.et_in_progress", ("erroneous_transfer_not_in_progress", lambda v, ctx, parent: v is True))
    group(f"{_mp}.identifier", ("invalid_supply_point_identifier", c.invalid_supply_point_identifier))
    group(
        f"{_mp}.vat_exemptions",
        ("multiple_open_ended_tax_exemptions", c.multiple_open_ended("effective_to")),
        ("overlapping_effective_dates_for_tax_exemptions", c.overlapping("effective_from", "effective_to")),
    )
group(
    "ElectricityMeterPoint.eac_history",
    ("repeated_eac_for_tpr", c.duplicate_children("effective_from", "tpr")),
)
group(
    "ElectricityMeterPoint.meters",
    (
        "meter_with_duplicate_register_ids",
        lambda v, ctx, parent: any(
            base.duplicates(r.get("register_id") for r in items(m, "registers") if isinstance(r, dict))
            for m in v
            if isinstance(m, dict)
        ),
    ),
)
group("ElectricityRegister.tpr", ("tpr_not_found", c.not_matching(r"[0-9]{5}")))
group(
    "GasMeterPoint",
    ("start_date_later_than_end_date", c.later("supply_start_date", "supply_end_date")),
    ("agreement_start_date_before_supply_start_date", _agreements_before_ssd),
    ("multiple_non_dmex_meters_with_serial_number", _shared_serials),
    territories=GB_AU,
)
group(
    "GasMeterPoint.aq_history",
    ("multiple_open_ended_aqs_in_meterpoint_aq_history", c.multiple_open_ended("effective_to")),
    ("gaps_or_overlaps_in_aq_history", c.gaps_or_overlaps("effective_from", "effective_to", step_days=1)),
)
group("GasAnnualQuantity", ("start_date_later_than_end_date", c.later("effective_from", "effective_to")))


def _supply_point_agreements(n):
    return [ag for ag in items(n, "agreements") if isinstance(ag, dict)]


def _exactly_one_active(n, ctx):
    start, end = as_date(n.get("supply_start_date")), as_date(n.get("supply_end_date"))
    if start is None or start > ctx.today or (end is not None and end < ctx.today):
        return False
    return sum(1 for ag in _supply_point_agreements(n) if p.covers(ag, ctx.today)) != 1


def _future_agreement(n, ctx):
    start = as_date(n.get("supply_start_date"))
    if start is None or start <= ctx.today:
        return False
    return [p.agreement_period(ag)[0] for ag in _supply_point_agreements(n)].count(start) != 1


def _supply_details(n):
    return [d for d in items(n, "supply_details") if isinstance(d, dict)]


group(
    "supply_point",
    ("start_date_later_than_end_date", c.later("supply_start_date", "supply_end_date")),
    ("agreement_start_date_before_supply_start_date", _agreements_before_ssd),
    ("exactly_one_active_agreement_required", _exactly_one_active),
    ("future_agreement_required", _future_agreement),
    (
        "multiple_gas_supply_details_not_allowed",
        lambda n, ctx: n.get("supply_type") == "GAS" and len(_supply_details(n)) > 1,
    ),
    (
        "supply_details_must_be_before_last_billed_to_date",
        lambda n, ctx: (
            as_date(n.get("last_billed_to_date")) is not None
            and any(
                (as_date(d.get("valid_from_date")) or date.min) > as_date(n["last_billed_to_date"])
                for d in _supply_details(n)
            )
        ),
    ),
    (
        "mismatched_supply_details_for_supply_type",
        lambda n, ctx: any(
            d.get("supply_type") and d["supply_type"] != n.get("supply_type") for d in _supply_details(n)
        ),
    ),
    (
        "missing_supply_details_for_supply_type",
        lambda n, ctx: "supply_details" in n and not _supply_details(n),
    ),
    (
        "invalid_spin_for_market",
        lambda n, ctx: c.invalid_supply_point_identifier(n.get("identifier"), ctx, n),
    ),
    territories=("JP",),
    locations=("supply_addresses[].meter_points[]",),
)
group(
    "organisation_number",
    ("partner_organisation_does_not_exist", c.not_in("partner_organisations")),
    territories=("JP",),
    locations=("partner_organisations[]",),
)
R.rules[-1] = dataclasses.replace(R.rules[-1], field="organisation_number")


# --- account properties ---------------------------------------------------------------------------

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
group("EnergyAccount.billing_postcode", ("invalid_postcode", c.invalid_postcode))
group("EnergyAccount.company_number", ("invalid_company_number", c.invalid_company_number))
for _consents in ("EnergyAccount.consents", "EnergyCustomer.consents"):
    group(
        _consents,
        ("field_not_enabled", lambda v, ctx, parent: bool(v) and not ctx.catalogue.consents_enabled),
        ("children_with_duplicate_values", c.duplicate_children("type")),
    )
group(
    "EnergyAccount.contribution_agreements",
    (
        "overlapping_contribution_agreements",
        lambda v, ctx, parent: any(
            c.overlapping("active_period_start_date", "active_period_end_date")(
                [x for x in v if isinstance(x, dict) and x.get("scheme") == scheme], ctx
            )
            for scheme in {x.get("scheme") for x in v if isinstance(x, dict)}
        ),
    ),
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
    "EnergyAccount.deposit_agreements",
    (
        "multiple_active_deposits_not_allowed",
        lambda v, ctx, parent: (
            sum(1 for x in v if isinstance(x, dict) and not present(x, "fulfilled_at"))
            > ctx.catalogue.max_active_deposits
        ),
    ),
)
group(
    "EnergyAccount.dunning_path",
    (
        "dunning_path_not_found",
        lambda v, ctx, parent: (v or {}).get("path_name") not in ctx.catalogue.dunning_paths,
    ),
)
group("EnergyAccount.last_payment_review_date", ("last_payment_review_date_is_future_dated", c.is_future))
group(
    "EnergyAccount.operations_team_name",
    ("operations_team_name_does_not_exist", c.not_in("operations_teams")),
)
group(
    "EnergyAccount.payment_instructions",
    (
        "payment_instructions_ledger_code_uniformity_failed",
        lambda v, ctx, parent: len({present(x, "ledger_code") for x in v if isinstance(x, dict)}) > 1,
    ),
)


def _schedules_by_ledger(v):
    grouped: dict = {}
    for x in v:
        if isinstance(x, dict) and not x.get("is_debt_repayment_plan"):
            grouped.setdefault(x.get("ledger_code"), []).append(x)
    return grouped.values()


group(
    "EnergyAccount.payment_schedules",
    (
        "payment_schedules_ledger_code_uniformity_failed",
        lambda v, ctx, parent: len({present(x, "ledger_code") for x in v if isinstance(x, dict)}) > 1,
    ),
    (
        "multiple_open_ended_payment_schedules",
        lambda v, ctx, parent: any(
            c.multiple_open_ended("end_date")(g, ctx) for g in _schedules_by_ledger(v)
        ),
    ),
    (
        "payment_schedule_date_overlaps",
        lambda v, ctx, parent: any(
            c.overlapping("start_date", "end_date")([x for x in g if present(x, "end_date")], ctx)
            for g in _schedules_by_ledger(v)
        ),
    ),
    (
        "payment_schedule_date_overlaps",
        lambda v, ctx, parent: any(
            c.overlapping("start_date", "end_date")(g, ctx) for g in _schedules_by_ledger(v)
        ),
    ),
    (
        "payment_schedule_date_gaps",
        lambda v, ctx, parent: any(_future_gap(g, ctx) for g in _schedules_by_ledger(v)),
    ),
)


def _future_gap(schedules, ctx):
    periods = sorted(
        (as_date(x.get("start_date")) or date.min, as_date(x.get("end_date"))) for x in schedules
    )
    return any(
        next_start > ctx.today and previous_end is not None and next_start > previous_end
        for (_, previous_end), (next_start, _) in zip(periods, periods[1:], strict=False)
    )


group(
    "EnergyAccount.smart_read_cycle_day",
    ("invalid_day_of_month", lambda v, ctx, parent: not (isinstance(v, int) and 1 <= v <= 28)),
)


def _mpxns(address):
    return [mp.get("identifier") for mp in items(address, "meter_points") if isinstance(mp, dict)]


def _exchanged(v):
    return [
        (mp, m)
        for a in v
        if isinstance(a, dict)
        for mp in items(a, "meter_points")
        if isinstance(mp, dict)
        for m in items(mp, "meters")
        if isinstance(m, dict) and present(m, "removed_on")
    ]


def _reading_dates(meter, key):
    return {as_date(r.get("reading_date")) for r in items(meter, key) if isinstance(r, dict)}


group(
    "EnergyAccount.supply_addresses",
    (
        "duplicate_meter_points_on_different_supply_addresses_provided",
        lambda v, ctx, parent: base.duplicates(m for a in v if isinstance(a, dict) for m in set(_mpxns(a))),
    ),
    (
        "supply_points_provided_while_skip_supply_point_creation_enabled",
        lambda v, ctx, parent: (
            ctx.supplier.skip_supply_point_creation and any(_mpxns(a) for a in v if isinstance(a, dict))
        ),
    ),
    (
        "supply_points_not_provided_while_skip_supply_point_creation_disabled",
        lambda v, ctx, parent: (
            not ctx.supplier.skip_supply_point_creation
            and any(not _mpxns(a) for a in v if isinstance(a, dict))
        ),
    ),
    (
        "supply_addresses_provided_while_skip_property_creation_enabled",
        lambda v, ctx, parent: ctx.supplier.skip_property_creation and bool(v),
    ),
    (
        "duplicate_supply_addresses_found",
        lambda v, ctx, parent: base.duplicates(
            (a.get("supply_address1"), a.get("supply_postcode")) for a in v if isinstance(a, dict)
        ),
    ),
    (
        "no_reading_on_removed_on",
        lambda v, ctx, parent: any(
            as_date(m["removed_on"])
            not in _reading_dates(m, "reading_history") | _reading_dates(m, "transfer_readings")
            for _, m in _exchanged(v)
        ),
    ),
    (
        "no_transfer_reading_on_exchanged_meter",
        lambda v, ctx, parent: any(not items(m, "transfer_readings") for _, m in _exchanged(v)),
    ),
    (
        "last_billed_to_date_on_new_meter",
        lambda v, ctx, parent: any(
            present(m, "last_billed_to_date")
            for mp, _ in _exchanged(v)
            for m in items(mp, "meters")
            if isinstance(m, dict) and not present(m, "removed_on") and mp.get("supply_type") == "GAS"
        ),
    ),
    (
        "no_last_billed_to_date_on_exchanged_meter",
        lambda v, ctx, parent: any(
            mp.get("supply_type") == "GAS"
            and not present(m, "last_billed_to_date")
            and not present(mp, "last_billed_to_date")
            for mp, m in _exchanged(v)
        ),
    ),
    (
        "loss_in_progress",
        lambda v, ctx, parent: any(
            isinstance(mp, dict)
            and mp.get("loss_in_progress") is True
            or (isinstance(mp, dict) and (as_date(mp.get("supply_end_date")) or date.min) > ctx.today)
            for a in v
            if isinstance(a, dict)
            for mp in items(a, "meter_points")
        ),
    ),
    (
        "agents_supplied_for_non_on_market_switch",
        lambda v, ctx, parent: (
            not ctx.supplier.send_registration_flows
            and any(
                isinstance(mp, dict)
                and (present(mp, "agents") or any(present(mp, f) for f in (*AGENT_FIELDS, "mam_to_appoint")))
                for a in v
                if isinstance(a, dict)
                for mp in items(a, "meter_points")
            )
        ),
    ),
    (
        "import_meter_not_found_for_export_meter",
        lambda v, ctx, parent: any(
            isinstance(mp, dict)
            and mp.get("export_type")
            and sum(
                1
                for a2 in v
                if isinstance(a2, dict)
                for mp2 in items(a2, "meter_points")
                if isinstance(mp2, dict)
                and {m.get("meter_serial_number") for m in items(mp2, "meters") if isinstance(m, dict)}
                & {m.get("meter_serial_number") for m in items(mp, "meters") if isinstance(m, dict)}
            )
            != 2
            for a in v
            if isinstance(a, dict)
            for mp in items(a, "meter_points")
        ),
    ),
    (
        "unexpected_number_of_meter_points_found_for_meter",
        lambda v, ctx, parent: any(
            count > 2
            for count in Counter(
                m.get("meter_serial_number")
                for a in v
                if isinstance(a, dict)
                for mp in items(a, "meter_points")
                if isinstance(mp, dict)
                for m in {id(x): x for x in items(mp, "meters") if isinstance(x, dict)}.values()
            ).values()
        ),
    ),
    (
        "billed_reading_after_last_billed_to_date",
        lambda v, ctx, parent: any(
            isinstance(r, dict)
            and r.get("billed") is True
            and p.last_billed_to(ctx.root, mp)
            and (as_date(r.get("reading_date")) or date.min) > p.last_billed_to(ctx.root, mp)
            for a in v
            if isinstance(a, dict)
            for mp in items(a, "meter_points")
            if isinstance(mp, dict)
            for m in items(mp, "meters")
            if isinstance(m, dict)
            for r in items(m, "reading_history")
        ),
    ),
    (
        "transfer_reading_dates_must_match_last_billed_to_date",
        lambda v, ctx, parent: any(
            isinstance(r, dict)
            and p.last_billed_to(ctx.root, mp)
            and as_date(r.get("reading_date")) != p.last_billed_to(ctx.root, mp)
            for a in v
            if isinstance(a, dict)
            for mp in items(a, "meter_points")
            if isinstance(mp, dict)
            for m in items(mp, "meters")
            if isinstance(m, dict) and not present(m, "removed_on")
            for r in items(m, "transfer_readings")
        ),
    ),
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
group("EnergyAddress.postcode", ("invalid_postcode", c.invalid_postcode))
for _transaction in (
    "EnergyCharge",
    "EnergyCredit",
    "EnergyPayment",
    "EnergyRepayment",
    "EnergySupplyCharge",
):
    group(
        f"{_transaction}.transaction_date", ("transaction_in_future", c.is_future), document=TRANSACTION_DOCS
    )
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


# --- people -------------------------------------------------------------------------------------

_user_rules_customer = [
    ("customer_details_and_user_details_both_provided", c.both("details", "user_details")),
    (
        "contact_details_for_occupier",
        lambda n, ctx: _is_occupier(n) and any(present(n, k) for k in ("email", "mobile", "landline")),
    ),
    ("customer_may_not_be_named_the_occupier", lambda n, ctx: _is_occupier(n)),
    (
        "metadata_has_duplicate_keys",
        lambda n, ctx: base.duplicates(m.get("key") for m in items(n, "metadata") if isinstance(m, dict)),
    ),
    ("required_user_role", lambda n, ctx: not (present(n, "portfolio_roles") or present(n, "account_roles"))),
    (
        "customer_has_exclusive_role_conflict",
        lambda n, ctx: (
            bool(set(n.get("account_roles") or []) & ctx.catalogue.exclusive_user_roles)
            and len(set(n.get("account_roles") or []) | set(n.get("portfolio_roles") or [])) > 1
        ),
    ),
    ("fields_are_mutually_exclusive", c.both("customer_preferences", "consents")),
]
group("EnergyCustomer", *_user_rules_customer)
_details_rules("EnergyCustomer.details")
group(
    "EnergyCustomer.email",
    ("possible_test_email_address", c.test_email),
    ("internal_email_address", c.internal_email),
)
group("EnergyCustomer.landline", ("invalid_phone_number", c.invalid_phone))
group("EnergyCustomer.mobile", ("invalid_phone_number", c.invalid_phone))
group("EnergyCustomer.user_details", ("required_customer_details_namespace_missing", _required_namespaces))
group(
    "EnergyFit",
    (
        "payment_instruction_details_incomplete",
        lambda n, ctx: (
            n.get("payment_method") == "BACS"
            and not (present(n, "vendor_name") and present(n, "instruction_reference"))
        ),
    ),
)
group(
    "EnergyLegacySupplyAddress",
    (
        "invalid_address",
        lambda n, ctx: not present(n, "supply_address1") or not present(n, "supply_postcode"),
    ),
    (
        "both_landlord_details_and_property_administrators_provided",
        lambda n, ctx: n.get("is_landlord") is True and present(n, "property_administrators"),
    ),
    ("multiple_property_administrators", lambda n, ctx: len(items(n, "property_administrators")) > 1),
)
group(
    "EnergyLegacySupplyAddress.meter_points",
    (
        "duplicate_meter_points_provided",
        lambda v, ctx, parent: base.duplicates(mp.get("identifier") for mp in v if isinstance(mp, dict)),
    ),
)
group(
    "EnergyLegacySupplyAddress.supply_delivery_point_identifier",
    ("invalid_delivery_point_identifier", c.invalid_delivery_point),
)
group("EnergyLegacySupplyAddress.supply_postcode", ("invalid_postcode", c.invalid_postcode))
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


# --- transactions -------------------------------------------------------------------------------


def _line_total(n):
    return sum(p.amount(li.get("net_amount")) for li in items(n, "line_items") if isinstance(li, dict))


def _supply_charge_rate_bands(n, ctx):
    """Normaliser: upper-case line item rate bands so they match product bands."""
    for li in items(n, "line_items"):
        if isinstance(li, dict) and isinstance(li.get("rate_band"), str):
            li["rate_band"] = li["rate_band"].upper()
    return False


def _supply_charge_price(n, ctx):
    """Normaliser: a line item without a price per unit takes net amount / units."""
    for li in items(n, "line_items"):
        units, net = as_decimal(li.get("number_of_units")) if isinstance(li, dict) else None, None
        if isinstance(li, dict) and not present(li, "price_per_unit") and units:
            net = as_decimal(li.get("net_amount"))
            if net is not None:
                li["price_per_unit"] = str(net / units)
    return False


def _supply_charge_units(n, ctx):
    """Normaliser: standing charge units default to the number of days in the line's period."""
    for li in items(n, "line_items"):
        if isinstance(li, dict) and li.get("rate_band") == "STANDING" and not present(li, "number_of_units"):
            start, end = as_date(li.get("start_date")), as_date(li.get("end_date"))
            if start and end:
                li["number_of_units"] = str((end - start).days + 1)
    return False


def _line_items_overlap(n, ctx):
    periods = sorted(
        (
            as_date(li.get("start_date")) or date.min,
            as_date(li.get("end_date")) or date.max,
            li.get("rate_band"),
        )
        for li in items(n, "line_items")
        if isinstance(li, dict)
    )
    return any(a[2] == b[2] and b[0] <= a[1] for a, b in zip(periods, periods[1:], strict=False))


group(
    "EnergySupplyCharge",
    (None, _supply_charge_rate_bands),
    (None, _supply_charge_price),
    (None, _supply_charge_units),
    (
        "ledger_transaction_amount_does_not_match_with_line_item_net_amount_and_tax_amount",
        lambda n, ctx: (
            _line_total(n)
            + sum(p.amount(t.get("amount")) for t in items(n, "tax_items") if isinstance(t, dict))
            != p.amount(n.get("amount"))
        ),
    ),
    (
        "supply_point_identifier_required_for_rate_specification_code",
        lambda n, ctx: (
            any(
                isinstance(li, dict) and present(li, "rate_specification_code")
                for li in items(n, "line_items")
            )
            and not present(n, "supply_point_identifier")
        ),
    ),
    ("line_items_overlap_already_charged_period", _line_items_overlap),
    document=TRANSACTION_DOCS,
)
group(
    "EnergySupplyCharge.product_code",
    ("product_code_does_not_exist", lambda v, ctx, parent: v not in ctx.catalogue.products),
    document=TRANSACTION_DOCS,
)
group(
    "EnergyTaxExemption",
    ("start_date_same_as_end_date", c.later("effective_from", "effective_to", strict=True)),
)
group(
    "EnergyWarmHomeDiscount.tax_year",
    (
        "incorrect_format_for_tax_year",
        lambda v, ctx, parent: (
            not (
                isinstance(v, str)
                and re.fullmatch(r"[0-9]{4}/[0-9]{2}", v)
                and int(v[2:4]) + 1 == int(v[5:7]) % 100 + (100 if v[5:7] == "00" else 0)
            )
        ),
    ),
)
group("Ledger.ledger_code", ("ledger_code_does_not_exist", c.not_in("ledger_codes")))
group(
    "LineItem",
    ("start_date_later_than_end_date", c.later("start_date", "end_date")),
    (
        "incorrect_line_item_net_amount",
        lambda n, ctx: (
            present(n, "price_per_unit")
            and as_decimal(n.get("number_of_units")) is not None
            and as_decimal(n.get("net_amount")) is not None
            and abs(
                as_decimal(n["price_per_unit"]) * as_decimal(n["number_of_units"])
                - as_decimal(n["net_amount"])
            )
            > as_decimal("0.01")
        ),
    ),
    (
        "conflicting_rate_band_specification",
        lambda n, ctx: (
            sum(
                present(n, k)
                for k in ("rate_band", "rate_specification_code", "time_series_specification_code")
            )
            > 1
        ),
    ),
    document=TRANSACTION_DOCS,
)
group(
    "LineItem.units",
    ("line_item_units_must_be_two_values", lambda v, ctx, parent: len(v) != 2),
    document=TRANSACTION_DOCS,
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
    ("path_does_not_exist_in_file_store", c.not_in("file_store_paths")),
    document=(base.ACCOUNT, base.NOTES),
)
group("PartnerOrganisation", ("start_date_later_than_end_date", c.later("valid_from", "valid_to")))
group(
    "PartnerOrganisation.organisation_number",
    ("partner_organisation_does_not_exist", c.not_in("partner_organisations")),
    territories=GB_AU,
)


# --- payments -----------------------------------------------------------------------------------

group(
    "PaymentAdequacyChange",
    (
        "payment_adequacy_invalid_dates",
        lambda n, ctx: (
            present(n, "applied_at")
            and (base.as_datetime(n["applied_at"]) or 0) < (base.as_datetime(n.get("created_at")) or 0)
        ),
    ),
    (
        "payment_adequacy_missing_reason",
        lambda n, ctx: not present(n, "applied_at") and not present(n, "should_not_be_applied_reason"),
    ),
    (
        "payment_adequacy_should_not_have_been_applied",
        lambda n, ctx: present(n, "applied_at") and present(n, "should_not_be_applied_reason"),
    ),
    (
        "payment_adequacy_monthly_charges_unequal",
        lambda n, ctx: (
            (n.get("average_monthly_charge") or 0)
            != (n.get("average_monthly_elec_charge") or 0) + (n.get("average_monthly_gas_charge") or 0)
        ),
    ),
    (
        "payment_adequacy_balance_adjustment_mismatch",
        lambda n, ctx: (
            (n.get("balance_adjustment") or 0) != 0
            and round(((n.get("target_balance") or 0) - (n.get("current_balance") or 0)) / 12)
            != n.get("balance_adjustment")
        ),
    ),
    (
        "payment_adequacy_new_direct_debit_amount_mismatch",
        lambda n, ctx: (
            not (
                min(n.get("existing_direct_debit_payment") or 0, _max_dd(n))
                <= (n.get("new_direct_debit") or 0)
                <= max(n.get("existing_direct_debit_payment") or 0, _max_dd(n))
            )
        ),
    ),
)


def _max_dd(n):
    return (n.get("average_monthly_charge") or 0) + (n.get("balance_adjustment") or 0)


group("PaymentAdequacyChange.applied_at", ("payment_adequacy_invalid_dates", c.is_future))
group("PaymentAdequacyChange.created_at", ("payment_adequacy_invalid_dates", c.is_future))
group(
    "PaymentInstruction",
    (
        "incomplete_payments_not_enabled",
        lambda n, ctx: n.get("type") == "CUSTOM" and not ctx.catalogue.incomplete_payments_enabled,
    ),
)
group("PaymentInstruction.ledger_code", ("ledger_code_does_not_exist", c.not_in("ledger_codes")))
group(
    "PaymentPlan.payments",
    (
        "duplicate_payment_component_combinations",
        lambda v, ctx, parent: base.duplicates(
            (x.get("payment_date"), comp.get("component_type"))
            for x in v
            if isinstance(x, dict)
            for comp in items(x, "amount_components")
            if isinstance(comp, dict)
        ),
    ),
)
group(
    "PaymentPlan.strategy_name", ("payment_plan_strategy_does_not_exist", c.not_in("payment_plan_strategies"))
)
group(
    "PaymentPlanPayment",
    (
        "payment_plan_payment_components_do_not_sum_to_total",
        lambda n, ctx: (
            sum(comp.get("amount") or 0 for comp in items(n, "amount_components") if isinstance(comp, dict))
            != n.get("total_amount")
        ),
    ),
)


def _is_fixed(n):
    return n.get("trigger") in (None, "REGULAR", "FIXED") and n.get("means") != "MANUAL"


def _instalments(n):
    return [x for x in items(n, "instalments") if isinstance(x, dict)]


group(
    "PaymentSchedule",
    ("start_date_later_than_end_date", c.later("start_date", "end_date")),
    (
        "zero_payment_schedule_amount",
        lambda n, ctx: _is_fixed(n) and present(n, "amount") and as_decimal(n["amount"]) == 0,
    ),
    (
        "fixed_payment_schedule_missing_frequency",
        lambda n, ctx: _is_fixed(n) and present(n, "amount") and not present(n, "frequency"),
    ),
    (
        "balance_triggered_schedule_missing_threshold",
        lambda n, ctx: n.get("trigger") == "BALANCE" and not present(n, "balance_threshold"),
    ),
    (
        "debt_repayment_missing_end_date",
        lambda n, ctx: present(n, "debt_repayment_element") and not present(n, "debt_repayment_end_date"),
    ),
    (
        "debt_repayment_end_date_after_schedule_end_date",
        lambda n, ctx: (
            present(n, "debt_repayment_end_date")
            and present(n, "end_date")
            and as_date(n["debt_repayment_end_date"]) > as_date(n["end_date"])
        ),
    ),
    (
        "invalid_payment_schedule_to_exempt_from_payment_adequacy",
        lambda n, ctx: (
            n.get("exempt_from_payment_adequacy") is True and n.get("trigger") not in (None, "REGULAR")
        ),
    ),
    (
        "fixed_payment_schedule_missing_day_of_month",
        lambda n, ctx: _is_fixed(n) and n.get("frequency") == "MONTHLY" and not present(n, "day_of_month"),
    ),
    ("payment_instalments_not_provided", lambda n, ctx: n.get("trigger") == "PLAN" and not _instalments(n)),
    (
        "payment_instalments_do_not_sum_to_total",
        lambda n, ctx: (
            bool(_instalments(n))
            and present(n, "amount")
            and sum(p.amount(x.get("amount")) for x in _instalments(n)) != p.amount(n["amount"])
        ),
    ),
    (
        "payment_instalments_date_outside_of_payment_schedule_active_period",
        lambda n, ctx: any(
            (as_date(x.get("payment_date")) or date.min) < (as_date(n.get("start_date")) or date.min)
            or (
                present(n, "end_date")
                and (as_date(x.get("payment_date")) or date.min) > as_date(n["end_date"])
            )
            for x in _instalments(n)
        ),
    ),
    (
        "payment_schedule_delay_must_have_bill_trigger",
        lambda n, ctx: present(n, "delay_strategy") and n.get("trigger") != "BILL",
    ),
    (
        "payment_schedule_delay_strategy_missing_delay_days",
        lambda n, ctx: present(n, "delay_strategy") and n.get("delay_days") is None,
    ),
    (
        "fixed_payment_schedule_amount_out_of_range",
        lambda n, ctx: (
            _is_fixed(n)
            and present(n, "amount")
            and as_decimal(n["amount"]) != 0
            and not (
                ctx.catalogue.fixed_payment_amount_range[0]
                <= as_decimal(n["amount"])
                <= ctx.catalogue.fixed_payment_amount_range[1]
            )
        ),
    ),
    (
        "standalone_payment_request_method_code_unexpected",
        lambda n, ctx: present(n, "standalone_payment_request_method_code") and n.get("means") != "MANUAL",
    ),
    (
        "standalone_payment_request_method_code_invalid",
        lambda n, ctx: (
            present(n, "standalone_payment_request_method_code")
            and n["standalone_payment_request_method_code"]
            not in ctx.catalogue.standalone_payment_request_methods
        ),
    ),
)
group(
    "PaymentSchedule.day_of_month",
    (
        "invalid_payment_day_for_payment_schedule",
        lambda v, ctx, parent: (
            not (ctx.catalogue.payment_day_range[0] <= v <= ctx.catalogue.payment_day_range[1])
        ),
    ),
)
group(
    "PaymentSchedule.instalments",
    ("children_with_duplicate_values", c.duplicate_children("payment_date", "payment_type")),
)
group("PaymentSchedule.ledger_code", ("ledger_code_does_not_exist", c.not_in("ledger_codes")))
group(
    "ProductCharacteristic",
    ("characteristic_code_not_found", lambda n, ctx: n.get("code") not in ctx.catalogue.characteristics),
    (
        "invalid_characteristic_value",
        lambda n, ctx: (
            ctx.catalogue.characteristics.get(n.get("code")) is not None
            and n.get("value") not in ctx.catalogue.characteristics[n["code"]]
        ),
    ),
)
group("PropertyAdministrator", ("start_date_later_than_end_date", c.later("effective_from", "effective_to")))
group("PropertyAdministrator.landline", ("invalid_phone_number", c.invalid_phone))
group("PropertyAdministrator.mobile", ("invalid_phone_number", c.invalid_phone))
group(
    "Statement",
    ("missing_statement_path_or_pdf_context", c.neither("statement_path", "pdf_context")),
    ("received_statement_path_and_pdf_context", c.both("statement_path", "pdf_context")),
    document=(base.ACCOUNT, base.HISTORICAL_STATEMENTS),
)
group(
    "Statement.statement_path",
    ("path_does_not_exist_in_file_store", c.not_in("file_store_paths")),
    document=(base.ACCOUNT, base.HISTORICAL_STATEMENTS),
)
