"""Derived views of an account payload that several rules share, memoised per validation run."""

from __future__ import annotations

from datetime import date, timedelta

from imports.rules import base

BUSINESS_ACCOUNT_TYPES = {"BUSINESS", "BUSINESS_OCCUPIER", "BUSINESS_VACANT"}
# GB measurement classes: A and B are non-half-hourly (B unmetered), C to G half-hourly (D unmetered).
HALF_HOURLY_CLASSES = frozenset("CDEFG")
UNMETERED_CLASSES = frozenset("BD")
ONE_DAY = timedelta(days=1)


def is_business(root: dict) -> bool:
    return root.get("account_type") in BUSINESS_ACCOUNT_TYPES or root.get("is_business") is True


def is_occupier(person: dict) -> bool:
    """A customer identified as the occupier ("The Occupier") rather than by name."""
    name = f"{person.get('given_name') or ''} {person.get('family_name') or ''}".strip().lower()
    return name in {"the occupier", "occupier"}


# The memos below read and write `ctx.memo` directly, with no helper taking a closure per call:
# dozens of rules ask for them on every account.


def meter_points(root: dict, ctx: base.RuleContext) -> list[dict]:
    found = ctx.memo.get("meter_points")
    if found is None:
        found = ctx.memo["meter_points"] = [
            mp
            for address in base.items(root, "supply_addresses")
            for mp in base.items(address, "meter_points")
            if isinstance(mp, dict)
        ]
    return found


def agreements(root: dict, ctx: base.RuleContext) -> list[tuple[dict, dict]]:
    found = ctx.memo.get("agreements")
    if found is None:
        found = ctx.memo["agreements"] = [
            (mp, agreement)
            for mp in meter_points(root, ctx)
            for agreement in base.items(mp, "agreements")
            if isinstance(agreement, dict)
        ]
    return found


def meters(root: dict, ctx: base.RuleContext) -> list[tuple[dict, dict]]:
    found = ctx.memo.get("meters")
    if found is None:
        found = ctx.memo["meters"] = [
            (mp, meter)
            for mp in meter_points(root, ctx)
            for meter in base.items(mp, "meters")
            if isinstance(meter, dict)
        ]
    return found


def current_transactions(root: dict, ctx: base.RuleContext | None = None) -> list[dict]:
    """The current statement's transactions (dicts only); with `ctx`, found once per run."""
    return _transactions(root, ctx, "current_statement_transactions")


def historical_transactions(root: dict, ctx: base.RuleContext | None = None) -> list[dict]:
    """The historical statements' transactions (dicts only); with `ctx`, found once per run."""
    return _transactions(root, ctx, "historical_statement_transactions")


def all_transactions(root: dict, ctx: base.RuleContext | None = None) -> list[dict]:
    """Current, then historical transactions; with `ctx`, found once per run."""
    if ctx is None:
        return current_transactions(root) + historical_transactions(root)
    found = ctx.memo.get("all_transactions")
    if found is None:
        found = ctx.memo["all_transactions"] = current_transactions(root, ctx) + historical_transactions(
            root, ctx
        )
    return found


def _transactions(root: dict, ctx: base.RuleContext | None, key: str) -> list[dict]:
    found = ctx.memo.get(key) if ctx is not None else None
    if found is None:
        found = [t for t in base.items(root, key) if isinstance(t, dict)]
        if ctx is not None:
            ctx.memo[key] = found
    return found


def is_active(mp: dict, ctx: base.RuleContext) -> bool:
    """On supply now or in the future: no supply end date, or one after today."""
    end = base.as_date(mp.get("supply_end_date"))
    return end is None or end > ctx.today


def is_billable(mp: dict, ctx: base.RuleContext) -> bool:
    return is_active(mp, ctx)


def is_half_hourly(mp: dict) -> bool:
    """A meter point settled (and billed) half-hourly, by its GB measurement class."""
    return mp.get("measurement_class") in HALF_HOURLY_CLASSES


