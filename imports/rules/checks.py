"""Small condition builders the rule modules compose. Object checks take (node, ctx); field checks
take (value, ctx, parent). Each returns True when the rule fails."""

from __future__ import annotations

import operator
import re

from imports.rules import base
from imports.rules.base import as_date, as_datetime, present


def _instant(value):
    parsed = as_datetime(value)
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else None


def later(start: str, end: str, *, strict: bool = False):
    """Object check: `end`, if given, is before `start` (or equal, when strict)."""

    def check(node, ctx):
        begin, finish = as_date(node.get(start)), as_date(node.get(end))
        if begin is None or finish is None:
            return False
        return finish <= begin if strict else finish < begin

    return check


def is_future(value, ctx, parent=None) -> bool:
    instant = _instant(value)
    if instant is not None:
        return instant > ctx.now
    day = as_date(value)
    return day is not None and day > ctx.today


def is_past(value, ctx, parent=None) -> bool:
    instant = _instant(value)
    if instant is not None:
        return instant < ctx.now
    day = as_date(value)
    return day is not None and day < ctx.today


def not_matching(pattern: str, *, flags=0):
    compiled = re.compile(pattern, flags)
    return lambda value, ctx, parent=None: not isinstance(value, str) or compiled.fullmatch(value) is None


def not_in(name: str):
    """Field check: the value is not in the catalogue collection `name` (named by `.setting`)."""

    def check(value, ctx, parent=None) -> bool:
        return value not in getattr(ctx.catalogue, name)

    check.setting = name
    return check


def path_not_in_file_store(value, ctx, parent=None) -> bool:
    """A document path not uploaded to the migration file store, when that check is enabled (it is
    off by default, as documented)."""
    return ctx.catalogue.file_store_validation_enabled and value not in ctx.catalogue.file_store_paths


def both(first: str, second: str):
    return lambda node, ctx: present(node, first) and present(node, second)


def neither(*keys: str):
    return lambda node, ctx: not any(present(node, key) for key in keys)


def not_exactly_one(*keys: str):
    return lambda node, ctx: sum(present(node, key) for key in keys) != 1


def duplicate_children(*keys: str):
    """Field check on a list: two children share the values of `keys`."""
    return lambda value, ctx, parent=None: base.duplicates(
        tuple(child.get(key) for key in keys) for child in value if isinstance(child, dict)
    )


def _periods(value, start, end):
    periods = []
    for child in value or []:
        if isinstance(child, dict) and as_date(child.get(start)):
            periods.append((as_date(child.get(start)), as_date(child.get(end))))
    return sorted(periods, key=lambda period: period[0])


def gaps_or_overlaps(start: str, end: str, *, step_days: int = 0):
    def check(value, ctx, parent=None):
        periods = _periods(value, start, end)
        for (_, previous_end), (next_start, _) in zip(periods, periods[1:], strict=False):
            if previous_end is None or (next_start - previous_end).days != step_days:
                return True
        return False

    return check


def zero_length(start: str, end: str):
    return lambda value, ctx, parent=None: any(
        e is not None and e == s for s, e in _periods(value, start, end)
    )


def overlapping(start: str, end: str):
    def check(value, ctx, parent=None):
        periods = _periods(value, start, end)
        return any(
            previous_end is None or next_start < previous_end
            for (_, previous_end), (next_start, _) in zip(periods, periods[1:], strict=False)
        )

    return check


def multiple_open_ended(end: str):
    return lambda value, ctx, parent=None: (
        sum(1 for child in value or [] if isinstance(child, dict) and not present(child, end)) > 1
    )


def market_participant_missing(value, ctx, parent=None) -> bool:
    return value not in ctx.catalogue.market_participants


def market_participant_wrong_supply(value, ctx, parent=None) -> bool:
    supply_types = ctx.catalogue.market_participants.get(value)
    supply_type = (parent or {}).get("supply_type") or (
        "GAS" if "shipper_mpid" in (parent or {}) else "ELECTRICITY"
    )
    return supply_types is not None and supply_type not in supply_types


TEST_EMAIL = re.compile(r"^(test|xxx)@|@test\.com$|@test\.co\.uk$|\.xxx?$", re.IGNORECASE)


def test_email(value, ctx, parent=None) -> bool:
    return isinstance(value, str) and TEST_EMAIL.search(value) is not None


def internal_email(value, ctx, parent=None) -> bool:
    return isinstance(value, str) and value.lower() in ctx.catalogue.internal_email_addresses


PHONE_PATTERNS = {
    "GB": re.compile(r"^(\+44\s?|0)[1-9][0-9 ]{8,12}$"),
    "JP": re.compile(r"^(\+81|0)[0-9-]{9,12}$"),
    "AU": re.compile(r"^(\+61|0)[2-478][0-9 ]{8,10}$"),
}


