"""Account-level checks on supply: meter points, their agreements and the billed period. Each check returns True when the rule fails."""

from __future__ import annotations

from datetime import date, timedelta

from imports.rules import payload as p
from imports.rules.base import as_date, items, present

ONE_DAY = timedelta(days=1)


def _gaps_or_overlaps(a, ctx):
    """Agreements of a supply point must be consecutive. A gap wholly before the supply start date
    (historic supply, never billed in Kraken) is allowed; an overlap never is."""
    for mp in p.meter_points(a, ctx):
        if len(items(mp, "agreements")) < 2:
            continue  # no two periods to compare
        supply_start = as_date(mp.get("supply_start_date"))
        periods = sorted(
            (p.agreement_period(ag) for ag in items(mp, "agreements") if isinstance(ag, dict)),
            key=lambda period: period[0] or date.min,
        )
        for (_, previous_end), (next_start, _) in zip(periods, periods[1:], strict=False):
            if previous_end is None or (next_start is not None and next_start < previous_end):
                return True  # an overlap
            if next_start is not None and next_start > previous_end:
                if supply_start is None or next_start > supply_start:
                    return True  # a gap reaching into the supply period
    return False


def _term_supply_type_mismatch(a, ctx):
    supply_types = {mp.get("supply_type") for mp in p.meter_points(a, ctx)}
    terms = [t for c in items(a, "account_contracts") if isinstance(c, dict) for t in items(c, "terms")]
    return any(
        isinstance(t, dict) and t.get("supply_type") and t["supply_type"] not in supply_types for t in terms
    )


def _contracts_without_supply_points(a, ctx):
    return present(a, "account_contracts") and not p.meter_points(a, ctx)


def _contract_term_product_not_in_agreements(a, ctx):
    terms = [t for c in items(a, "account_contracts") if isinstance(c, dict) for t in items(c, "terms")]
    if not terms:
        return False
    products = {
        getattr(p.tariff(ctx, ag.get("tariff_code")), "product_code", ag.get("tariff_code"))
        for _, ag in p.agreements(a, ctx)
    }
    return any(
        isinstance(t, dict) and t.get("product_code") and t["product_code"] not in products for t in terms
    )


def _agreement_contract_not_declared(a, ctx):
    business = a.get("business") or {}
    declared = set(business.get("business_contract_identifiers") or [])
    if business.get("business_contract_identifier"):
        declared.add(business["business_contract_identifier"])
    return any(
        ag.get("business_contract_identifier") and ag["business_contract_identifier"] not in declared
        for _, ag in p.agreements(a, ctx)
    )


def _cannot_determine_billing_start(a, ctx):
    if a.get("is_portfolio_lead") is True or not p.meter_points(a, ctx):
        return False
    return not (
        present(a, "last_billed_to_date")
        or present(a, "last_statement_closing_date")
        or any(present(ag, "effective_from") for _, ag in p.agreements(a, ctx))
        or any(p.last_billed_to(a, mp) for mp in p.meter_points(a, ctx))
    )


def _last_billed_to_not_found(*, per_register: bool):
    """Each meter needs a last billed to date: skipped for an account never billed (no historical
    statement data), for a supply point not yet on supply, and for an exchanged meter whose new
    meter has been billed. GB (`per_register`): an electricity meter's date belongs on each of its
    settlement registers, a gas meter's on the meter (either may come from the meter point or the
    account, which they take precedence over), and half-hourly meter points are exempt."""

    def check(a, ctx):
        if not p.has_been_billed(a):
            return False
        for mp in p.meter_points(a, ctx):
            if _unbilled_new(mp, ctx) or (per_register and p.is_half_hourly(mp)):
                continue
            inherited = as_date(mp.get("last_billed_to_date")) or as_date(a.get("last_billed_to_date"))
            meters = [m for m in items(mp, "meters") if isinstance(m, dict)]
            billed_new = any(_meter_billed(m, inherited) for m in meters if not present(m, "removed_on"))
            for meter in meters:
                if present(meter, "removed_on") and billed_new:
                    continue
                if per_register and mp.get("supply_type") == "ELECTRICITY":
                    registers = [
                        r
                        for r in items(meter, "registers")
                        if isinstance(r, dict) and r.get("is_settlement") is not False
                    ]
                    if any(not (as_date(r.get("last_billed_to_date")) or inherited) for r in registers):
                        return True
                elif not _meter_billed(meter, inherited):
                    return True
        return False

    return check


