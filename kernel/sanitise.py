"""The one input-sanitising layer every door uses before a value can reach the database.

PostgreSQL refuses text holding a NUL character, psycopg refuses to encode a lone surrogate, and an
integer column refuses a value beyond its range: each of those, let through, becomes an HTTP 500
with raw database text. Doors call these checks first and answer their own documented 4xx instead
(imports: a rule code at the offending `attr`; GraphQL: KT-CT-4321; CDR: Field/Invalid; REST: 400;
admin: a form error).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db import models as django_models

# Control characters other than tab, newline and carriage return never belong in stored text.
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_DEPTH = 32

NUL = "contains a NUL character"
SURROGATE = "is not valid Unicode (a lone surrogate)"
CONTROL = "contains a control character"
TOO_DEEP = f"is nested more than {MAX_DEPTH} levels deep"


@dataclasses.dataclass(frozen=True)
class Problem:
    """What is wrong with one value, and where it is in the document (keys and list indexes)."""

    path: tuple[str | int, ...]
    message: str

    @property
    def attr(self) -> str:
        """The path in the dotted form the imports API reports (`meter_points.0.mpan`)."""
        return ".".join(str(part) for part in self.path)


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None when it can."""
    found = _UNSAFE_CHARACTERS.search(value)
    if found is None:
        return None
    character = found.group()
    if character == "\x00":
        return NUL
    if "\ud800" <= character <= "\udfff":
        return SURROGATE
    return CONTROL


def is_safe_text(value: str) -> bool:
    return _UNSAFE_CHARACTERS.search(value) is None


def document_problems(document: Any, *, path: tuple[str | int, ...] = ()) -> list[Problem]:
    """Every string (keys included) in a parsed JSON document that cannot be stored, and nesting
    deeper than MAX_DEPTH, each with its path."""
    return list(_walk(document, path, 0))


def _walk(value: Any, path: tuple[str | int, ...], depth: int) -> Iterator[Problem]:
    if depth > MAX_DEPTH:
        yield Problem(path, TOO_DEEP)
        return
    if isinstance(value, str):
        if (message := text_problem(value)) is not None:
            yield Problem(path, message)
    elif isinstance(value, dict):
        for key, item in value.items():
            key_path = (*path, key)
            if isinstance(key, str) and (message := text_problem(key)) is not None:
                yield Problem(key_path, f"key {message}")
                continue
            yield from _walk(item, key_path, depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index), depth + 1)


def integer_range(field: django_models.Field) -> tuple[int | None, int | None]:
    """The values the database column of an integer model field can hold (None: unbounded)."""
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return low, high


def integer_problem(value: int, field: django_models.Field) -> str | None:
    """Why `value` does not fit the column of the integer model field `field`, or None."""
    low, high = integer_range(field)
    if low is not None and value < low:
        return f"must be at least {low}"
    if high is not None and value > high:
        return f"must be at most {high}"
    return None


def date_problem(value: str) -> str | None:
    """Why `value` is not a real calendar date in ISO form (YYYY-MM-DD), or None."""
    try:
        datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return "is not a real date (YYYY-MM-DD)"
    return None
