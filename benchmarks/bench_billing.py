"""Billing run throughput: accounts billed by ONE Celery worker process, end to end (broker, chunk
tasks, calculation, bills, lines, ledger entries, statements, audit rows), against a set-based SQL
baseline that computes the same totals in one statement in the same run. Totals must match to the
penny. Two parts:

- registers: 10,000 accounts billed from two register reads each (target 3,000 accounts/s on one
  worker);
- half_hourly: 5,000 smart-meter accounts with a month of half hours each (1,488), billed per half
  hour on Agile-, Go- and Intelligent-style tariffs (target 500 accounts/s; benchmarks/_half_hourly_billing.py).

Runs in its own database (`bench_kraken_billing`, dropped and re-created each time) and its own
Redis database (BENCH_REDIS_URL, default: the configured Redis with db 15), so it never touches dev
data or a dev worker's queues.

    make bench BENCH_ARGS=billing          (BENCH_BILLING_ACCOUNTS=2000 BENCH_BILLING_HH_ACCOUNTS=1000
                                            for a quicker run; BENCH_BILLING_PARTS=half_hourly for one part)
"""

from __future__ import annotations

import datetime as dt
import os
import time
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection
from django.db.models import Sum

from benchmarks import _customers, _half_hourly_billing, database

BENCH_DATABASE = "bench_kraken_billing"
ACCOUNTS = int(os.environ.get("BENCH_BILLING_ACCOUNTS", "10000"))
TARGET_ACCOUNTS_PER_SECOND = 3_000
HH_ACCOUNTS = int(os.environ.get("BENCH_BILLING_HH_ACCOUNTS", "5000"))
HH_TARGET_ACCOUNTS_PER_SECOND = 500
PARTS = os.environ.get("BENCH_BILLING_PARTS", "registers,half_hourly").split(",")
PERIOD_START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
PERIOD_END = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)

BASELINE_SQL = """
WITH lines AS (
    SELECT a.account_id, p.tax_rate,
           ROUND(ROUND(%(days)s::numeric, 4) * t.standing_charge) AS amount
    FROM billing_agreement a
    JOIN billing_tariff t ON t.id = a.tariff_id
    JOIN billing_product p ON p.id = t.product_id
    UNION ALL
    SELECT a.account_id, p.tax_rate,
           ROUND(ROUND((re.value - rs.value) * reg.multiplier, 4) * r.unit_rate) AS amount
    FROM billing_agreement a
    JOIN billing_tariff t ON t.id = a.tariff_id
    JOIN billing_product p ON p.id = t.product_id
    JOIN metering_meter m ON m.meter_point_id = a.meter_point_id
    JOIN metering_register reg ON reg.meter_id = m.id
    JOIN metering_reading rs ON rs.register_id = reg.id AND rs.read_at = %(start)s
    JOIN metering_reading re ON re.register_id = reg.id AND re.read_at = %(end)s
    JOIN billing_tariffrate r ON r.tariff_id = a.tariff_id AND r.band = reg.rate_band
),
subtotals AS (
    SELECT account_id, tax_rate, SUM(amount) AS subtotal FROM lines GROUP BY account_id, tax_rate
)
SELECT account_id, SUM(subtotal + ROUND(subtotal * tax_rate))::bigint AS total
FROM subtotals GROUP BY account_id
"""


def main() -> None:
    database.use_bench_database(BENCH_DATABASE)
    _use_bench_redis()
    if "registers" in PARTS:
        print(f"--- registers: {ACCOUNTS} accounts billed from register reads", flush=True)
        started = time.monotonic()
        _build_accounts(ACCOUNTS)
        print(f"  built in {time.monotonic() - started:.1f}s", flush=True)
        baseline_seconds, baseline = _baseline()
        run_seconds, run = _billing_run(scope=None)
        _report(ACCOUNTS, run, run_seconds, baseline, baseline_seconds, TARGET_ACCOUNTS_PER_SECOND)
    if "half_hourly" in PARTS:
        print(
            f"--- half_hourly: {HH_ACCOUNTS} smart accounts x {_half_hourly_billing.HALF_HOURS} half hours "
            "(1/2 Agile, 1/4 Go, 1/4 Intelligent with dispatches)",
            flush=True,
        )
        started = time.monotonic()
        numbers = _half_hourly_billing.build_accounts(HH_ACCOUNTS)
        print(f"  built in {time.monotonic() - started:.1f}s", flush=True)
        started = time.monotonic()
        baseline = _half_hourly_billing.baseline(account_numbers=numbers)
        baseline_seconds = time.monotonic() - started
        run_seconds, run = _billing_run(scope={"account_numbers": numbers})
        _report(HH_ACCOUNTS, run, run_seconds, baseline, baseline_seconds, HH_TARGET_ACCOUNTS_PER_SECOND)


def _report(count, run, run_seconds, baseline, baseline_seconds, target) -> None:
    from billing import models

    billed = dict(models.Bill.objects.filter(billing_run=run).values_list("account_id", "total"))
    mismatches = {
        account_id
        for account_id in baseline.keys() | billed.keys()
        if baseline.get(account_id) != billed.get(account_id)
    }
    run.refresh_from_db()
    rate = count / run_seconds
    print(
        f"billing run       : {count} accounts in {run_seconds:.2f}s = {rate:.0f} accounts/s (1 worker process)"
    )
    print(
        f"  status {run.status}, billed {run.billed_accounts}, skipped {run.skipped_accounts}, failed {run.failed_accounts}"
    )
    print(
        f"SQL baseline      : {count} totals in {baseline_seconds:.3f}s = {count / baseline_seconds:.0f} accounts/s"
    )
    print(
        f"ratio             : the billing run takes {run_seconds / baseline_seconds:.2f}x the SQL baseline's time"
    )
    print(f"target            : >= {target} accounts/s: {'MET' if rate >= target else 'MISSED'}")
    print(
        f"totals            : run {sum(billed.values())} vs baseline {sum(baseline.values())} minor units; "
        f"{'IDENTICAL for every account' if not mismatches else f'{len(mismatches)} accounts DIFFER'}"
    )
    lines = models.BillLine.objects.filter(bill__billing_run=run).aggregate(total=Sum("amount"))["total"]
    print(f"  sum of bill lines == sum of bill totals: {lines == sum(billed.values())}", flush=True)


