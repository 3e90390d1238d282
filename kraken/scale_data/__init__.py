"""A scale data set: N accounts shaped like the demo set, written with COPY (`generate_scale_data`).

Each account has a user (its ADMIN), a billing address that is also its supply property, an energy
ledger, a direct debit mandate (four in five), an electricity meter point (valid MPAN check digit,
one in ten on Economy 7) and, for half of them, a gas meter point; a meter per meter point, a
share of them smart; agreements on the catalogue's Flexible tariffs of the meter point's region
(`kraken.demo_catalogue` is loaded first when absent); a register read at every local month start
for `months` months; half-hourly data for the last `half_hourly_days` of a share of the smart
electricity meters (half of those customers charge an electric car under smart control: a
device); and, with `bills`, a bill for the last whole month, with its ledger entry and
statement, written by billing runs (the billing engine's own chunked write path, one run per
chunk of accounts), never by hand.

Reproducible: each account's rows come from a `random.Random` seeded with (seed, index), and the
public identifiers (account numbers, MPANs, MPRNs, emails, serials, property numbers) are functions
of (seed, index), so a seed yields the same rows in any database, whatever the chunking or the
number of workers (primary keys and bill numbers come from sequences and may differ). Seeds are
0-255, because the seed is part of every public identifier: each seed owns a block of 2^24 account
numbers and supply points.

Each chunk of accounts is written in a transaction of its own, by `workers` processes at once (the
Python that draws rows and the database that stores them then keep both cores busy). A load that
stops part way (a kill, a refused row) keeps its whole chunks, and loading the seed again resumes
with the chunks missing; a seed loaded whole is refused (`AlreadyLoaded`); another seed appends a
disjoint set. Called inside a transaction (a test), the load runs in that transaction, in this
process, since other processes could not see its rows.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import DatabaseError, connection, connections, transaction

from accounts import models as accounts
from billing import models as billing
from billing import operations as billing_operations
from billing import queries as billing_queries
from kernel import ranges
from kraken import demo_catalogue
from kraken.demo._constants import month_start
from kraken.scale_data._identifiers import (
    BLOCK,
    MAX_SEED,
    account_number,
    email,
    is_loaded,
    mpan,
    mprn,
    property_number,
)
from kraken.scale_data._writer import PRODUCT_CODE, Options, Plan, Totals, Writer
from metering import operations as metering_operations

__all__ = [
    "AlreadyLoaded",
    "InvalidOptions",
    "LoadFailed",
    "Options",
    "Summary",
    "account_number",
    "email",
    "generate",
    "is_loaded",
    "mpan",
    "mprn",
    "property_number",
]

CHUNK = 5_000  # accounts written per round of COPYs (and per billing run)
BILLING_CHUNK = 500


class AlreadyLoaded(Exception):
    """Raised when the seed's accounts are already in the database."""


class InvalidOptions(ValueError):
    """Raised for options out of range."""


@dataclass(frozen=True)
class Summary:
    accounts: int
    meter_points: int
    readings: int
    half_hours: int
    bills: int
    load_seconds: float
    billing_seconds: float


# --- The load ---------------------------------------------------------------------------------------


def generate(*, options: Options, now: datetime, report: Callable[[str], None]) -> Summary:
    """Write the scale data set for `options` as of `now`, reporting progress every tenth.

    Raises InvalidOptions, AlreadyLoaded, LoadFailed (a row the database refuses, e.g. an
    identifier another data set already holds: the chunks written before it are kept, and loading
    the seed again resumes after them).
    """
    _check(options)
    started = time.monotonic()
    tz = billing_queries.billing_time_zone()
    plan = Plan(options=options, now=now, tz=tz)
    chunks = _missing_chunks(options)
    if not chunks:
        raise AlreadyLoaded(
            f"Seed {options.seed} is already loaded ({account_number(options.seed, 0)} exists); "
            "load another seed to add accounts"
        )
    if len(chunks) < len(_chunks(options.accounts)):
        report(
            f"Resuming: {sum(stop - start for start, stop in chunks):,} accounts of {options.accounts:,} to write"
        )
    if not billing.Product.objects.filter(code=PRODUCT_CODE).exists():
        with transaction.atomic():
            demo_catalogue.load_catalogue(now=now)
    metering_operations.ensure_interval_partitions(months=_months(plan.hh_start, plan.this_month))
    _ensure_national_calorific_value(since=plan.first, now=now)
    totals = Totals()
    with _pool(plan, options.workers) as run:
        for written in run(_write_chunk, chunks):
            totals.add(written)
            report(
                f"{totals.accounts:,} of {sum(stop - start for start, stop in chunks):,} accounts written "
                f"({time.monotonic() - started:.0f}s)"
            )
        with connection.cursor() as cursor:
            # Fresh statistics, so billing and the first queries are planned on the real sizes.
            cursor.execute("ANALYZE")
        load_seconds = time.monotonic() - started
        bills = 0
        if options.bills:
            for billed, stop in run(_bill_chunk, _chunks(options.accounts)):
                bills += billed
                report(f"{stop:,} of {options.accounts:,} accounts billed")
    return Summary(
        accounts=totals.accounts,
        meter_points=totals.meter_points,
        readings=totals.readings,
        half_hours=totals.half_hours,
        bills=bills,
        load_seconds=load_seconds,
        billing_seconds=time.monotonic() - started - load_seconds,
    )


