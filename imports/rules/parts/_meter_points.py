"""Rules on meter points (GB electricity and gas, the JP seed's `supply_point`): market participants,
agents, periods, tax exemptions, EACs and AQs. Checks return True when the rule fails."""

from __future__ import annotations

from datetime import date, timedelta

from imports.rules import base
from imports.rules import checks as c
from imports.rules import payload as p
from imports.rules.base import as_date, items, present
from imports.rules.parts._group import GB_AU, group

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


def _agreements_before_ssd(n, ctx):
    start = as_date(n.get("supply_start_date"))
    return start is not None and any(
        isinstance(ag, dict) and as_date(ag.get("effective_from")) and as_date(ag["effective_from"]) < start
        for ag in items(n, "agreements")
    )


def _shared_serials(n, ctx):
    """Meters sharing a serial number must be dummy meter exchanges: each one installed the day
    after the one before it (same serial) was removed."""
    by_serial: dict = {}
    for meter in items(n, "meters"):
        if isinstance(meter, dict):
            by_serial.setdefault(meter.get("meter_serial_number"), []).append(meter)
    for meters in by_serial.values():
        if len(meters) < 2:
            continue
        ordered = sorted(meters, key=lambda m: as_date(m.get("installed_on")) or date.min)
        for before, after in zip(ordered, ordered[1:], strict=False):
            removed, installed = as_date(before.get("removed_on")), as_date(after.get("installed_on"))
            if removed is None or installed is None or installed != removed + timedelta(days=1):
                return True
    return False


def _period_specs() -> list[tuple]:
    """Consecutive periods (capacity values, configuration periods): no gaps, no overlaps, none empty."""
    return [
        ("gaps_or_overlaps_in_periods", c.gaps_or_overlaps("effective_from_date", "effective_to_date")),
        ("zero_length_periods", c.zero_length("effective_from_date", "effective_to_date")),
    ]


def _tax_exemption_specs() -> list[tuple]:
    """Tax exemptions (CCL, VAT) of a meter point: one open-ended at most, none overlapping."""
    return [
        ("multiple_open_ended_tax_exemptions", c.multiple_open_ended("effective_to")),
        ("overlapping_effective_dates_for_tax_exemptions", c.overlapping("effective_from", "effective_to")),
    ]


AGENT_FIELDS = ("dc_to_appoint", "da_to_appoint", "mop_to_appoint")
group(
    "ElectricityMeterPoint",
    ("start_date_later_than_end_date", c.later("supply_start_date", "supply_end_date")),
    ("agreement_start_date_before_supply_start_date", _agreements_before_ssd),
    ("multiple_non_dmex_meters_with_serial_number", _shared_serials),
    (
        "registers_missing_for_active_electricity_meter",
        lambda n, ctx: any(not items(m, "registers") for m in p.active_meters(n)),
    ),
    (
        "registers_missing_for_active_electricity_meter",
        lambda n, ctx: (
            not p.is_half_hourly(n)
            and any(
                isinstance(r, dict) and not present(r, "tpr")
                for m in p.active_meters(n)
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
    *_period_specs(),
)
for _mp in ("ElectricityMeterPoint", "GasMeterPoint"):
    group(f"{_mp}.ccl_exemptions", *_tax_exemption_specs())
group(
    "ElectricityMeterPoint.configuration_periods",
    *_period_specs(),
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
    group(f"{_mp}.vat_exemptions", *_tax_exemption_specs())
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
                (as_date(d.get("valid_from_date")) or date.min) >= as_date(n["last_billed_to_date"])
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
        lambda n, ctx: (
            "supply_details" in n
            and not any(d.get("supply_type") in (None, n.get("supply_type")) for d in _supply_details(n))
        ),
    ),
    (
        "invalid_spin_for_market",
        lambda n, ctx: c.invalid_supply_point_identifier(n.get("identifier"), ctx, n),
    ),
    territories=("JP",),
    locations=("supply_addresses[].meter_points[]",),
)