def _use_bench_redis() -> None:
    from kraken import services
    from kraken.celery import app

    url = os.environ.get("BENCH_REDIS_URL")
    if not url:
        parts = urlsplit(settings.REDIS_URL)
        url = urlunsplit(parts._replace(path="/15")) if parts.scheme == "redis" else settings.REDIS_URL
    settings.REDIS_URL = url
    settings.CELERY_BROKER_URL = services.celery_broker_url(url)
    app.conf.broker_url = settings.CELERY_BROKER_URL


def _build_accounts(count: int) -> None:
    """One electricity agreement per account; a quarter on Economy 7 (DAY/NIGHT registers), the rest
    single-rate; readings at both ends of the period; VAT 5 %."""
    from billing import models
    from metering import models as metering_models

    product = models.Product.objects.create(
        code="BENCH",
        display_name="Bench",
        full_name="Bench",
        tax_rate=Decimal("0.05"),
        available_from=PERIOD_START,
    )
    flat = models.Tariff.objects.create(
        product=product, code="BENCH-FLAT", utility_type="ELECTRICITY", standing_charge=Decimal("53.3500")
    )
    e7 = models.Tariff.objects.create(
        product=product, code="BENCH-E7", utility_type="ELECTRICITY", standing_charge=Decimal("48.1250")
    )
    models.TariffRate.objects.bulk_create(
        [
            models.TariffRate(
                tariff=flat, unit_rate=Decimal("24.5670"), active_from=PERIOD_START - dt.timedelta(days=400)
            ),
            models.TariffRate(
                tariff=e7,
                band="DAY",
                unit_rate=Decimal("31.2250"),
                start_time=dt.time(7, 30),
                end_time=dt.time(0, 30),
                active_from=PERIOD_START - dt.timedelta(days=400),
            ),
            models.TariffRate(
                tariff=e7,
                band="NIGHT",
                unit_rate=Decimal("12.9850"),
                start_time=dt.time(0, 30),
                end_time=dt.time(7, 30),
                active_from=PERIOD_START - dt.timedelta(days=400),
            ),
        ]
    )
    built = _customers.electricity_customers(
        count=count,
        first_number=0,
        first_mpan=3000000000000,
        serial_prefix="M",
        smart=False,
        since=PERIOD_START,
    )
    accounts, points, meters = built.accounts, built.points, built.meters
    batch = _customers.BATCH
    registers = metering_models.Register.objects.bulk_create(
        [
            metering_models.Register(meter=meter, identifier=band, rate_band=band)
            for index, meter in enumerate(meters)
            for band in (("DAY", "NIGHT") if index % 4 == 0 else ("STANDARD",))
        ],
        batch_size=batch,
    )
    metering_models.Reading.objects.bulk_create(
        [
            metering_models.Reading(register=register, read_at=moment, value=value, source="SMART")
            for index, register in enumerate(registers)
            for moment, value in (
                (PERIOD_START, Decimal(10_000 + index)),
                (PERIOD_END, Decimal(10_000 + index) + Decimal(index % 617) + Decimal("0.137") * (index % 7)),
            )
        ],
        batch_size=5000,
    )
    models.Agreement.objects.bulk_create(
        [
            models.Agreement(
                account=account,
                meter_point=point,
                tariff=e7 if index % 4 == 0 else flat,
                active_from=PERIOD_START,
            )
            for index, (account, point) in enumerate(zip(accounts, points, strict=True))
        ],
        batch_size=batch,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _baseline() -> tuple[float, dict[int, int]]:
    from billing import calculation, queries
    from kernel import ranges

    days = calculation.wall_clock_days(ranges.Period(PERIOD_START, PERIOD_END), queries.billing_time_zone())
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL, {"days": days, "start": PERIOD_START, "end": PERIOD_END})
        totals = dict(cursor.fetchall())
    return time.monotonic() - started, totals


def _billing_run(*, scope: dict | None):
    from billing import models, operations, tasks
    from kernel import ranges
    from tests.celery_worker import purge_queues, running_worker

    purge_queues([settings.BILLING_QUEUE])
    run = operations.create_billing_run(
        period=ranges.Period(PERIOD_START, PERIOD_END),
        created_at=PERIOD_END,
        scope=scope,
    )
    with running_worker(queues=[settings.BILLING_QUEUE], concurrency=1) as worker:
        started = time.monotonic()
        tasks.start_billing_run.apply_async(kwargs={"billing_run_id": run.pk})
        deadline = started + 600
        while time.monotonic() < deadline:
            status = models.BillingRun.objects.values_list("status", flat=True).get(pk=run.pk)
            if status not in (models.BillingRunStatus.PENDING, models.BillingRunStatus.RUNNING):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"Billing run did not finish in 600s:\n{worker.log()[-3000:]}")
        elapsed = time.monotonic() - started
    return elapsed, run
