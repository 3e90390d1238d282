"""Querysets whose SQL is compiled once per process and shape, for the hot reads of the customer
graph.

Django builds and compiles a queryset's SQL on every evaluation; for a small read that costs more
than the database's answer (about 0.5 ms of Python per query, against a few tenths of a millisecond
in PostgreSQL). `rows(key, build, *args)` returns `list(build(*args))`, but builds and compiles
`build`'s queryset only once for each `key` and shape of arguments: with stand-in values
(sentinels) in place of the arguments, whose positions in the compiled parameters are recorded;
each call then runs the same SQL with its own values in those positions, through Django's own row
iteration (model instances, `select_related`, `prefetch_related` and converters as usual).

An argument is an int, a str, or a non-empty list of either (an `__in` lookup: its length is part
of the shape). A shape whose sentinels do not each come out as exactly one SQL parameter (a value
Django inlines, transforms or drops) is not cached: every call builds its queryset as usual.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Hashable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

# Far outside any primary key or code: a sentinel is found in the compiled parameters by equality.
_INT_SENTINEL = -7_319_024_612_000_000
_STR_SENTINEL = "\x00prepared-sentinel-"
MAX_SHAPES = 512

_NOT_CACHEABLE = object()
_shapes: dict[Hashable, Any] = {}
_lock = threading.Lock()


class _Shape:
    """A compiled queryset: its template (for cloning), compiler (select, converters), SQL, the
    fixed parameters, and where each argument value goes among them."""

    def __init__(self, queryset: QuerySet, compiler, sql: str, params: tuple, slots: list[int]):
        self.queryset = queryset
        self.compiler = compiler
        self.sql = sql
        self.params = params
        self.slots = slots

    def run(self, values: list) -> list:
        params = list(self.params)
        for slot, value in zip(self.slots, values, strict=True):
            params[slot] = value
        compiler = copy.copy(self.compiler)
        # Connections are per thread: the compiler runs on this thread's.
        compiler.connection = connections[self.queryset.db]
        sql = self.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        queryset = self.queryset._chain()
        query = queryset.query
        query.get_compiler = lambda using=None, connection=None, elide_empty=True: compiler
        return list(queryset)


def _arity(arg) -> int | None:
    return len(arg) if isinstance(arg, list) else None


def _kind(arg) -> type | None:
    """int or str for an argument that can be stood in for, else None."""
    values = arg if isinstance(arg, list) else [arg]
    if not values:
        return None
    kinds = {type(v) for v in values}
    if kinds == {int}:
        return int
    if kinds == {str}:
        return str
    return None


def _sentinels(args: tuple) -> tuple[tuple, list]:
    """Arguments of the same shape made of distinct sentinels, and those sentinels in order."""
    made: list = []

    def one(kind):
        n = len(made)
        value = _INT_SENTINEL - n if kind is int else f"{_STR_SENTINEL}{n}"
        made.append(value)
        return value

    stand_ins = []
    for arg in args:
        kind = _kind(arg)
        stand_ins.append([one(kind) for _ in arg] if isinstance(arg, list) else one(kind))
    return tuple(stand_ins), made


def _prepare(build: Callable[..., QuerySet], args: tuple):
    stand_ins, sentinels = _sentinels(args)
    try:
        queryset = build(*stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
    except (ValueError, TypeError, EmptyResultSet):
        # A value the shape cannot take a sentinel for (a slice bound, say): built every time.
        return _NOT_CACHEABLE
    params = tuple(params)
    slots = []
    for sentinel in sentinels:
        found = [i for i, p in enumerate(params) if type(p) is type(sentinel) and p == sentinel]
        if len(found) != 1:
            return _NOT_CACHEABLE
        slots.append(found[0])
    return _Shape(queryset, compiler, sql, params, slots)


def rows(key: Hashable, build: Callable[..., QuerySet], *args) -> list:
    """`list(build(*args))`, with `build`'s SQL compiled once per `key` and argument shape.
    `key` must name everything about the queryset besides `args` (the same key, the same SQL)."""
    if any(_kind(arg) is None for arg in args):
        return list(build(*args))
    shape_key = (key, tuple(_arity(a) for a in args), tuple(_kind(a) for a in args))
    shape = _shapes.get(shape_key)
    if shape is None:
        shape = _prepare(build, args)
        with _lock:
            if len(_shapes) >= MAX_SHAPES:
                _shapes.clear()
            _shapes[shape_key] = shape
    if shape is _NOT_CACHEABLE:
        return list(build(*args))
    values = [v for arg in args for v in (arg if isinstance(arg, list) else [arg])]
    return shape.run(values)