def _check(options: Options) -> None:
    if not 0 <= options.seed <= MAX_SEED:
        raise InvalidOptions(f"The seed must be 0 to {MAX_SEED}")
    if not 1 <= options.accounts < BLOCK:
        raise InvalidOptions(f"Accounts must be 1 to {BLOCK - 1:,}")
    if not (0 <= options.smart_share <= 1 and 0 <= options.half_hourly_share <= 1):
        raise InvalidOptions("Shares are fractions from 0 to 1")
    if not 2 <= options.months <= 120 or not 0 <= options.half_hourly_days <= 400:
        raise InvalidOptions("Months are 2 to 120, half-hourly days 0 to 400")
    if not 1 <= options.workers <= 16:
        raise InvalidOptions("Workers are 1 to 16")


def _missing_chunks(options: Options) -> list[tuple[int, int]]:
    """The chunks not yet in the database. A chunk is written in one transaction, so its first and
    last accounts are both there or both missing, unless the seed was loaded with another count."""
    chunks = _chunks(options.accounts)
    ends = {
        account_number(options.seed, index): index for start, stop in chunks for index in (start, stop - 1)
    }
    present = {
        ends[number]
        for number in accounts.Account.objects.filter(number__in=ends).values_list("number", flat=True)
    }
    missing = []
    for start, stop in chunks:
        if (start in present) != (stop - 1 in present):
            raise AlreadyLoaded(
                f"Seed {options.seed} was partly loaded with another number of accounts; "
                "resume it with the same --accounts, or load another seed"
            )
        if start not in present:
            missing.append((start, stop))
    return missing


def _months(start: datetime, end: datetime) -> set[tuple[int, int]]:
    months, moment = set(), start.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while moment <= end:
        months.add((moment.year, moment.month))
        moment = (moment + timedelta(days=32)).replace(day=1)
    return months


def _ensure_national_calorific_value(*, since: datetime, now: datetime) -> None:
    """Gas meters read cubic metres: billing needs a calorific value. The national one is added
    only when none is configured (then the configured ones decide)."""
    if not billing.CalorificValue.objects.filter(ldz="").exists():
        billing_operations.record_calorific_values(
            rows=[billing_operations.CalorificValueRow("", since, None, Decimal("39.5"))], recorded_at=now
        )


def _chunks(count: int) -> list[tuple[int, int]]:
    """[start, stop) ranges of at most CHUNK accounts, at least ten (progress every tenth)."""
    size = max(1, min(CHUNK, -(-count // 10)))
    return [(start, min(start + size, count)) for start in range(0, count, size)]


# --- Workers: a chunk at a time, in this process or in a pool of processes ---------------------------


class LoadFailed(Exception):
    """A chunk the database refused (the message says why); the chunks written before it are kept."""


_worker_writer: Writer | None = None  # each worker process's own, made once


def _start_worker(plan: Plan) -> None:
    global _worker_writer
    _worker_writer = Writer(plan)


def _write_chunk(chunk: tuple[int, int]) -> Totals:
    start, stop = chunk
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # The chunk's commit need not wait for the disk: a crash loses at most the last
                # chunks, which the next load of the seed writes again.
                cursor.execute("SET LOCAL synchronous_commit = off")
                if _worker_writer.may_skip_reference_checks:
                    # Every row of the chunk refers to rows the chunk itself wrote, under ids it
                    # reserved, or to the catalogue: its foreign keys hold by construction, and
                    # checking them a row at a time (some 75 half hours an account) costs more
                    # than writing the rows. pg_restore --disable-triggers loads the same way.
                    # Checks, unique keys and exclusion constraints still apply.
                    cursor.execute("SET LOCAL session_replication_role = replica")
            return _worker_writer.write(range(start, stop))
    except DatabaseError as error:
        raise LoadFailed(f"Accounts {start:,} to {stop - 1:,}: {error}") from None


def _bill_chunk(chunk: tuple[int, int]) -> tuple[int, int]:
    """Bill the chunk's accounts for last month with a billing run of their own (the run's scope
    names them), every chunk of the run billed here in turn, as a worker would. Accounts billed
    already (a resumed load) are skipped by the run."""
    plan, (start, stop) = _worker_writer.plan, chunk
    period = ranges.Period(month_start(plan.now, 1, plan.tz), plan.this_month)
    run = billing_operations.create_billing_run(
        period=period,
        created_at=plan.now,
        scope={"account_numbers": [account_number(plan.options.seed, index) for index in range(start, stop)]},
        origin=billing.BillingRunOrigin.ADMIN,
        chunk_size=BILLING_CHUNK,
    )
    billed = 0
    for part in billing_operations.start_billing_run(billing_run_id=run.pk, now=plan.now):
        billed += billing_operations.bill_chunk(billing_run_id=run.pk, chunk=part, now=plan.now).billed
    return billed, stop


@contextlib.contextmanager
def _pool(plan: Plan, workers: int):
    """A map over chunks, in order of completion: in this process when it is one worker or inside a
    transaction (whose rows other processes can't see), else in `workers` forked processes, each
    with a database connection of its own."""
    if workers == 1 or connection.in_atomic_block:
        _start_worker(plan)
        yield lambda fn, chunks: map(fn, chunks)
        return
    connections.close_all()  # a forked child must open its own connection, never share this one
    with multiprocessing.get_context("fork").Pool(
        workers, initializer=_start_worker, initargs=(plan,)
    ) as pool:
        yield lambda fn, chunks: pool.imap_unordered(fn, chunks)
