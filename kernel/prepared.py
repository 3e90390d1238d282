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

On PostgreSQL the compiled SQL also runs as a server-side prepared statement of the connection
(psycopg's `prepare=True` on a server-binding cursor; Django's own cursors bind on the client and
cannot): the server parses and plans it once per connection instead of once per call. psycopg keeps
the names of a connection's statements with the connection object and forgets them whenever the
session may have lost them or they may be stale (a rollback, DISCARD ALL, DEALLOCATE ALL, DROP,
ALTER); a new connection (closed and reopened, or another one of the pool) starts with none. A
connection whose `prepare_threshold` is None (`DATABASE_PREPARED_STATEMENTS` off, e.g. behind a
PgBouncer in transaction mode older than 1.21 or without `max_prepared_statements`) runs the SQL
through Django's cursor as before. Integer parameters are sent as `bigint`, so one statement
serves every value (psycopg would otherwise type a small int as smallint and a large one as
integer, each a statement of its own).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Hashable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import QuerySet
from django.db.models.sql.compiler import cursor_iter
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE, MULTI
from psycopg.types.numeric import Int8

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
        # The row converters of the select (the fields' own: no backend of this project adds any
        # that depend on the connection), worked out once instead of for every execution.
        select = [s[0] for s in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(select)
        self.converters = lambda expressions: converters

    def run(self, values: list) -> list:
        params = list(self.params)
        for slot, value in zip(self.slots, values, strict=True):
            params[slot] = value
        compiler = copy.copy(self.compiler)
        # Connections are per thread: the compiler runs on this thread's.
        connection = compiler.connection = connections[self.queryset.db]
        sql = self.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        compiler.get_converters = self.converters
        if connection.vendor == "postgresql":
            compiler.execute_sql = _PreparedExecution(compiler, sql, params)
        queryset = self.queryset._chain()
        query = queryset.query
        query.get_compiler = lambda using=None, connection=None, elide_empty=True: compiler
        return list(queryset)


class _PreparingCursor(ServerBindingCursor):
    """Django's server-binding psycopg cursor whose every execution is of a prepared statement of
    its connection (prepared on the first execution of that SQL and parameter types there)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)

    def _maybe_prepare_gen(self, pgq, *, prepare=None, binary=None):
        # psycopg records the query it sends only when it does not prepare it; Django's query log
        # (`last_executed_query`: DEBUG, assertNumQueries' listing) reads it, so record it here.
        self._query = pgq
        return super()._maybe_prepare_gen(pgq, prepare=prepare, binary=binary)


def _preparing_cursor(connection):
    """A Django cursor of `connection` (opened if need be; queries logged and errors translated as
    for any of its cursors) over a `_PreparingCursor`, or None when the connection does not prepare
    statements (its `prepare_threshold` is None)."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        return None
    factory = raw.cursor_factory
    raw.cursor_factory = _PreparingCursor
    try:
        return connection.cursor()
    finally:
        raw.cursor_factory = factory


class _PreparedExecution:
    """`execute_sql` of a compiled shape's compiler: the rows of its SQL through a prepared
    statement (see the module's docstring), or the compiler's own `execute_sql` when the connection
    does not prepare statements or the caller wants another kind of result than rows."""

    def __init__(self, compiler, sql: str, params: list):
        self.compiler = compiler
        self.sql = sql
        self.params = [Int8(p) if type(p) is int else p for p in params]

    def __call__(self, result_type=MULTI, chunked_fetch=False, chunk_size=GET_ITERATOR_CHUNK_SIZE):
        compiler = self.compiler
        cursor = _preparing_cursor(compiler.connection) if result_type == MULTI else None
        if cursor is None:
            return type(compiler).execute_sql(compiler, result_type, chunked_fetch, chunk_size)
        try:
            cursor.execute(self.sql, self.params)
        except Exception:
            cursor.close()
            raise
        return list(
            cursor_iter(
                cursor,
                compiler.connection.features.empty_fetchmany_value,
                compiler.col_count if compiler.has_extra_select else None,
                chunk_size,
            )
        )


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


def first(key: Hashable, build: Callable[..., QuerySet], *args):
    """The first of `rows(key, build, *args)`, or None when there are none."""
    found = rows(key, build, *args)
    return found[0] if found else None
