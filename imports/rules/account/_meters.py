"""Account-level checks on meters, registers and readings (transfer readings, prepay, EACs, AQs). Each check returns True when the rule fails."""

from __future__ import annotations

from datetime import date

from imports.rules import base
from imports.rules import payload as p
from imports.rules.base import as_date, items, present


def _prepay_serials(a, ctx):
    return {
        meter.get("meter_serial_number")
        for _, meter in p.meters(a, ctx)
        if meter.get("is_prepay") is True and present(meter, "prepay_details")
    }


def _transactions_target_uninitialised_prepay(a, ctx):
    targets = [
        t["to_prepay_meter_serial_number"]
        for t in p.all_transactions(a, ctx)
        if present(t, "to_prepay_meter_serial_number")
    ]
    if not targets:
        return False
    initialised = _prepay_serials(a, ctx)
    return any(target not in initialised for target in targets)


def _prepay_details_on_fully_billed(a, ctx):
    for mp, meter in p.meters(a, ctx):
        details = meter.get("prepay_details") or {}
        removed = as_date(meter.get("removed_on"))
        if details and removed and (p.last_billed_to(a, mp) or date.min) >= removed:
            return True
    return False


def _vend_read_date(a, ctx):
    for mp, meter in p.meters(a, ctx):
        details = meter.get("prepay_details") or {}
        vend = as_date(details.get("transfer_vend_read_date")) if isinstance(details, dict) else None
        if vend and vend != p.last_billed_to(a, mp):
            return True
    return False


def _registers(mp):
    return [
        r
        for meter in items(mp, "meters")
        if isinstance(meter, dict)
        for r in items(meter, "registers")
        if isinstance(r, dict)
    ]


def _tariff_vs_meter_point_type(a, ctx):
    for mp, ag in p.agreements(a, ctx):
        info = p.tariff(ctx, ag.get("tariff_code"))
        if info is None or mp.get("supply_type") != "ELECTRICITY" or not p.covers(ag, ctx.today):
            continue
        settlement = [r for r in _registers(mp) if r.get("is_settlement") is not False]
        if settlement and info.rate_count != len(settlement):
            return True
    return False


def _active_gas_meters(a, ctx):
    return [
        meter
        for mp, meter in p.meters(a, ctx)
        if mp.get("supply_type") == "GAS" and p.is_active(mp, ctx) and not present(meter, "removed_on")
    ]


def _gas_multiple_transfer(a, ctx):
    return any(len(items(m, "transfer_readings")) > 1 for m in _active_gas_meters(a, ctx))


def _gas_without_transfer(a, ctx):
    return any(not items(m, "transfer_readings") for m in _active_gas_meters(a, ctx))


def _reading_meter_fully_billed(a, ctx):
    for mp, meter in p.meters(a, ctx):
        removed = as_date(meter.get("removed_on"))
        if removed and items(meter, "transfer_readings") and (p.last_billed_to(a, mp) or date.min) >= removed:
            return True
    return False


def _missing_eacs(a, ctx):
    """Each settlement register (with a TPR) of an active meter at an active electricity meter
    point has an EAC in `eac_history` with its TPR: a missing or empty history fails."""
    for mp in p.meter_points(a, ctx):
        if mp.get("supply_type") != "ELECTRICITY" or not p.is_active(mp, ctx):
            continue
        tprs = {eac.get("tpr") for eac in items(mp, "eac_history") if isinstance(eac, dict)}
        registers = [
            r
            for meter in p.active_meters(mp)
            for r in items(meter, "registers")
            if isinstance(r, dict) and r.get("is_settlement") is not False
        ]
        if any(r.get("tpr") and r["tpr"] not in tprs for r in registers):
            return True
    return False


def _tariff_vs_meter_type(a, ctx):
    for mp, ag in p.agreements(a, ctx):
        info = p.tariff(ctx, ag.get("tariff_code"))
        if info is None or not p.covers(ag, ctx.today) or not p.is_active(mp, ctx):
            continue
        for meter in items(mp, "meters"):
            if (
                isinstance(meter, dict)
                and not present(meter, "removed_on")
                and bool(meter.get("is_prepay")) != info.is_prepay
            ):
                return True
    return False


def _no_reading_on_end(a, ctx):
    for mp in p.meter_points(a, ctx):
        end = as_date(mp.get("supply_end_date"))
        if end and end <= ctx.today and items(mp, "meters"):
            dates = {
                as_date(r.get("reading_date"))
                for m in items(mp, "meters")
                if isinstance(m, dict)
                for r in items(m, "reading_history") + items(m, "transfer_readings")
                if isinstance(r, dict)
            }
            if end not in dates:
                return True
    return False


def _meter_point_with_no_meters(a, ctx):
    """Each billable meter point has an active (not removed) meter, unless its measurement class
    is an unmetered one."""
    return any(
        p.is_billable(mp, ctx)
        and not p.active_meters(mp)
        and mp.get("measurement_class") not in p.UNMETERED_CLASSES
        for mp in p.meter_points(a, ctx)
    )


def _active_register_readings(a, ctx):
    for mp, meter in p.meters(a, ctx):
        if mp.get("supply_type") != "ELECTRICITY" or not p.is_active(mp, ctx) or present(meter, "removed_on"):
            continue
        counts = base.counts(
            r.get("register_id") for r in items(meter, "transfer_readings") if isinstance(r, dict)
        )
        for register in items(meter, "registers"):
            if isinstance(register, dict) and register.get("is_settlement") is not False:
                yield counts.get(register.get("register_id"), 0)


def _register_reading_counts(a, ctx) -> list[int]:
    """`_active_register_readings` as a list, found once per run (two rules read it)."""
    found = ctx.memo.get("register_reading_counts")
    if found is None:
        try:
            found = list(_active_register_readings(a, ctx))
        except (TypeError, AttributeError, ValueError, KeyError, ArithmeticError):
            return _active_register_readings(a, ctx)  # malformed: each rule reads as far as it reads
        ctx.memo["register_reading_counts"] = found
    return found


def _missing_register_transfer(a, ctx):
    return any(count == 0 for count in _register_reading_counts(a, ctx))


def _multiple_register_transfer(a, ctx):
    return any(count > 1 for count in _register_reading_counts(a, ctx))


CHECKS = {
    "transactions_target_non_initialised_prepay_meter": _transactions_target_uninitialised_prepay,
    "prepay_details_on_fully_billed_meter": _prepay_details_on_fully_billed,
    "transfer_vend_read_date_must_match_last_billed_to_date": _vend_read_date,
    "tariff_type_does_not_match_meter_point_type": _tariff_vs_meter_point_type,
    "active_gas_meter_with_multiple_transfer_readings": _gas_multiple_transfer,
    "active_gas_meter_without_transfer_reading": _gas_without_transfer,
    "reading_meter_fully_billed": _reading_meter_fully_billed,
    "missing_eacs_for_active_register_tpr": _missing_eacs,
    "tariff_type_does_not_match_meter_type": _tariff_vs_meter_type,
    "no_reading_on_supply_end_date": _no_reading_on_end,
    "meter_point_with_no_meters": _meter_point_with_no_meters,
    "missing_transfer_reading_for_register": _missing_register_transfer,
    "multiple_transfer_readings_for_register": _multiple_register_transfer,
}
