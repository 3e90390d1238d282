"""Bulk loading with COPY, bulk updates from arrays, and filters on many values as one array.

Rows are plain named tuples whose fields are the table's columns (ids drawn beforehand with
`reserve_ids`), written with COPY inside the caller's transaction. COPY honours every constraint
and trigger an INSERT does (unique keys, checks, foreign keys, composite keys): a refused row raises
IntegrityError and the caller's transaction (or savepoint) must roll back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db import models as django_models
from django.db.models import Lookup
from psycopg.types import json as psycopg_json


def reserve_ids(
    *, counts: Mapping[type[django_models.Model], int]
) -> dict[type[django_models.Model], list[int]]:
    """Draw ids from each model's primary-key sequence, `count` per model, in one query. Ids drawn
    and not used stay gaps, as after any rolled-back insert."""
    wanted = [(model, count) for model, count in counts.items() if count > 0]
    ids: dict[type[django_models.Model], list[int]] = {model: [] for model in counts}
    if not wanted:
        return ids
    # The sequence is looked up once per model (OFFSET 0 keeps the subquery from being flattened
    # into the series): per id, the lookup cost ~15 µs, fifteen times the nextval.
    sql = "SELECT " + ", ".join(
        "(SELECT array_agg(nextval(s.seq)) FROM generate_series(1, %s), "
        "(SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq OFFSET 0) AS s)"
        for _ in wanted
    )
    params = [value for model, count in wanted for value in (count, model._meta.db_table)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        arrays = cursor.fetchone()
    for (model, _), drawn in zip(wanted, arrays, strict=True):
        ids[model] = sorted(drawn)
    return ids


def copy_rows(
    *, model: type[django_models.Model], rows: Sequence[tuple], now: datetime, binary: bool = False
) -> None:
    """COPY `rows` (named tuples named after the model's fields, all of one type) into the model's
    table. Columns the tuples leave out get what Django would give them: `now` for timestamps set
    on creation, a constant default, or NULL; a column with a database default (`db_default`, e.g.
    a number drawn from a sequence) is left to the database. With `binary`, COPY's binary format:
    each value goes as the column's own type (an int for an integer column, a str for text, Decimal
    for numeric, an aware datetime for a timestamp), which spares formatting and parsing text; for
    the rows a caller builds itself, where the types are known. Raises IntegrityError (the database
    refuses a row), ValueError if a left-out column needs a value per row (a callable default on a
    unique field)."""
    if not rows:
        return
    fields = {field.attname: field for field in model._meta.concrete_fields}
    names = list(type(rows[0])._fields)
    extra_names, extra_values = [], []
    for attname, field in fields.items():
        if attname in names or field.primary_key or field.has_db_default():
            continue
        extra_names.append(attname)
        extra_values.append(_column_default(field, now))
    columns = names + extra_names
    json_at = [i for i, name in enumerate(columns) if isinstance(fields[name], django_models.JSONField)]
    extra = tuple(psycopg_json.Jsonb(v) if isinstance(v, dict | list) else v for v in extra_values)
    table = model._meta.db_table
    column_list = ", ".join(f'"{fields[name].column}"' for name in columns)
    sql = f'COPY "{table}" ({column_list}) FROM STDIN' + (" (FORMAT BINARY)" if binary else "")
    if connection.queries_logged:  # counted like any statement (assertNumQueries, debug logs)
        connection.queries_log.append({"sql": sql, "time": "0.000"})
    # The wrapper turns psycopg's errors into Django's (IntegrityError, ...), as a Django cursor does.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        types = _column_types(cursor.cursor, table) if binary else {}
        with cursor.cursor.copy(sql) as copy:
            if binary:
                copy.set_types([types[fields[name].column] for name in columns])
            write = copy.write_row
            json_in_row = [i for i in json_at if i < len(names)]
            if json_in_row:
                for row in rows:
                    values = list(row)
                    for i in json_in_row:
                        if values[i] is not None:
                            values[i] = psycopg_json.Jsonb(values[i])
                    write((*values, *extra))
            elif extra:
                for row in rows:
                    write((*row, *extra))
            else:
                for row in rows:
                    write(row)


# Per table, each column's type oid, read from the catalogue once per process.
_TYPES: dict[str, dict[str, int]] = {}


def _column_types(cursor, table: str) -> dict[str, int]:
    """On psycopg's own cursor: a lookup of the schema, not one of the caller's statements."""
    if table not in _TYPES:
        cursor.execute(
            "SELECT attname, atttypid::int FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        _TYPES[table] = dict(cursor.fetchall())
    return _TYPES[table]


def copy_text(*, model: type[django_models.Model], columns: Sequence[str], lines: Sequence[str]) -> None:
    """COPY lines already in COPY's text format (tab-separated values in `columns` order, newline-
    ended, `\\N` for NULL, escaped by the caller) into the model's table: for generated bulk data,
    where formatting each value through `copy_rows` would cost more than the write. Raises
    IntegrityError as `copy_rows`."""
    if not lines:
        return
    fields = {field.attname: field for field in model._meta.concrete_fields}
    column_list = ", ".join(f'"{fields[name].column}"' for name in columns)
    sql = f'COPY "{model._meta.db_table}" ({column_list}) FROM STDIN'
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": "0.000"})
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(sql) as copy:
            for start in range(0, len(lines), 50_000):
                copy.write("".join(lines[start : start + 50_000]))


def _column_default(field: django_models.Field, now: datetime):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        if callable(field.default) and isinstance(field, django_models.DateTimeField):
            return now
        if callable(field.default) and field.unique:
            raise ValueError(f"{field.model.__name__}.{field.name} needs a value per row")
        return field.get_default()
    if field.null:
        return None
    if field.blank and isinstance(field, django_models.CharField):
        return ""
    raise ValueError(f"{field.model.__name__}.{field.name} has no default")


def update_rows(*, model: type[django_models.Model], rows: Sequence[tuple]) -> None:
    """Update many rows of the model's table in one statement: `rows` are named tuples whose first
    field is the primary key's and the others name the columns to set, one array per column
    (`UPDATE … FROM unnest(…)`), inside the caller's transaction."""
    if not rows:
        return
    fields = {field.attname: field for field in model._meta.concrete_fields}
    names = list(type(rows[0])._fields)
    key, columns = names[0], names[1:]
    arrays = ", ".join(f"%s::{fields[name].db_type(connection)}[]" for name in names)
    aliases = ", ".join(f'"{name}"' for name in names)
    assignments = ", ".join(f'"{fields[name].column}" = v."{name}"' for name in columns)
    sql = (
        f'UPDATE "{model._meta.db_table}" AS t SET {assignments} '
        f"FROM unnest({arrays}) AS v({aliases}) "
        f'WHERE t."{fields[key].column}" = v."{key}"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [array_param(column) for column in zip(*rows, strict=True)])


def array_param(values: Sequence) -> str | list:
    """`values` as one parameter for an array cast in the SQL (`%s::bigint[]`): one PostgreSQL array
    literal (`{1,NULL,"a b"}`) if each is an int, a str, an aware datetime or None, else the list.
    psycopg adapts a list element by element, choosing a type for each (about 4 ms for 1,000 ints),
    where one string is sent as it is."""
    parts = []
    append = parts.append
    for value in values:
        kind = type(value)
        if kind is int:
            append(str(value))
        elif value is None:
            append("NULL")
        elif kind is str:
            append('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')
        elif kind is datetime and value.tzinfo is not None:
            append(f'"{value.isoformat()}"')
        else:
            return list(values)
    return "{" + ",".join(parts) + "}"


class AnyOf(Lookup):
    """`filter(AnyOf(F("account_id"), ids))`: `account_id = ANY(%s)` with the values sent as one
    array, where `account_id__in=ids` compiles and quotes a placeholder per value (about 7 ms of
    Python per query for 1,000 ids). The same rows; an empty list matches none without a query."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        values = list(value)
        # Integers (ids) go as one bigint[] literal: adapting a list costs psycopg a type per element.
        if all(type(v) is int for v in values):
            return "%s::bigint[]", ["{" + ",".join(map(str, values)) + "}"]
        return "%s", [values]

    def as_sql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet  # as `__in=[]` does: no query at all
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
