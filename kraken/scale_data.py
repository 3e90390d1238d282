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
import math
import multiprocessing
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, connections, transaction

from accounts import models as accounts
from billing import models as billing
from billing import operations as billing_operations
from billing import queries as billing_queries
from devices import models as devices
from imports.rules import checks
from kernel import bulk, ranges
from kraken import demo_catalogue
from kraken.demo._constants import month_start
from kraken.demo._population import FIRST_NAMES, LAST_NAMES, STREETS
from metering import models as metering
from metering import operations as metering_operations

PRODUCT_CODE = "VAR-22-11-01"
PASSWORD = "scale-password"  # development only, like the demo's: every scale user has it
MAX_SEED = 255
BLOCK = 2**24  # account numbers and supply points of one seed
CHUNK = 5_000  # accounts written per round of COPYs (and per billing run)
BILLING_CHUNK = 500
MPRN_BASE = 5_000_000_000
# Ids mixed inside a seed's block (an odd multiplier is a bijection modulo 2^24), so numbers do not
# look sequential.
MIX = 0x9E3779
PROPERTY_MIX = 0x5DEECE66  # property numbers: a multiplier modulo the prime 2^31 - 1
DISTRIBUTOR_OF_REGION = {group.value: code for code, group in metering.GSP_GROUP_OF_DISTRIBUTOR.items()}
LDZ_OF_REGION = {
    "_A": "EA", "_B": "EM", "_C": "NT", "_D": "NW", "_E": "WM", "_F": "NE", "_G": "NW",
    "_H": "SO", "_J": "SE", "_K": "WS", "_L": "SW", "_M": "NE", "_N": "SC", "_P": "SC",
}  # fmt: skip
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a postcode's inward code uses
# A day's shape of household demand, by hour (local), averaging 1.
HOURLY_SHAPE = [0.6, 0.5, 0.45, 0.45, 0.45, 0.5, 0.8, 1.2, 1.2, 1.0, 0.9, 0.9,
                1.0, 0.9, 0.9, 1.0, 1.2, 1.7, 2.0, 1.8, 1.5, 1.3, 1.0, 0.75]  # fmt: skip
EV_MODELS = [("Tesla", "Model 3"), ("Kia", "EV6"), ("Volkswagen", "ID.3"), ("Nissan", "Leaf"), ("MG", "MG4")]
KWH_PER_CUBIC_METRE = Decimal("11.2")


class AlreadyLoaded(Exception):
    """Raised when the seed's accounts are already in the database."""


class InvalidOptions(ValueError):
    """Raised for options out of range."""


@dataclass(frozen=True)
class Options:
    accounts: int
    seed: int = 42
    smart_share: float = 0.2
    months: int = 13
    half_hourly_share: float = 0.25
    half_hourly_days: int = 31
    bills: bool = True
    workers: int = 1


@dataclass(frozen=True)
class Summary:
    accounts: int
    meter_points: int
    readings: int
    half_hours: int
    bills: int
    load_seconds: float
    billing_seconds: float


# --- Row shapes: each a table's columns, in COPY order ---------------------------------------------


class _User(NamedTuple):
    id: int
    password: str
    username: str
    email: str
    first_name: str
    last_name: str


class _Address(NamedTuple):
    id: int
    line_1: str
    locality: str
    postcode: str


class _Account(NamedTuple):
    id: int
    number: str
    billing_name: str
    billing_address_id: int
    billing_email: str
    created_at: datetime


class _Role(NamedTuple):
    account_id: int
    user_id: int


class _Property(NamedTuple):
    id: int
    public_id: int
    account_id: int
    address_id: int
    occupied_from: datetime


class _Ledger(NamedTuple):
    account_id: int
    currency: str


class _Mandate(NamedTuple):
    account_id: int
    method_type: str
    vendor: str
    vendor_reference: str
    last_four: str