def _meter_billed(meter: dict, inherited) -> bool:
    """A last billed to date on the meter, one of its registers, or inherited from above."""
    if as_date(meter.get("last_billed_to_date")) or inherited:
        return True
    return any(
        isinstance(r, dict) and as_date(r.get("last_billed_to_date")) for r in items(meter, "registers")
    )


def _unbilled_new(mp, ctx):
    start = as_date(mp.get("supply_start_date"))
    return start is not None and start >= ctx.today


def _unbilled_former_address(a, ctx):
    for address in items(a, "supply_addresses"):
        moved_out = (
            as_date(address.get("customer_at_supply_address_to_date")) if isinstance(address, dict) else None
        )
        if moved_out is None:
            continue
        billed = [p.last_billed_to(a, mp) for mp in items(address, "meter_points") if isinstance(mp, dict)]
        if (
            any(b is None or b < moved_out for b in billed)
            or not billed
            and (p.last_billed_to(a) or date.min) < moved_out
        ):
            return True
    return False


def _agreement_before_ssd(a, ctx):
    return any(
        as_date(ag.get("effective_from"))
        and as_date(mp.get("supply_start_date"))
        and as_date(ag["effective_from"]) < as_date(mp["supply_start_date"])
        for mp, ag in p.agreements(a, ctx)
    )


def _no_agreement_covering_lbtd(a, ctx):
    """Each supply point with a last billed to date has an agreement covering that day."""
    for mp in p.meter_points(a, ctx):
        billed = p.last_billed_to(a, mp)
        if billed and not any(p.covers(ag, billed) for ag in items(mp, "agreements") if isinstance(ag, dict)):
            return True
    return False


def _lead_has_agreement(a, ctx):
    return a.get("is_portfolio_lead") is True and bool(p.agreements(a, ctx))


def _unbilled_period_uncovered(a, mp, ctx) -> bool:
    """Some day Kraken bills a billable supply point for, from the day after its last billed to
    date (or its supply start) to today or its supply end, is in none of its agreements."""
    start = p.billing_from(a, mp)
    today = ctx.today
    if start is None or start > today:
        return False
    end = as_date(mp.get("supply_end_date"))
    until = today + ONE_DAY if end is None else min(end + ONE_DAY, today + ONE_DAY)
    agreements_ = [ag for ag in items(mp, "agreements") if isinstance(ag, dict)]
    return start < until and p.uncovered(agreements_, start, until)


def _agreement_covers_unbilled(a, ctx):
    """Agreements of each billable supply point cover its whole billing period."""
    return any(
        p.is_billable(mp, ctx) and items(mp, "agreements") and _unbilled_period_uncovered(a, mp, ctx)
        for mp in p.meter_points(a, ctx)
    )


def _meter_point_with_no_agreement(a, ctx):
    """Each billable supply point has agreements for the period Kraken bills it for: none at all,
    or none for part of that period (up to today, also for an open-ended supply point), fails."""
    return any(
        p.is_billable(mp, ctx) and (not items(mp, "agreements") or _unbilled_period_uncovered(a, mp, ctx))
        for mp in p.meter_points(a, ctx)
    )


def _agreement_not_on_supply(a, ctx):
    return any(
        not p.is_billable(mp, ctx)
        and any(
            (p.agreement_period(ag)[1] or date.max) > ctx.today
            for ag in items(mp, "agreements")
            if isinstance(ag, dict)
        )
        for mp in p.meter_points(a, ctx)
    )


