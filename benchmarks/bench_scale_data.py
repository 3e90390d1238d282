"""The scale data set, end to end: `generate_scale_data --accounts N --no-bills` into a fresh
database with BENCH_SCALE_WORKERS processes (default 2), then last month billed for every account by
ONE billing run that BENCH_SCALE_BILLING_WORKERS Celery worker processes (default 2) work through,
as production would. Reported against the targets (1,000,000 accounts loaded and billed in under 30
minutes, i.e. at least 556 accounts a second; peak memory of each billing worker <= 500 MB) and a
baseline measured in the same run: the same number of half-hour rows (the bulk of the rows) COPYed
into a plain table without keys, partitions or foreign keys, i.e. what writing the bytes alone
costs on this machine.

    make bench BENCH_ARGS=scale_data                  100,000 accounts
    make bench BENCH_ARGS="scale_data quick"          10,000 accounts
    BENCH_SCALE_ACCOUNTS=1000000 make bench BENCH_ARGS=scale_data
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from benchmarks import database
from benchmarks.bench_billing import _use_bench_redis

BENCH_DATABASE = "bench_kraken_scale_data"
QUICK = "quick" in sys.argv[1:] or os.environ.get("BENCH_QUICK") == "1"
ACCOUNTS = int(os.environ.get("BENCH_SCALE_ACCOUNTS", "10000" if QUICK else "100000"))
WORKERS = int(os.environ.get("BENCH_SCALE_WORKERS", "2"))
BILLING_WORKERS = int(os.environ.get("BENCH_SCALE_BILLING_WORKERS", "2"))
TARGET_SECONDS_PER_MILLION = 30 * 60
TARGET_WORKER_MEMORY_MB = 500


def main() -> None:
    from kraken import scale_data

    database.use_bench_database(BENCH_DATABASE)
    _use_bench_redis()
    now = timezone.now()
    options = scale_data.Options(accounts=ACCOUNTS, seed=1, bills=False, workers=WORKERS)
    summary = scale_data.generate(options=options, now=now, report=_progress)
    billing_seconds, peaks, run = _bill_last_month(now=now)
    seconds = summary.load_seconds + billing_seconds
    baseline = _plain_copy_seconds(rows=summary.half_hours)
    rate = ACCOUNTS / seconds
    print(
        f"{ACCOUNTS:,} accounts ({summary.meter_points:,} meter points, {summary.readings:,} register reads, "
        f"{summary.half_hours:,} half hours, {run.billed_accounts:,} bills) in {seconds:.1f}s: {rate:,.0f} accounts/s"
    )
    print(
        f"  rows: {summary.load_seconds:.1f}s with {WORKERS} processes ({ACCOUNTS / summary.load_seconds:,.0f} accounts/s)"
    )
    print(
        f"  bills: one billing run, {BILLING_WORKERS} Celery worker processes: {billing_seconds:.1f}s "
        f"({ACCOUNTS / billing_seconds:,.0f} accounts/s); status {run.status}, billed {run.billed_accounts:,}, "
        f"skipped {run.skipped_accounts}, failed {run.failed_accounts}"
    )
    print(
        f"  peak memory per billing worker: {', '.join(f'{peak:.0f} MB' for peak in peaks)} "
        f"(target <= {TARGET_WORKER_MEMORY_MB} MB: {'MET' if max(peaks, default=0) <= TARGET_WORKER_MEMORY_MB else 'MISSED'})"
    )
    print(f"  baseline: the same half hours COPYed into a plain table: {baseline:.1f}s")
    print(f"  load and bills / baseline: {seconds / baseline:.1f}x")
    per_million = seconds * 1_000_000 / ACCOUNTS
    measured = "measured" if ACCOUNTS == 1_000_000 else "extrapolated"
    print(
        f"  1,000,000 accounts {measured}: {per_million / 60:.1f} min (target < 30 min: "
        f"{'MET' if per_million < TARGET_SECONDS_PER_MILLION else 'MISSED'})"
    )


def _progress(message: str) -> None:
    print(f"  {message}", flush=True)


def _bill_last_month(*, now):
    """One billing run over every account, worked by BILLING_WORKERS processes of a real Celery
    worker; returns its wall time, each pool process's peak resident memory (MB) and the run."""
    from billing import models, operations, queries, tasks
    from kernel import ranges
    from kraken.demo._constants import month_start
    from tests.celery_worker import purge_queues, running_worker

    tz = queries.billing_time_zone()
    purge_queues([settings.BILLING_QUEUE])
    run = operations.create_billing_run(
        period=ranges.Period(month_start(now, 1, tz), month_start(now, 0, tz)), created_at=now
    )
    with running_worker(queues=[settings.BILLING_QUEUE], concurrency=BILLING_WORKERS) as worker:
        started = time.monotonic()
        tasks.start_billing_run.apply_async(kwargs={"billing_run_id": run.pk})
        deadline = started + 3 * 3600
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status not in (models.BillingRunStatus.PENDING, models.BillingRunStatus.RUNNING):
                break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"Billing run did not finish in 3 hours:\n{worker.log()[-3000:]}")
        elapsed = time.monotonic() - started
        peaks = _pool_peaks_mb(worker.process.pid)
    return elapsed, peaks, run


def _pool_peaks_mb(parent: int) -> list[float]:
    """Peak resident memory (VmHWM) of each pool process under the Celery worker `parent`."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:  # the process ended while being read
            continue
        if fields.get("PPid", "").strip() == str(parent) and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]) / 1024)
    return sorted(peaks)


def _plain_copy_seconds(*, rows: int) -> float:
    """Seconds to COPY `rows` half-hour rows, in the interval table's columns and the generator's
    text format, into a plain (logged) table without keys, partitions or checks."""
    line = "1\t2026-01-01 00:00:00+00\t0.123\tKWH\tACTUAL\tSMART\t2026-01-02T00:00:00+00:00\n"
    chunk = line * 50_000
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE plain_half_hours (meter_id bigint, interval_start timestamptz, "
            "consumption numeric(12, 3), unit varchar(8), quality varchar(16), source varchar(16), "
            "recorded_at timestamptz)"
        )
        started = time.monotonic()
        with cursor.cursor.copy("COPY plain_half_hours FROM STDIN") as copy:
            for start in range(0, rows, 50_000):
                copy.write(chunk if rows - start >= 50_000 else line * (rows - start))
        seconds = time.monotonic() - started
        cursor.execute("DROP TABLE plain_half_hours")
    return seconds
