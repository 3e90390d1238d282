"""Account-level checks on supply: meter points, their agreements and the billed period. Each check returns True when the rule fails."""

from __future__ import annotations

from datetime import date

from imports.rules import payload as p
from imports.rules.base import as_date, items, present


def _gaps_or_overlaps(a, ctx):
    for mp in p.meter_points(a, ctx):
        supply_start = as_date(mp.get("supply_start_date"))
        periods = sorted(
            (p.agreement_period(ag) for ag in items(mp, "agreements") if isinstance(ag, dict)),
            key=lambda period: period[0] or date.min,
        )
        current = [
            period
            for period in periods
            if supply_start is None or (period[1] is None or period[1] > supply_start)
        ]
        for (_, previous_end), (next_start, _) in zip(current, current[1:], strict=False):
            if previous_end is None or previous_end != next_start:
                return True
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
    products = {
        getattr(p.tariff(ctx, ag.get("tariff_code")), "product_code", ag.get("tariff_code"))
        for _, ag in p.agreements(a, ctx)
    }
    terms = [t for c in items(a, "account_contracts") if isinstance(c, dict) for t in items(c, "terms")]
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


def _last_billed_to_not_found(a, ctx):
    return any(
        p.is_active(mp, ctx)
        and items(mp, "meters")
        and p.last_billed_to(a, mp) is None
        and not _unbilled_new(mp, ctx)
        for mp in p.meter_points(a, ctx)
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
    for mp in p.meter_points(a, ctx):
        billed = p.last_billed_to(a, mp)
        if (
            billed
            and items(mp, "agreements")
            and not any(p.covers(ag, billed) for ag in items(mp, "agreements") if isinstance(ag, dict))
        ):
            return True
    return False


def _lead_has_agreement(a, ctx):
    return a.get("is_portfolio_lead") is True and bool(p.agreements(a, ctx))


def _agreement_covers_unbilled(a, ctx):
    for mp in p.meter_points(a, ctx):
        billed = p.last_billed_to(a, mp)
        agreements_ = [ag for ag in items(mp, "agreements") if isinstance(ag, dict)]
        if billed and agreements_ and p.is_active(mp, ctx):
            latest_end = max((p.agreement_period(ag)[1] or date.max) for ag in agreements_)
            earliest = min((p.agreement_period(ag)[0] or date.max) for ag in agreements_)
            if earliest > billed or latest_end <= ctx.today:
                return True
    return False


def _meter_point_with_no_agreement(a, ctx):
    return any(p.is_billable(mp, ctx) and not items(mp, "agreements") for mp in p.meter_points(a, ctx))


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
    for _, ag in p.agreements(a, ctx):
        info = p.tariff(ctx, ag.get("tariff_code"))
        start = as_date(ag.get("effective_from"))
        if info and info.available_from and start and start < info.available_from.date():
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
    for mp in p.meter_points(a, ctx):
        if mp.get("supply_type") == "GAS" and p.is_billable(mp, ctx) and present(mp, "aq_history"):
            if not any(
                (as_date(aq.get("effective_to")) or date.max) > ctx.today
                for aq in items(mp, "aq_history")
                if isinstance(aq, dict)
            ):
                return True
    return False


CHECKS = {
    "gaps_or_overlaps_in_agreement_dates": _gaps_or_overlaps,
    "term_supply_type_mismatch": _term_supply_type_mismatch,
    "account_contracts_without_supply_points": _contracts_without_supply_points,
    "contract_term_product_code_not_in_agreements": _contract_term_product_not_in_agreements,
    "agreement_business_contract_identifier_not_declared": _agreement_contract_not_declared,
    "cannot_determine_responsible_for_billing_from_date": _cannot_determine_billing_start,
    "last_billed_to_date_not_found": _last_billed_to_not_found,
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