def _agreement_without_meter_point(a, ctx):
    identifiers = {mp.get("identifier") for mp in p.meter_points(a, ctx)}
    return any(
        isinstance(c, dict)
        and c.get("supply_point_identifier")
        and c["supply_point_identifier"] not in identifiers
        for c in items(a, "account_contracts")
    )


def _effective_before_product(a, ctx):
    """An agreement on a variable (or tracker) product starting before the product is available,
    checked when Kraken bills the supply point from before the product is available."""
    for mp, ag in p.agreements(a, ctx):
        info = p.tariff(ctx, ag.get("tariff_code"))
        start = as_date(ag.get("effective_from"))
        if not (info and info.is_variable and info.available_from and start):
            continue
        available = info.available_from.date()
        billed_from = p.billing_from(a, mp)
        if start < available and (billed_from is None or billed_from < available):
            return True
    return False


def _variable_before_product(a, ctx):
    for _, ag in p.agreements(a, ctx):
        info = p.tariff(ctx, ag.get("tariff_code"))
        start = as_date(ag.get("effective_from"))
        if (
            info
            and info.is_variable
            and info.available_from
            and start
            and start < info.available_from.date()
            and ag.get("business_contract_identifier")
        ):
            return True
    return False


def _future_supply_end(a, ctx):
    return any((as_date(mp.get("supply_end_date")) or date.min) > ctx.today for mp in p.meter_points(a, ctx))


def _future_supply_start(a, ctx):
    return any(
        (as_date(mp.get("supply_start_date")) or date.min) > ctx.today
        for mp in p.meter_points(a, ctx)
        if p.is_billable(mp, ctx)
    )


def _no_supply_point_on_supply(a, ctx):
    mps = p.meter_points(a, ctx)
    return bool(mps) and not any(p.is_billable(mp, ctx) for mp in mps)


def _no_current_aq(a, ctx):
    """Each billable gas meter point has an AQ valid now or later: a missing or empty history, or
    one of past entries only, fails."""
    return any(
        mp.get("supply_type") == "GAS"
        and p.is_billable(mp, ctx)
        and not any(
            (as_date(aq.get("effective_to")) or date.max) > ctx.today
            for aq in items(mp, "aq_history")
            if isinstance(aq, dict)
        )
        for mp in p.meter_points(a, ctx)
    )


CHECKS = {
    "gaps_or_overlaps_in_agreement_dates": _gaps_or_overlaps,
    "term_supply_type_mismatch": _term_supply_type_mismatch,
    "account_contracts_without_supply_points": _contracts_without_supply_points,
    "contract_term_product_code_not_in_agreements": _contract_term_product_not_in_agreements,
    "agreement_business_contract_identifier_not_declared": _agreement_contract_not_declared,
    "cannot_determine_responsible_for_billing_from_date": _cannot_determine_billing_start,
    "last_billed_to_date_not_found": _last_billed_to_not_found(per_register=False),
    "unbilled_former_supply_address": _unbilled_former_address,
    "agreement_starting_before_meter_point_ssd": _agreement_before_ssd,
    "no_agreement_covering_last_billed_to_date": _no_agreement_covering_lbtd,
    "portfolio_lead_has_an_agreement": _lead_has_agreement,
    "agreement_should_cover_unbilled_period": _agreement_covers_unbilled,
    "meter_point_with_no_agreement": _meter_point_with_no_agreement,
    "meterpoint_with_agreement_not_on_supply": _agreement_not_on_supply,
    "agreement_has_no_matching_meter_point": _agreement_without_meter_point,
    "no_current_or_future_aq_entry_found": _no_current_aq,
    "agreement_effective_from_before_product_available_from": _effective_before_product,
    "agreement_cannot_start_before_product_available": _variable_before_product,
    "future_supply_end_date": _future_supply_end,
    "future_supply_start_date": _future_supply_start,
    "no_supply_point_on_supply": _no_supply_point_on_supply,
}
GB_CHECKS = {"last_billed_to_date_not_found": _last_billed_to_not_found(per_register=True)}