def active_meters(mp: dict) -> list[dict]:
    """The meters of a meter point still installed (no removed_on)."""
    return [m for m in base.items(mp, "meters") if isinstance(m, dict) and not base.present(m, "removed_on")]


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


def billed_dates(root: dict, ctx: base.RuleContext) -> list[date]:
    """Every last billed to date of the payload: the account's, and each meter point's, gas meter's
    and electricity register's (found once per run)."""
    dates = ctx.memo.get("billed_dates")
    if dates is not None:
        return dates
    found = [base.as_date(root.get("last_billed_to_date"))]
    for mp in meter_points(root, ctx):
        found.append(base.as_date(mp.get("last_billed_to_date")))
        for meter in base.items(mp, "meters"):
            if isinstance(meter, dict):
                found.append(base.as_date(meter.get("last_billed_to_date")))
                found += [
                    base.as_date(register.get("last_billed_to_date"))
                    for register in base.items(meter, "registers")
                    if isinstance(register, dict)
                ]
    dates = ctx.memo["billed_dates"] = [day for day in found if day]
    return dates


def statement_closing(root: dict, ctx: base.RuleContext) -> date | None:
    """The last statement closing date, or, without one, the earliest last billed to date on the
    account or its supply points (as the statement rules document)."""
    closing = base.as_date(root.get("last_statement_closing_date"))
    if closing:
        return closing
    return min(billed_dates(root, ctx), default=None)


def current_statement_opening(root: dict, ctx: base.RuleContext) -> date | None:
    """One day after the last statement closing date (or what stands for it)."""
    closing = statement_closing(root, ctx)
    return closing + ONE_DAY if closing else None


def billing_from(root: dict, mp: dict) -> date | None:
    """The first day Kraken bills a meter point for: the day after it was last billed to, else the
    day its supply starts."""
    billed = last_billed_to(root, mp)
    return billed + ONE_DAY if billed else base.as_date(mp.get("supply_start_date"))


def has_been_billed(root: dict) -> bool:
    """Whether the account has historical statement data (it was billed before the migration)."""
    return (
        base.present(root, "last_statement_closing_date")
        or bool(historical_transactions(root))
        or bool(base.items(root, "statements"))
    )


def is_prepay_vend(transaction: dict) -> bool:
    """A prepay transaction (it names the prepay meter it tops up)."""
    return base.present(transaction, "to_prepay_meter_serial_number")


def uncovered(agreements_: list[dict], start: date, end: date | None) -> bool:
    """Whether some day of `[start, end)` (`end` None: open-ended) is in no agreement's period."""
    day = start
    periods = [agreement_period(ag) for ag in agreements_]
    for agreement_start, agreement_end in sorted(
        (period for period in periods if period[0]), key=lambda period: period[0]
    ):
        if end is not None and day >= end:
            return False
        if agreement_start > day:
            return True
        if agreement_end is None:
            return False
        day = max(day, agreement_end)
    return end is None or day < end


def agreement_period(agreement: dict) -> tuple[date | None, date | None]:
    return base.as_date(agreement.get("effective_from")), base.as_date(agreement.get("effective_to"))


def covers(agreement: dict, day: date) -> bool:
    start, end = agreement_period(agreement)
    return start is not None and start <= day and (end is None or day < end)


_minor_units: dict[str, int] = {}  # by the text of the amount (base.remember)


def amount(value) -> int:
    """Decimal major units as a string -> integer minor units (exact)."""
    if value.__class__ is not str:
        parsed = base.as_decimal(value)
        return int((parsed or 0) * 100)
    try:
        return _minor_units[value]
    except KeyError:
        pass
    return base.remember(_minor_units, value, int((base.as_decimal(value) or 0) * 100))


def tariff(ctx: base.RuleContext, code):
    return ctx.catalogue.tariffs.get(code) if isinstance(code, str) else None
