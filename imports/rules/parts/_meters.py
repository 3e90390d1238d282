"""Rules on meters and their registers (electricity and gas). Checks return True when the rule fails."""

from __future__ import annotations

import re

from imports.rules import base
from imports.rules import checks as c
from imports.rules import payload as p
from imports.rules.base import items, present
from imports.rules.parts._group import R, group

SMART_FIELDS = ("smart_commissioned_on", "smart_device_id")
NOT_SMART = (None, "", "NONE")  # smart_type of a meter that is not a smart meter (NONE is its default)
PREPAY_FIELDS = ("prepay_customer_reference_number", "prepay_details")
# Odd TPRs 01201-01229: the one case where two registers of a meter may share a TPR.
SHARED_TPRS = frozenset(f"{tpr:05d}" for tpr in range(1201, 1230, 2))


def _register_ids(meter):
    return {r.get("register_id") for r in items(meter, "registers") if isinstance(r, dict)}


def _unknown_register(readings: str):
    """A reading (of `readings`) names a register the meter does not have."""
    return lambda n, ctx: any(
        isinstance(r, dict) and r.get("register_id") and r["register_id"] not in _register_ids(n)
        for r in items(n, readings)
    )


def _no_register(readings: str):
    """A reading (of `readings`) names no register."""
    return lambda n, ctx: any(
        isinstance(r, dict) and not present(r, "register_id") for r in items(n, readings)
    )


def _meter_rules(schema, *, electricity):
    specs = [
        (
            "smart_details_provided_for_non_smart_meter",
            lambda n, ctx: n.get("smart_type") in NOT_SMART and any(present(n, f) for f in SMART_FIELDS),
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
            ("reading_register_id_not_recognised", _unknown_register("transfer_readings")),
            ("reading_without_register_id", _no_register("transfer_readings")),
            ("historical_reading_register_id_not_recognised", _unknown_register("reading_history")),
            ("no_register_id_for_reading", _no_register("reading_history")),
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
        (
            "invalid_prepay_customer_reference_number",
            lambda v, ctx, parent: (
                electricity and _not_an_integer(v) and (parent or {}).get("is_prepay") is True
            ),
        ),
    )
    group(f"{schema}.smart_commissioned_on", ("future_smart_meter_commission_date", c.is_future))
    group(
        f"{schema}.smart_device_id",
        ("invalid_smart_device_id", c.not_matching(r"([0-9A-F]{2}-){7}[0-9A-F]{2}")),
    )


SERIAL_PATTERNS = {"ELECTRICITY": re.compile(r"[A-Z0-9]{1,10}"), "GAS": re.compile(r"[A-Z0-9]{1,14}")}


def _not_an_integer(value) -> bool:
    """The documented check of a prepay customer reference number: once whitespace is removed, it
    converts to an integer (digits only; the documentation says so for electricity meters only)."""
    return not (isinstance(value, str) and re.fullmatch(r"[0-9]+", re.sub(r"\s+", "", value)))


def _meter_supply_type(ctx, meter):
    """The supply type of the first meter point listing this very meter, or None."""
    by_meter = ctx.memo.get("meter_supply_types")
    if by_meter is None:
        by_meter = ctx.memo["meter_supply_types"] = {}
        for mp in p.meter_points(ctx.root, ctx):
            for m in items(mp, "meters"):
                by_meter.setdefault(id(m), (m, mp.get("supply_type")))
    found = by_meter.get(id(meter))
    return found[1] if found is not None and found[0] is meter else None


_meter_rules("ElectricityMeter", electricity=True)
group(
    "ElectricityMeter.registers",
    (
        "registers_have_duplicate_tprs",
        lambda v, ctx, parent: any(
            count > (2 if tpr in SHARED_TPRS else 1)
            for tpr, count in base.counts(
                r.get("tpr")
                for r in v
                if isinstance(r, dict) and r.get("tpr") and r.get("is_settlement") is not False
            ).items()
        ),
    ),
)
_meter_rules("GasMeter", electricity=False)