class _Device(NamedTuple):
    public_id: uuid.UUID
    account_id: int
    property_id: int
    kind: str
    provider: str
    vendor: str
    model: str
    status: str
    state: str


class _MeterPoint(NamedTuple):
    id: int
    property_id: int
    utility_type: str
    identifier: str
    gsp_group_id: str
    ldz: str
    profile_class: int | None
    estimated_annual_consumption: int
    supply_from: datetime


class _Meter(NamedTuple):
    id: int
    meter_point_id: int
    serial_number: str
    is_smart: bool
    installed_from: datetime


class _Register(NamedTuple):
    id: int
    meter_id: int
    identifier: str
    rate_band: str
    unit: str


_READING_COLUMNS = ("register_id", "read_at", "value", "source", "quality", "created_at")


# --- Public identifiers: functions of (seed, index) -------------------------------------------------


def account_number(seed: int, index: int) -> str:
    return f"A-{seed * BLOCK + index * MIX % BLOCK:08X}"


def mpan(seed: int, index: int, region: str) -> str:
    core = f"{DISTRIBUTOR_OF_REGION[region]}{seed * BLOCK + index:010d}"
    return core + checks.mpan_check_digit(core)


def mprn(seed: int, index: int) -> str:
    return str(MPRN_BASE + seed * BLOCK + index)


def email(seed: int, index: int) -> str:
    return f"scale-{seed}-{index}@example.com"


def property_number(seed: int, index: int) -> int:
    """A 31-bit property number that looks random: (seed, index) times a constant, modulo the prime
    2^31 - 1, is a bijection on a seed's block, so a seed's numbers never collide with each other."""
    return 1 + (seed * BLOCK + index) * PROPERTY_MIX % (2**31 - 1)


def is_loaded(*, seed: int) -> bool:
    """Whether any of the seed's accounts is in the database (its first account number is)."""
    return accounts.Account.objects.filter(number=account_number(seed, 0)).exists()


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
    plan = _Plan(options=options, now=now, tz=tz)
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
    totals = _Totals()
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


@dataclass(frozen=True)
class _Plan:
    """What every chunk needs to know, the same in every worker."""

    options: Options
    now: datetime
    tz: object

    @property
    def first(self) -> datetime:
        return month_start(self.now, self.options.months, self.tz)

    @property
    def this_month(self) -> datetime:
        return month_start(self.now, 0, self.tz)

    @property
    def hh_start(self) -> datetime:
        return (self.this_month - timedelta(days=self.options.half_hourly_days)).astimezone(UTC)


@dataclass
class _Totals:
    accounts: int = 0
    meter_points: int = 0
    readings: int = 0
    half_hours: int = 0

    def add(self, other: _Totals) -> None:
        self.accounts += other.accounts
        self.meter_points += other.meter_points
        self.readings += other.readings
        self.half_hours += other.half_hours


class LoadFailed(Exception):
    """A chunk the database refused (the message says why); the chunks written before it are kept."""


_writer: _Writer | None = None  # each worker process's own, made once


def _start_worker(plan: _Plan) -> None:
    global _writer
    _writer = _Writer(plan)


def _write_chunk(chunk: tuple[int, int]) -> _Totals:
    start, stop = chunk
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # The chunk's commit need not wait for the disk: a crash loses at most the last
                # chunks, which the next load of the seed writes again.
                cursor.execute("SET LOCAL synchronous_commit = off")
                if _writer.may_skip_reference_checks:
                    # Every row of the chunk refers to rows the chunk itself wrote, under ids it
                    # reserved, or to the catalogue: its foreign keys hold by construction, and
                    # checking them a row at a time (some 75 half hours an account) costs more
                    # than writing the rows. pg_restore --disable-triggers loads the same way.
                    # Checks, unique keys and exclusion constraints still apply.
                    cursor.execute("SET LOCAL session_replication_role = replica")
            return _writer.write(range(start, stop))
    except DatabaseError as error:
        raise LoadFailed(f"Accounts {start:,} to {stop - 1:,}: {error}") from None


