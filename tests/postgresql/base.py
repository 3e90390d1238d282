"""The tests' database backend: Django's PostgreSQL backend, flushing by DELETE instead of TRUNCATE.

Each transactional test (a real Celery worker, the live server, a browser) ends with `flush`. A
TRUNCATE of every table (80 of them, some partitioned) gives each its new empty files and costs
about 2.5 s however little the test wrote; deleting the rows of tables that hold a handful costs a
tenth of a second. The database the next test finds is the same: every row of every table gone,
sequences left where they were (as TRUNCATE without RESTART IDENTITY leaves them).

`ENGINE` in tests/settings.py; the processes tests start (workers, beat) use the project's own.
"""

from __future__ import annotations

import graphlib

from django.db.backends.postgresql import base, operations

# Tables with a trigger on DELETE (the ledgers refuse it: they are append-only).
DELETE_TRIGGERS = """
SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE NOT t.tgisinternal AND t.tgtype & 8 <> 0 AND c.relname = ANY(%s)
"""
# Foreign keys checked at each statement's end rather than at commit: (referencing, referenced).
IMMEDIATE_FOREIGN_KEYS = """
SELECT src.relname, dst.relname FROM pg_constraint k
JOIN pg_class src ON src.oid = k.conrelid JOIN pg_class dst ON dst.oid = k.confrelid
WHERE k.contype = 'f' AND NOT k.condeferrable AND k.conrelid <> k.confrelid
"""


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        """Empty `tables`: those a trigger guards against DELETE are truncated (with the tables
        referring to them), only if they hold a row; the others' rows are deleted, tables whose
        rows others refer to by an immediately checked key after those others."""
        if not tables or reset_sequences:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        with self.connection.cursor() as cursor:
            cursor.execute(DELETE_TRIGGERS, [list(tables)])
            guarded = sorted(row[0] for row in cursor.fetchall())
            cursor.execute(IMMEDIATE_FOREIGN_KEYS)
            referred_to_by: dict[str, set[str]] = {table: set() for table in tables}
            for referencing, referenced in cursor.fetchall():
                if referencing in referred_to_by and referenced in referred_to_by:
                    referred_to_by[referenced].add(referencing)
        statements = []
        if guarded:
            names = [self.quote_name(table) for table in guarded]
            any_row = " OR ".join(f"EXISTS (SELECT FROM {name})" for name in names)
            statements.append(
                f"DO $$ BEGIN IF {any_row} THEN TRUNCATE {', '.join(names)} CASCADE; END IF; END $$;"
            )
        statements.append("SET CONSTRAINTS ALL DEFERRED;")
        statements += [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in graphlib.TopologicalSorter(referred_to_by).static_order()
            if table not in guarded
        ]
        return statements


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
