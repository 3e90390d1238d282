"""The payload integers an account import stores in integer columns, checked against each column's
real range (`kernel.sanitise.integer_problem`) before anything is written, so a number the column
cannot hold is a `min_value`/`max_value` failure at its attr, not a database error at write time.
(Amounts need no such check: the schema's decimal patterns bound their digits far within bigint
minor units.)"""

from __future__ import annotations

from typing import Any

from imports import error_codes
from imports.rules import base
from kernel import sanitise
from metering import models as metering_models

CURRENCIES = {"GB": "GBP", "JP": "JPY", "AU": "AUD"}
_POINTS = "supply_addresses[].meter_points[]"
# (document, location of the value) -> the model field the value is written to.
INTEGERS = {
    (base.ACCOUNT, f"{_POINTS}.profile_class"): metering_models.MeterPoint._meta.get_field("profile_class"),
    (base.ACCOUNT, f"{_POINTS}.meters[].registers[].number_of_digits"): (
        metering_models.Register._meta.get_field("digits")
    ),
}


# Each location as (key, is a list) steps, and each column's range, worked out once.
_STEPS = {
    (document, tuple((part.removesuffix("[]"), part.endswith("[]")) for part in location.split("."))): field
    for (document, location), field in INTEGERS.items()
}
_RANGES: dict = {}


def currency_of(territory: str) -> str:
    return CURRENCIES.get(territory, "GBP")


def market_of(territory: str) -> str:
    """The metering market a supplier's meter points are in (GB when the territory has none)."""
    return territory if territory in metering_models.Market.values else metering_models.Market.GB


def column_failures(data: Any, *, document: str, territory: str) -> list[base.Failure]:
    """Every integer of `data` (a `document` request) that its column cannot hold, at its attr.
    Values of the wrong type are left to the schema check. Raises nothing."""
    failures = []
    for (doc, location), field in _STEPS.items():
        if doc != document:
            continue
        for path, value in _located(data, location):
            if value.__class__ is int or (isinstance(value, int) and not isinstance(value, bool)):
                if (low_high := _RANGES.get(field)) is None:
                    low_high = _RANGES[field] = sanitise.integer_range(field)
                low, high = low_high
                if (low is not None and value < low) or (high is not None and value > high):
                    failures += _range_failure(path, value, field)
    return failures


def _range_failure(path: tuple, value: int, field) -> list[base.Failure]:
    problem = sanitise.integer_problem(value, field)
    if problem is None:
        return []
    low, _ = sanitise.integer_range(field)
    code = error_codes.MIN_VALUE if low is not None and value < low else error_codes.MAX_VALUE
    return [
        base.Failure(base.attr_of(path), code, f"This value {problem} (the column's range).", "columns", 0)
    ]


def _located(node: Any, steps: tuple[tuple[str, bool], ...]) -> list[tuple[tuple, Any]]:
    """(path, value) of every value at the location `steps` ((key, each item of a list) per dotted
    part), walked level by level: the cost every account pays, so no generator per node."""
    level: list[tuple[tuple, Any]] = [((), node)]
    for key, is_list in steps:
        following: list[tuple[tuple, Any]] = []
        for path, above in level:
            if not isinstance(above, dict) or above.get(key) is None:
                continue
            value = above[key]
            if not is_list:
                following.append(((*path, key), value))
            elif isinstance(value, list):
                following.extend(((*path, key, index), item) for index, item in enumerate(value))
        if not following:
            return []
        level = following
    return level
