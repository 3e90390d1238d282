"""Hypothesis strategies for hostile input, and a tally of what the fuzz tests sent per door.

The classes of hostile input (issue 13): NUL characters, lone surrogates, control characters, numbers
no column holds (huge, negative), impossible dates, deep nesting. Each strategy draws one class and
a value of it; the fuzz tests inject it into a valid request at a place that class can reach.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

NUL = "nul"
SURROGATE = "lone surrogate"
CONTROL = "control character"
HUGE_NUMBER = "huge number"
NEGATIVE_NUMBER = "negative number"
IMPOSSIBLE_DATE = "impossible date"
DEEP_NESTING = "deep nesting"
TEXT_CLASSES = (NUL, SURROGATE, CONTROL)

FUZZ_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What each fuzz test sent: door -> class -> count (written to .local/fuzz-tally.json at the end).
TALLY: dict[str, Counter] = {}
TALLY_PATH = Path(__file__).resolve().parent.parent / ".local" / "fuzz-tally.json"

_plain = st.text(alphabet="abcXYZ019 -", max_size=6)
_bad_characters = {
    NUL: st.just("\x00"),
    SURROGATE: st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    CONTROL: st.sampled_from([chr(c) for c in (*range(1, 9), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)]),
}


def hostile_text(kind: str) -> st.SearchStrategy[str]:
    """Text holding one character of `kind` somewhere."""
    return st.builds(lambda a, bad, b: a + bad + b, _plain, _bad_characters[kind], _plain)


def huge_number() -> st.SearchStrategy[int]:
    """Integers no column holds (beyond bigint either way), and numbers past an int or a smallint."""
    return st.one_of(
        st.integers(min_value=2**63, max_value=10**40),
        st.integers(max_value=-(2**63) - 1, min_value=-(10**40)),
        st.sampled_from([2**31, 2**32, 2**15, 10**18, 2**63 - 1]),
    )


def negative_number() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(min_value=-(2**31), max_value=-1), st.sampled_from([-1, -(2**31), -(2**63)]))


def impossible_date() -> st.SearchStrategy[str]:
    """Strings shaped like dates that name no real day."""
    return st.one_of(
        st.sampled_from(["2026-02-30", "2026-02-29", "2026-13-01", "2026-00-10", "2026-06-31", "0000-01-01"]),
        st.builds(
            lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
            st.integers(1, 9999),
            st.integers(13, 99),
            st.integers(1, 28),
        ),
        st.builds(lambda y, d: f"{y:04d}-04-{d:02d}", st.integers(1, 9999), st.integers(31, 99)),
    )


def impossible_instant() -> st.SearchStrategy[str]:
    return st.builds(
        lambda day, hour: f"{day}T{hour:02d}:00:00Z", impossible_date(), st.integers(0, 23)
    ) | st.builds(lambda hour: f"2026-06-01T{hour:02d}:00:00Z", st.integers(24, 99))


def deep_nesting() -> st.SearchStrategy:
    """A JSON value nested deeper than any door accepts (33 to 300 levels of objects or lists)."""

    def nest(depth: int, as_list: bool):
        value: object = "x"
        for _ in range(depth):
            value = [value] if as_list else {"a": value}
        return value

    return st.builds(nest, st.integers(33, 300), st.booleans())


def tally(door: str, kind: str) -> None:
    TALLY.setdefault(door, Counter())[kind] += 1


def write_tally() -> None:
    """Add this run's tally to .local/fuzz-tally.json (the closing note's counts come from it)."""
    TALLY_PATH.parent.mkdir(parents=True, exist_ok=True)
    TALLY_PATH.write_text(
        json.dumps({door: dict(counts) for door, counts in sorted(TALLY.items())}, indent=2)
    )


def to_json(document) -> str:
    """JSON as any client can send it: non-ASCII escaped, so a lone surrogate travels as `\\ud800`."""
    return json.dumps(document, ensure_ascii=True)


def paths(node, path=()):
    """(path, value) of every value in a document, containers included (the root excepted)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key), value
            yield from paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*path, index), value
            yield from paths(value, (*path, index))
