"""Demo data for `make run`, made by the product's own paths.

Customers join through the import operation the Data Import API runs; their meters' readings go in
through metering's bulk paths (half-hourly data for smart meters, at least 13 months for the demo
customer, register reads for traditional ones); monthly billing runs bill them on the real
calculation; direct debits are collected at LocalPay, the local payment server (started here as a
process of its own, the adapter talking HTTP to it); a customer moves out, an account goes dormant. Nothing is in
a ledger that the engine did not write. `kraken.demo_graphql` adds saving sessions (settled from
the half-hourly data, paying loyalty points), telemetry and the device catalogue.

Idempotent: everything is written in one transaction, under an advisory lock, and only if the demo
product does not exist yet, so a second run changes nothing. Passwords and the import key are fixed,
development-only values printed by `make run`.
"""

from __future__ import annotations

import contextlib
import random
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from billing import models as billing
from billing import queries as billing_queries
from kraken.demo import _catalogue, _history, _population
from kraken.demo._constants import (
    ADVISORY_LOCK_ID,
    AGILE_PRODUCT_CODE,
    DEMO_CUSTOMER_EMAIL,
    DEMO_CUSTOMER_PASSWORD,
    DEMO_IMPORT_API_KEY,
    DEMO_IMPORT_SUPPLIER,
    DEMO_PRODUCT_CODE,
    GO_PRODUCT_CODE,
    INTELLIGENT_PRODUCT_CODE,
    MONTHS_OF_HISTORY,
    PAYMENT_VENDOR,
    saving_session_starts,
)

__all__ = [
    "ADVISORY_LOCK_ID",
    "AGILE_PRODUCT_CODE",
    "DEMO_CUSTOMER_EMAIL",
    "DEMO_CUSTOMER_PASSWORD",
    "DEMO_IMPORT_API_KEY",
    "DEMO_IMPORT_SUPPLIER",
    "DEMO_PRODUCT_CODE",
    "GO_PRODUCT_CODE",
    "INTELLIGENT_PRODUCT_CODE",
    "MONTHS_OF_HISTORY",
    "DemoSummary",
    "load_demo_data",
    "local_payments",
    "saving_session_starts",
]


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    accounts: int
    half_hours: int = 0
    readings: int = 0
    bills: int = 0
    payments: int = 0


def load_demo_data(*, now: datetime, account_count: int = 300, seed: int = 42) -> DemoSummary:
    """Load the demo set unless it is already there."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_ID])
        if billing.Product.objects.filter(code=DEMO_PRODUCT_CODE).exists():
            return DemoSummary(created=False, accounts=account_count)
        rng = random.Random(seed)
        tz = billing_queries.billing_time_zone()
        since = _population.c.month_start(now, MONTHS_OF_HISTORY, tz)
        _catalogue.create_products(
            since=since, until=(now + timedelta(days=1)).date(), now=now, tz=tz, rng=rng
        )
        supplier = _catalogue.import_supplier()
        plans = _population.plans(count=account_count, now=now, tz=tz, rng=rng)
        with local_payments() as url:
            tally = _history.History(
                now=now, tz=tz, rng=rng, plans=plans, supplier=supplier, localpay_url=url
            ).replay()
    return DemoSummary(
        created=True,
        accounts=tally.accounts,
        half_hours=tally.half_hours,
        readings=tally.readings,
        bills=tally.bills,
        payments=tally.payments,
    )


@contextlib.contextmanager
def local_payments() -> Iterator[str]:
    """LocalPay, the local payment server, in a process of its own (so vendor calls run beside
    this one), with the payment adapter pointed at it (and standing in for the demo mandates'
    vendor) until the block ends. Yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "billing.vendors.localpay_server", "--port", "0"],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    saved = {name: getattr(settings, name, None) for name in ("LOCALPAY_URL", "PAYMENT_VENDOR_STAND_INS")}
    try:
        line = process.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(f"LocalPay did not start: {line!r}")
        url = line.rsplit(" ", 1)[1].strip()
        settings.LOCALPAY_URL = url
        settings.PAYMENT_VENDOR_STAND_INS = {PAYMENT_VENDOR: "localpay"}
        yield url
    finally:
        for name, value in saved.items():
            setattr(settings, name, value)
        process.terminate()
        process.wait(timeout=10)
