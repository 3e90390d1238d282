"""The one input-sanitising layer every door uses before a value can reach the database.

PostgreSQL refuses text holding a NUL character, psycopg refuses to encode a lone surrogate, and an
integer column refuses a value beyond its range: each of those, let through, becomes an HTTP 500
with raw database text. Doors call these checks first and answer their own documented 4xx instead
(imports: a rule code at the offending `attr`; GraphQL: KT-CT-4321; CDR: Field/Invalid; REST: 400;
admin: a form error). No business rule lives here: only what the database and JSON can hold.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import math
import re
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db import models as django_models

# Control characters other than tab, newline and carriage return never belong in stored text.
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_DEPTH = 32
REPLACEMENT = "\ufffd"

NUL = "contains a NUL character"
SURROGATE = "is not valid Unicode (a lone surrogate)"
CONTROL = "contains a control character"
TOO_DEEP = f"is nested more than {MAX_DEPTH} levels deep"
NOT_FINITE = "is not a finite number"

# What kind of problem a value has: doors map a kind to their own error code.
NUL_CHARACTER = "nul_character"
SURROGATE_CHARACTER = "surrogate_character"
CONTROL_CHARACTER = "control_character"
NESTED_TOO_DEEPLY = "nested_too_deeply"
ABOVE_RANGE = "above_range"
BELOW_RANGE = "below_range"
NOT_A_FINITE_NUMBER = "not_a_finite_number"

_TEXT_KINDS = {NUL: NUL_CHARACTER, SURROGATE: SURROGATE_CHARACTER, CONTROL: CONTROL_CHARACTER}


@dataclasses.dataclass(frozen=True)
class Problem:
    """What is wrong with one value, and where it is in the document (keys and list indexes; a key
    that cannot be stored appears with its bad characters replaced, so the path is safe to echo)."""

    path: tuple[str | int, ...]
    message: str
    kind: str

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


def safe_text(value: str) -> str:
    """`value` with every character that cannot be stored replaced by U+FFFD."""
    return _UNSAFE_CHARACTERS.sub(REPLACEMENT, value)


def integer_range(field: django_models.Field) -> tuple[int | None, int | None]:
    """The values the database column of an integer model field can hold (None: unbounded)."""
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return low, high


@functools.cache
def widest_integer_range() -> tuple[int | None, int | None]:
    """What the widest integer column (bigint) can hold (the same for every request: cached, since
    building the field and reaching the connection cost more than the check)."""
    return integer_range(django_models.BigIntegerField())


def integer_problem(value: int, field: django_models.Field | None = None) -> str | None:
    """Why `value` does not fit the column of the integer model field `field` (without one: the
    widest integer column, bigint), or None."""
    low, high = integer_range(field) if field is not None else widest_integer_range()
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


def document_problems(document: Any, *, path: tuple[str | int, ...] = ()) -> list[Problem]:
    """Every value of a parsed JSON document that no column can hold, each with its path: strings
    (keys included) with unstorable characters, integers beyond the widest integer column,
    non-finite numbers, and nesting deeper than MAX_DEPTH."""
    if _is_clean(document, 0):
        return []
    return list(_walk(document, path, 0))


def _is_clean(value: Any, depth: int) -> bool:
    """Whether `_walk` would find nothing, without building a path for every value: almost every
    document is clean, and this is the cost each one pays. Its texts are searched at once, joined:
    one search instead of one per text (the characters refused are single ones, and the separator is
    not one of them)."""
    texts: list[str] = []
    return _gather(value, depth, texts) and _UNSAFE_CHARACTERS.search("\n".join(texts)) is None


def _gather(value: Any, depth: int, texts: list[str]) -> bool:
    """Whether `value` holds no nesting, integer or non-finite number that `_walk` would refuse,
    adding its texts (keys included) to `texts` (scalars in containers checked inline)."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, dict):
        if value and depth + 1 > MAX_DEPTH:
            return False
        add = texts.append
        for key, item in value.items():
            if isinstance(key, str):
                add(key)
            kind = type(item)
            if kind is str:
                add(item)
            elif kind is bool or item is None:
                continue
            elif not _gather(item, depth + 1, texts):
                return False
        return True
    if isinstance(value, list | tuple):
        if value and depth + 1 > MAX_DEPTH:
            return False
        add = texts.append
        for item in value:
            if type(item) is str:
                add(item)
            elif not _gather(item, depth + 1, texts):
                return False
        return True
    if isinstance(value, str):
        texts.append(value)
        return True
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        low, high = widest_integer_range()
        return (low is None or value >= low) and (high is None or value <= high)
    if isinstance(value, float):
        return math.isfinite(value)
    return True


def _walk(value: Any, path: tuple[str | int, ...], depth: int) -> Iterator[Problem]:
    if depth > MAX_DEPTH:
        yield Problem(path, TOO_DEEP, NESTED_TOO_DEEPLY)
        return
    if isinstance(value, str):
        if (message := text_problem(value)) is not None:
            yield Problem(path, message, _TEXT_KINDS[message])
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if (message := integer_problem(value)) is not None:
            yield Problem(path, message, BELOW_RANGE if value < 0 else ABOVE_RANGE)
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield Problem(path, NOT_FINITE, NOT_A_FINITE_NUMBER)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and (message := text_problem(key)) is not None:
                yield Problem((*path, safe_text(key)), f"key {message}", _TEXT_KINDS[message])
                continue
            yield from _walk(item, (*path, key), depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index), depth + 1)


def storable(document: Any, *, depth: int = 0) -> Any:
    """A copy of a parsed JSON document that a JSON column can hold: unstorable characters (keys
    included) replaced by U+FFFD, non-finite numbers and parts nested beyond MAX_DEPTH as null. For
    recording a refused document next to the reason it was refused."""
    if isinstance(document, str):
        return safe_text(document)
    if isinstance(document, float) and not math.isfinite(document):
        return None
    if isinstance(document, dict | list | tuple) and depth >= MAX_DEPTH:
        return None  # its items would be nested too deeply
    if isinstance(document, dict):
        return {
            safe_text(key) if isinstance(key, str) else key: storable(item, depth=depth + 1)
            for key, item in document.items()
        }
    if isinstance(document, list | tuple):
        return [storable(item, depth=depth + 1) for item in document]
    return document
