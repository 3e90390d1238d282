"""Derived views of an account payload that several rules share, memoised per validation run."""

from __future__ import annotations

from datetime import date, timedelta

from imports.rules import base

BUSINESS_ACCOUNT_TYPES = {"BUSINESS", "BUSINESS_OCCUPIER", "BUSINESS_VACANT"}


def is_business(root: dict) -> bool:
    return root.get("account_type") in BUSINESS_ACCOUNT_TYPES or root.get("is_business") is True


def meter_points(root: dict, ctx: base.RuleContext) -> list[dict]:
    return ctx.cached(
        "meter_points",
        lambda: [
            mp
            for address in base.items(root, "supply_addresses")
            for mp in base.items(address, "meter_points")
            if isinstance(mp, dict)
        ],
    )


def agreements(root: dict, ctx: base.RuleContext) -> list[tuple[dict, dict]]:
    return ctx.cached(
        "agreements",
        lambda: [
            (mp, agreement)
            for mp in meter_points(root, ctx)
            for agreement in base.items(mp, "agreements")
            if isinstance(agreement, dict)
        ],
    )


def meters(root: dict, ctx: base.RuleContext) -> list[tuple[dict, dict]]:
    return ctx.cached(
        "meters",
        lambda: [
            (mp, meter)
            for mp in meter_points(root, ctx)
            for meter in base.items(mp, "meters")
            if isinstance(meter, dict)
        ],
    )


def current_transactions(root: dict) -> list[dict]:
    return [t for t in base.items(root, "current_statement_transactions") if isinstance(t, dict)]


def historical_transactions(root: dict) -> list[dict]:
    return [t for t in base.items(root, "historical_statement_transactions") if isinstance(t, dict)]


def all_transactions(root: dict) -> list[dict]:
    return current_transactions(root) + historical_transactions(root)


def is_active(mp: dict, ctx: base.RuleContext) -> bool:
    """On supply now or in the future: no supply end date, or one after today."""
    end = base.as_date(mp.get("supply_end_date"))
    return end is None or end > ctx.today


def is_billable(mp: dict, ctx: base.RuleContext) -> bool:
    return is_active(mp, ctx)


def last_billed_to(root: dict, mp: dict | None = None) -> date | None:
    """The most specific last billed to date: meter point, else the account's."""
    if mp is not None:
        own = base.as_date(mp.get("last_billed_to_date"))
        if own:
            return own
        for meter in base.items(mp, "meters"):
            found = base.as_date(meter.get("last_billed_to_date")) if isinstance(meter, dict) else None
            if found:
                return found
            for register in base.items(meter, "registers"):
                found = (
                    base.as_date(register.get("last_billed_to_date")) if isinstance(register, dict) else None
                )
                if found:
                    return found
    return base.as_date(root.get("last_billed_to_date"))


def statement_closing(root: dict) -> date | None:
    closing = base.as_date(root.get("last_statement_closing_date"))
    if closing:
        return closing
    return base.as_date(root.get("last_billed_to_date"))


def current_statement_opening(root: dict) -> date | None:
    closing = statement_closing(root)
    return closing + timedelta(days=1) if closing else None


def agreement_period(agreement: dict) -> tuple[date | None, date | None]:
    return base.as_date(agreement.get("effective_from")), base.as_date(agreement.get("effective_to"))


def covers(agreement: dict, day: date) -> bool:
    start, end = agreement_period(agreement)
    return start is not None and start <= day and (end is None or day < end)


def amount(value) -> int:
    """Decimal major units as a string -> integer minor units (exact)."""
    parsed = base.as_decimal(value)
    return int((parsed or 0) * 100)


def tariff(ctx: base.RuleContext, code):
    return ctx.catalogue.tariffs.get(code) if isinstance(code, str) else None
