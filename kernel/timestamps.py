"""A faster loader of PostgreSQL `timestamptz` values for Django's connections.

Django (USE_TZ) registers a pure-Python loader on every connection: psycopg's Python
`TimestamptzLoader` (a regular expression and several objects per value) followed by a
`replace(tzinfo=UTC)`, even when psycopg's C loader is installed. Every timestamp of every row goes
through it: a sizeable share of a GraphQL request that reads a few hundred of them.

Django's connections talk to the server in UTC (`ensure_timezone`, `TIME_ZONE` unset in
`DATABASES`), and psycopg's C loader returns values in the connection's time zone, with
`datetime.timezone.utc` for UTC: the same aware datetimes, parsed in C. Out-of-range values
(`infinity`, `-infinity`) raise DataError as Django's loader does.
"""

from __future__ import annotations

import datetime as dt

from psycopg import adapters, postgres
from psycopg.adapt import Loader
from psycopg.pq import Format

# psycopg's own loader for text timestamptz: the C one when psycopg[binary] or [c] is installed
# (a final class: it is wrapped, not subclassed).
_PSYCOPG_LOADER = adapters.get_loader(postgres.types["timestamptz"].oid, Format.TEXT)


class UTCTimestamptzLoader(Loader):
    """psycopg's `timestamptz` loader, marked as loading in UTC: Django registers its own loader on a
    cursor whose connection's loader reports another `timezone` than the connection's."""

    timezone = dt.UTC

    def __init__(self, oid: int, context=None):
        super().__init__(oid, context)
        # The wrapped loader's own bound method, shadowing `load` below: psycopg calls it per value
        # without a Python frame.
        self._loader = _PSYCOPG_LOADER(oid, context)
        self.load = self._loader.load

    def load(self, data) -> dt.datetime:
        return self._loader.load(data)


def install(connection) -> None:
    """Register the loader on a new Django connection (`connection_created`) that talks to the
    server in UTC; a connection in another time zone keeps Django's loader."""
    if connection.vendor != "postgresql" or connection.timezone is not dt.UTC:
        return
    connection.connection.adapters.register_loader("timestamptz", UTCTimestamptzLoader)
