"""Rows a class's (or module's) tests only read, written once for all of them rather than once a
test: for data sets that take seconds to load, such as the demo set."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import connection, transaction

T = TypeVar("T")


def loaded_once(django_db_blocker, load: Callable[[], T]) -> Iterator[T]:
    """For a class- or module-scoped fixture (`yield from loaded_once(django_db_blocker, load)`):
    `load()` runs in a transaction held open around the tests, its deferred constraints checked as
    each test's own would be, and everything is rolled back after them, so later tests find the
    database as they would have. Each test still runs in its own savepoint (pytest-django's `db`),
    so what one test writes is gone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        loaded = load()
        connection.check_constraints()
        yield loaded
        transaction.set_rollback(True)