def _bill_chunk(chunk: tuple[int, int]) -> tuple[int, int]:
    """Bill the chunk's accounts for last month with a billing run of their own (the run's scope
    names them), every chunk of the run billed here in turn, as a worker would. Accounts billed
    already (a resumed load) are skipped by the run."""
    plan, (start, stop) = _writer.plan, chunk
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
def _pool(plan: _Plan, workers: int):
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


class _Writer:
    """Draws each account's rows from the seeded generator and writes a range of accounts with
    COPY, table by table."""

    def __init__(self, plan: _Plan):
        self.plan, self.options, self.now, self.tz = plan, plan.options, plan.now, plan.tz
        self.first, self.this_month, self.hh_start = plan.first, plan.this_month, plan.hh_start
        self.password = make_password(PASSWORD, salt=f"scale{self.options.seed}")
        self.read_times = _month_starts(self.first, self.this_month, self.tz)
        self.read_time_texts = [moment.isoformat() for moment in self.read_times]
        # The same for every account: each month's seasonal factor, and each half hour's share of a
        # day's demand by its local hour.
        self.winter_factors = [
            Decimal(round(1 + 0.3 * math.cos(2 * math.pi * (moment.month - 1) / 12), 3))
            for moment in self.read_times
        ]
        self.half_hour_shapes = []
        moment = self.hh_start
        while moment < self.this_month:
            self.half_hour_shapes.append(HOURLY_SHAPE[moment.astimezone(self.tz).hour])
            moment += timedelta(minutes=30)
        self.tariffs = dict(
            billing.Tariff.objects.filter(product__code=PRODUCT_CODE).values_list("code", "id")
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            # Only a superuser may turn off the foreign keys' triggers; others load with them.
            self.may_skip_reference_checks = cursor.fetchone()[0]

    def write(self, indexes: range) -> _Totals:
        seed, n = self.options.seed, len(indexes)
        profiles = [self._profile(index) for index in indexes]
        gas_count = sum(1 for p in profiles if p["gas"])
        registers_count = sum(2 if p["e7"] else 1 for p in profiles) + gas_count
        ids = bulk.reserve_ids(
            counts={
                accounts.User: n,
                accounts.Address: n,
                accounts.Account: n,
                accounts.Property: n,
                metering.MeterPoint: n + gas_count,
                metering.Meter: n + gas_count,
                metering.Register: registers_count,
            }
        )
        user_ids, address_ids, account_ids = ids[accounts.User], ids[accounts.Address], ids[accounts.Account]
        property_ids = ids[accounts.Property]
        point_ids, meter_ids = iter(ids[metering.MeterPoint]), iter(ids[metering.Meter])
        register_ids = iter(ids[metering.Register])
        public_ids = self._public_ids(indexes, profiles)
        rows: dict[type, list] = {model: [] for model in _ORDER}
        series, reads = [], []
        for i, (index, p) in enumerate(zip(indexes, profiles, strict=True)):
            name = f"{p['first_name']} {p['last_name']}"
            mail = email(seed, index)
            rows[accounts.User].append(
                _User(user_ids[i], self.password, mail, mail, p["first_name"], p["last_name"])
            )
            rows[accounts.Address].append(_Address(address_ids[i], p["line_1"], p["town"], p["postcode"]))
            rows[accounts.Account].append(
                _Account(account_ids[i], account_number(seed, index), name, address_ids[i], mail, self.first)
            )
            rows[accounts.AccountUserRole].append(_Role(account_ids[i], user_ids[i]))
            rows[accounts.Property].append(
                _Property(property_ids[i], public_ids[i], account_ids[i], address_ids[i], self.first)
            )
            rows[accounts.Ledger].append(_Ledger(account_ids[i], "GBP"))
            if p["direct_debit"]:
                rows[accounts.PaymentMethod].append(
                    _Mandate(
                        account_ids[i], "DIRECT_DEBIT", "STRIPE", f"SCALE-{seed}-{index}", p["last_four"]
                    )
                )
            if p["ev"]:
                vendor, model = p["ev"]
                rows[devices.Device].append(
                    _Device(
                        p["device_id"],
                        account_ids[i],
                        property_ids[i],
                        devices.DeviceKind.ELECTRIC_VEHICLES,
                        devices.Provider.SMARTCAR,
                        vendor,
                        model,
                        devices.DeviceLifecycleStatus.LIVE,
                        devices.DeviceState.SMART_CONTROL_CAPABLE,
                    )
                )
            for gas in (False, True) if p["gas"] else (False,):
                utility = "GAS" if gas else "ELECTRICITY"
                point_id, meter_id = next(point_ids), next(meter_ids)
                annual = p["annual_gas_kwh"] if gas else p["annual_kwh"]
                smart = p["smart_gas"] if gas else p["smart"]
                rows[metering.MeterPoint].append(
                    _MeterPoint(
                        point_id,
                        property_ids[i],
                        utility,
                        mprn(seed, index) if gas else mpan(seed, index, p["region"]),
                        "" if gas else p["region"],
                        LDZ_OF_REGION[p["region"]] if gas else "",
                        None if gas else (2 if p["e7"] else 1),
                        annual,
                        self.first,
                    )
                )
                prefix = ("G4P" if smart else "G01") if gas else ("21L" if smart else "E10")
                rows[metering.Meter].append(
                    _Meter(meter_id, point_id, f"{prefix}{seed:03d}{index:07d}", smart, self.first)
                )
                tariff = f"{'G-1R' if gas else 'E-2R' if p['e7'] else 'E-1R'}-{PRODUCT_CODE}-{p['region'][1]}"
                rows[billing.Agreement].append(
                    billing_operations.AgreementRow(
                        account_ids[i], point_id, self.tariffs[tariff], self.first, None
                    )
                )
                bands = [("1", "STANDARD", Decimal(1))]
                if gas:
                    annual_units, unit = (
                        Decimal(annual) / KWH_PER_CUBIC_METRE,
                        metering.RegisterUnit.CUBIC_METRES,
                    )
                else:
                    annual_units, unit = Decimal(annual), metering.RegisterUnit.KWH
                    if p["e7"]:
                        bands = [("DAY", "DAY", Decimal("0.6")), ("NIGHT", "NIGHT", Decimal("0.4"))]
                for identifier, band, share in bands:
                    register_id = next(register_ids)
                    rows[metering.Register].append(_Register(register_id, meter_id, identifier, band, unit))
                    reads.extend(self._reads(register_id, annual_units * share, smart, p["start_read"]))
                if not gas and p["half_hourly"]:
                    series.append(self._series(meter_id, p["annual_kwh"], p["rng"]))
        for model in _ORDER:
            bulk.copy_rows(model=model, rows=rows[model], now=self.now)
        bulk.copy_text(model=metering.Reading, columns=_READING_COLUMNS, lines=reads)
        return _Totals(
            accounts=n,
            meter_points=len(rows[metering.MeterPoint]),
            readings=len(reads),
            half_hours=metering_operations.copy_interval_series(series=series),
        )

    def _profile(self, index: int) -> dict:
        """One account's draws, in a fixed order, from a generator of its own (the reproducibility
        of the whole set rests on both)."""
        rng, options = random.Random(self.options.seed * BLOCK + index), self.options
        region = demo_catalogue.REGIONS[rng.randrange(len(demo_catalogue.REGIONS))]
        outward = rng.choice(demo_catalogue.GSP_OUTWARD_CODES[region])
        smart = rng.random() < options.smart_share
        half_hourly = smart and rng.random() < options.half_hourly_share
        # Half of those with half-hourly data charge an electric car under smart control.
        ev = EV_MODELS[rng.randrange(len(EV_MODELS))] if half_hourly and rng.random() < 0.5 else None
        return {
            "first_name": rng.choice(FIRST_NAMES),
            "last_name": rng.choice(LAST_NAMES),
            "line_1": f"{rng.randint(1, 240)} {rng.choice(STREETS)}",
            "town": outward.rstrip("0123456789"),
            "region": region,
            "postcode": f"{outward} {rng.randint(1, 9)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}",
            "gas": rng.random() < 0.5,
            "smart": smart,
            "smart_gas": smart and rng.random() < 0.9,
            "half_hourly": half_hourly,
            "ev": ev,
            "device_id": uuid.UUID(int=rng.getrandbits(128), version=4) if ev else None,
            "e7": rng.random() < 0.1,
            "direct_debit": rng.random() < 0.8,
            "last_four": f"{rng.randrange(10_000):04d}",
            "annual_kwh": rng.randint(1_800, 5_500),
            "annual_gas_kwh": rng.randint(7_000, 16_000),
            "start_read": rng.randint(0, 40_000),
            "rng": rng,  # the half hours draw on after these
        }

    def _public_ids(self, indexes: range, profiles: list[dict]) -> list[int]:
        """The accounts' property numbers, drawn again (from the account's generator) where another
        data set holds one, until none is held."""
        numbers = [property_number(self.options.seed, index) for index in indexes]
        pending = range(len(numbers))
        while pending:
            held = set(
                accounts.Property.objects.filter(public_id__in=[numbers[i] for i in pending]).values_list(
                    "public_id", flat=True
                )
            )
            pending = [i for i in pending if numbers[i] in held]
            for i in pending:
                numbers[i] = profiles[i]["rng"].randrange(1, 2**31 - 1)
        return numbers

    def _reads(self, register_id: int, annual: Decimal, smart: bool, start: int) -> list[str]:
        """A read at every month start, the register advancing by the month's seasonal share: lines
        in COPY's text format (`_READING_COLUMNS`), some 22 an account."""
        source = metering.ReadingSource.SMART if smart else metering.ReadingSource.CUSTOMER
        tail = f"\t{source}\t{metering.ReadingQuality.ACTUAL}\t{self.now.isoformat()}\n"
        value, reads = Decimal(start), []
        for moment, winter in zip(self.read_time_texts, self.winter_factors, strict=True):
            reads.append(f"{register_id}\t{moment}\t{value}{tail}")
            value += (annual * winter / 12).quantize(Decimal(1))
        return reads

    def _series(
        self, meter_id: int, annual_kwh: int, rng: random.Random
    ) -> metering_operations.HalfHourlySeries:
        """The meter's half hours from `hh_start` to this month's start, in Wh (thousandths of kWh)."""
        per_half_hour, draw = annual_kwh * 1000 / 17_520, rng.random
        values = [int(per_half_hour * shape * (0.7 + 0.6 * draw())) for shape in self.half_hour_shapes]
        return metering_operations.HalfHourlySeries(
            meter_id=meter_id,
            start=self.hh_start,
            values=values,
            unit=metering.RegisterUnit.KWH,
            recorded_at=lambda start: start + timedelta(days=1),
        )


# Tables in the order their foreign keys need.
_ORDER = [
    accounts.User,
    accounts.Address,
    accounts.Account,
    accounts.AccountUserRole,
    accounts.Property,
    accounts.Ledger,
    accounts.PaymentMethod,
    metering.MeterPoint,
    metering.Meter,
    metering.Register,
    billing.Agreement,
    devices.Device,
]


def _month_starts(first: datetime, end: datetime, tz) -> list[datetime]:
    """Local midnight of every month start from `first` to `end`, both included."""
    result, moment = [], first
    while moment <= end:
        result.append(moment)
        moment = month_start(moment, -1, tz)
    return result
