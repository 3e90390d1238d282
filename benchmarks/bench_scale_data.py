"""The scale data set's load time: `generate_scale_data --accounts N` (with its default bills for
the last month, written by billing runs) into a fresh database, against the target (1,000,000
accounts in under 30 minutes, i.e. at least 556 accounts a second) and a baseline measured in the
same run: the same number of half-hour rows (the bulk of the rows) COPYed into a plain table
without keys, partitions or foreign keys, i.e. what writing the bytes alone costs on this machine.

    make bench BENCH_ARGS=scale_data                  100,000 accounts
    make bench BENCH_ARGS="scale_data quick"          10,000 accounts
    BENCH_SCALE_ACCOUNTS=1000000 make bench BENCH_ARGS=scale_data
"""

from __future__ import annotations

import os
import sys
import time

from django.db import connection
from django.utils import timezone

from benchmarks import database

BENCH_DATABASE = "bench_kraken_scale_data"
QUICK = "quick" in sys.argv[1:] or os.environ.get("BENCH_QUICK") == "1"
ACCOUNTS = int(os.environ.get("BENCH_SCALE_ACCOUNTS", "10000" if QUICK else "100000"))
TARGET_ACCOUNTS_PER_SECOND = 1_000_000 / (30 * 60)


def main() -> None:
    from kraken import scale_data

    database.use_bench_database(BENCH_DATABASE)
    options = scale_data.Options(accounts=ACCOUNTS, seed=1)
    summary = scale_data.generate(options=options, now=timezone.now(), report=lambda message: None)
    seconds = summary.load_seconds + summary.billing_seconds
    baseline = _plain_copy_seconds(rows=summary.half_hours)
    rate = ACCOUNTS / seconds
    print(
        f"{ACCOUNTS:,} accounts ({summary.meter_points:,} meter points, {summary.readings:,} register reads, "
        f"{summary.half_hours:,} half hours, {summary.bills:,} bills) in {seconds:.1f}s: {rate:,.0f} accounts/s"
    )
    print(f"  of which rows {summary.load_seconds:.1f}s, bills {summary.billing_seconds:.1f}s")
    print(f"  baseline: the same half hours COPYed into a plain table: {baseline:.1f}s")
    print(f"  load / baseline: {seconds / baseline:.1f}x")
    print(
        f"  1,000,000 accounts extrapolated: {1_000_000 / rate / 60:.0f} min "
        f"(target < 30 min, {TARGET_ACCOUNTS_PER_SECOND:,.0f} accounts/s)"
    )
    if rate < TARGET_ACCOUNTS_PER_SECOND:
        print("  TARGET MISSED")


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