def invalid_phone(value, ctx, parent=None) -> bool:
    pattern = PHONE_PATTERNS.get(ctx.supplier.territory, PHONE_PATTERNS["GB"])
    return not isinstance(value, str) or pattern.fullmatch(value.strip()) is None


POSTCODE_PATTERNS = {
    "GB": re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE),
    "JP": re.compile(r"^[0-9]{3}-?[0-9]{4}$"),
    "AU": re.compile(r"^[0-9]{4}$"),
}


def invalid_postcode(value, ctx, parent=None) -> bool:
    pattern = POSTCODE_PATTERNS.get(ctx.supplier.territory, POSTCODE_PATTERNS["GB"])
    return not isinstance(value, str) or pattern.fullmatch(value.strip()) is None


WHITESPACE = re.compile(r"\s+")


def normal_postcode(value: str, territory: str) -> str:
    """A valid postcode in its standard form: GB upper case with one space before the inward code
    (`w1f9de` -> `W1F 9DE`), JP `NNN-NNNN`; others stripped."""
    compact = WHITESPACE.sub("", value).upper()
    if territory == "GB":
        return f"{compact[:-3]} {compact[-3:]}"
    if territory == "JP":
        digits = compact.replace("-", "")
        return f"{digits[:3]}-{digits[3:]}"
    return value.strip()


def postcode_at(field: str):
    """Field check of the postcode in `field`: fails an invalid one, normalises a valid one."""

    def check(value, ctx, parent=None) -> bool:
        if invalid_postcode(value, ctx):
            return True
        if isinstance(parent, dict):
            parent[field] = normal_postcode(value, ctx.supplier.territory)
        return False

    return check


invalid_delivery_point = not_matching(r"[A-Z0-9]+")
COMPANY_NUMBER = re.compile(r"(SC|NI|OC|SO|NC|R)?([0-9]{6,8})|[0-9]{13}")


def company_number_at(field: str):
    """Field check of the company number in `field`: fails an invalid one, standardises a valid one
    (upper case, no spaces, the digits after a prefix padded to make 8 characters)."""

    def check(value, ctx, parent=None) -> bool:
        if not isinstance(value, str):
            return True
        compact = re.sub(r"\s+", "", value).upper()
        match = COMPANY_NUMBER.fullmatch(compact)
        if match is None:
            return True
        prefix, digits = match.group(1) or "", match.group(2)
        if digits is not None and isinstance(parent, dict):
            parent[field] = prefix + digits.zfill(8 - len(prefix))
        elif isinstance(parent, dict):
            parent[field] = compact
        return False

    return check


SUPPLY_POINT_PATTERNS = {
    ("GB", "ELECTRICITY"): re.compile(r"^[0-9]{13}$"),
    ("GB", "GAS"): re.compile(r"^[0-9]{6,10}$"),
    ("JP", None): re.compile(r"^[0-9]{22}$"),
    ("AU", None): re.compile(r"^[0-9A-HJ-NP-Z]{10}$"),
}


MPAN_CHECK_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)


def mpan_check_digit(first_twelve: str) -> str:
    """The check digit of a GB MPAN core (its 13th digit): the first twelve digits weighted by the
    primes 3..43, summed, modulo 11, modulo 10. Raises ValueError unless given twelve digits."""
    if len(first_twelve) != len(MPAN_CHECK_WEIGHTS):
        raise ValueError(f"an MPAN core's check digit needs {len(MPAN_CHECK_WEIGHTS)} digits")
    total = sum(map(operator.mul, map(int, first_twelve), MPAN_CHECK_WEIGHTS))
    return str(total % 11 % 10)


def invalid_supply_point_identifier(value, ctx, parent=None) -> bool:
    supply_type = (parent or {}).get("supply_type")
    if supply_type is None and isinstance(value, str):
        supply_type = "ELECTRICITY" if len(value) == 13 else "GAS"
    pattern = SUPPLY_POINT_PATTERNS.get((ctx.supplier.territory, supply_type)) or SUPPLY_POINT_PATTERNS.get(
        (ctx.supplier.territory, None), SUPPLY_POINT_PATTERNS[("GB", "ELECTRICITY")]
    )
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        return True
    if pattern is SUPPLY_POINT_PATTERNS[("GB", "ELECTRICITY")]:
        return mpan_check_digit(value[:12]) != value[12]
    return False


def always(node, ctx) -> bool:
    return True


def never(node, ctx) -> bool:
    return False


def detail_type_mismatch(value, expected: str) -> bool:
    kinds = {"str": str, "int": int, "bool": bool}
    kind = kinds.get(expected, str)
    if kind is int and isinstance(value, bool):
        return True
    return not isinstance(value, kind)
