"""Rules on addresses: billing addresses, supply addresses and what stands at them (meter points,
exchanged meters and their readings, across all the account's supply addresses). Checks return True when the rule fails."""

from __future__ import annotations

from datetime import date

from imports.rules import base
from imports.rules import checks as c
from imports.rules import payload as p
from imports.rules.base import as_date, items, present
from imports.rules.parts._group import group
from imports.rules.parts._meter_points import AGENT_FIELDS

group(
    "Address",
    (
        "invalid_postcode",
        lambda n, ctx: (
            present(n, "postal_code")
            and n.get("country") == ctx.supplier.territory
            and c.postcode_at("postal_code")(n["postal_code"], ctx, n)
        ),
    ),
    (
        "invalid_address",
        lambda n, ctx: not (present(n, "street_address") or present(n, "structured_street_address")),
    ),
)
group("Address.delivery_point_identifier", ("invalid_delivery_point_identifier", c.invalid_delivery_point))


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


def _own_billed_dates(mp, meter) -> list:
    """Where a meter's last billed to date belongs: on each settlement register of an electricity
    meter, on a gas meter itself. One entry per place, None where it is missing."""
    if mp.get("supply_type") == "ELECTRICITY":
        return [
            as_date(r.get("last_billed_to_date"))
            for r in items(meter, "registers")
            if isinstance(r, dict) and r.get("is_settlement") is not False
        ]
    return [as_date(meter.get("last_billed_to_date"))]


def _serials(mp) -> set:
    return {m.get("meter_serial_number") for m in items(mp, "meters") if isinstance(m, dict)}


def _export_meter_unpaired(addresses) -> bool:
    """An import-export meter: exactly two meter points have meters with its serial number, and
    only one of them is of type IMPORT_EXPORT."""
    points = [
        mp
        for a in addresses
        if isinstance(a, dict)
        for mp in items(a, "meter_points")
        if isinstance(mp, dict)
    ]
    for mp in points:
        if not mp.get("export_type"):
            continue
        sharing = [other for other in points if _serials(other) & _serials(mp)]
        if len(sharing) != 2 or sum(other.get("export_type") == "IMPORT_EXPORT" for other in sharing) != 1:
            return True
    return False


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
            (a.get("supply_address1"), a.get("supply_address2"), a.get("supply_postcode"))
            for a in v
            if isinstance(a, dict)
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
            any(_own_billed_dates(mp, m)) for mp, _ in _exchanged(v) for m in p.active_meters(mp)
        ),
    ),
    (
        "no_last_billed_to_date_on_exchanged_meter",
        lambda v, ctx, parent: any(not all(_own_billed_dates(mp, m)) for mp, m in _exchanged(v)),
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
    ("import_meter_not_found_for_export_meter", lambda v, ctx, parent: _export_meter_unpaired(v)),
    (
        "unexpected_number_of_meter_points_found_for_meter",
        lambda v, ctx, parent: any(
            count > 2
            for count in base.counts(
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
group("EnergyAddress.postcode", ("invalid_postcode", c.postcode_at("postcode")))
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
group("EnergyLegacySupplyAddress.supply_postcode", ("invalid_postcode", c.postcode_at("supply_postcode")))
