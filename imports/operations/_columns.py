"""The payload integers an account import stores in integer columns, checked against each column's
real range (`kernel.sanitise.integer_problem`) before anything is written, so a number the column
cannot hold is a `min_value`/`max_value` failure at its attr, not a database error at write time.
(Amounts need no such check: the schema's decimal patterns bound their digits far within bigint
minor units.)"""

from __future__ import annotations

from collections.abc import Iterator
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


def currency_of(territory: str) -> str:
    return CURRENCIES.get(territory, "GBP")


def market_of(territory: str) -> str:
    """The metering market a supplier's meter points are in (GB when the territory has none)."""
    return territory if territory in metering_models.Market.values else metering_models.Market.GB


def column_failures(data: Any, *, document: str, territory: str) -> list[base.Failure]:
    """Every integer of `data` (a `document` request) that its column cannot hold, at its attr.
    Values of the wrong type are left to the schema check. Raises nothing."""
    failures = []
    for (doc, location), field in INTEGERS.items():
        if doc != document:
            continue
        for path, value in _located(data, location):
            if isinstance(value, int) and not isinstance(value, bool):
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


def _located(node: Any, location: str, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, value) of every value at `location` (dotted keys, `[]` for each item of a list)."""
    head, _, rest = location.partition(".")
    key = head.removesuffix("[]")
    if not isinstance(node, dict) or node.get(key) is None:
        return
    value = node[key]
    if head.endswith("[]"):
        if not isinstance(value, list):
            return
        for index, item in enumerate(value):
            if rest:
                yield from _located(item, rest, (*path, key, index))
            else:
                yield (*path, key, index), item
    elif rest:
        yield from _located(value, rest, (*path, key))
    else:
        yield (*path, key), value
