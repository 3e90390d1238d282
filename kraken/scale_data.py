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

Reproducible: rows come from one `random.Random(seed)` in account order, and the public
identifiers (account numbers, MPANs, MPRNs, emails, serials) are functions of (seed, index), so a
seed yields the same rows in any database (primary keys and bill numbers come from sequences and
may differ). A seed can be loaded once into a database: a second load of the same seed is refused
(`AlreadyLoaded`); another seed appends a disjoint set. Seeds are 0–255, because the seed is part
of every public identifier: each seed owns a block of 2^24 account numbers and supply points.
"""

from __future__ import annotations

import math
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

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


class _Reading(NamedTuple):
    register_id: int
    read_at: datetime
    value: Decimal
    source: str
    quality: str


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


def is_loaded(*, seed: int) -> bool:
    """Whether the seed's accounts are in the database (its first account number is)."""
    return accounts.Account.objects.filter(number=account_number(seed, 0)).exists()


# --- The load ---------------------------------------------------------------------------------------


def generate(*, options: Options, now: datetime, report: Callable[[str], None]) -> Summary:
    """Write the scale data set for `options` as of `now`, reporting progress every tenth.

    Raises InvalidOptions, AlreadyLoaded, IntegrityError (a row the database refuses, e.g. an
    identifier another data set already holds: nothing of the load is then kept).
    """
    _check(options)
    if is_loaded(seed=options.seed):
        raise AlreadyLoaded(
            f"Seed {options.seed} is already loaded ({account_number(options.seed, 0)} exists); "
            "load another seed to add accounts"
        )
    started = time.monotonic()
    tz = billing_queries.billing_time_zone()
    first = month_start(now, options.months, tz)
    this_month = month_start(now, 0, tz)
    hh_start = (this_month - timedelta(days=options.half_hourly_days)).astimezone(UTC)
    if not billing.Product.objects.filter(code=PRODUCT_CODE).exists():
        with transaction.atomic():
            demo_catalogue.load_catalogue(now=now)
    metering_operations.ensure_interval_partitions(months=_months(hh_start, this_month))
    writer = _Writer(options=options, now=now, tz=tz, first=first, this_month=this_month, hh_start=hh_start)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Inside this transaction only: its commit need not wait for the disk. Nothing of the
            # load is kept if the database refuses a row (one transaction).
            cursor.execute("SET LOCAL synchronous_commit = off")
        _ensure_national_calorific_value(since=first, now=now)
        for start, stop in _chunks(options.accounts):
            writer.write(range(start, stop))
            report(f"{stop:,} of {options.accounts:,} accounts written ({time.monotonic() - started:.0f}s)")
    with connection.cursor() as cursor:
        # Fresh statistics, so the first queries on the new rows are planned on their real sizes.
        cursor.execute("ANALYZE")
    load_seconds = time.monotonic() - started
    bills = 0
    if options.bills:
        bills = _bill_last_month(
            options=options, period=ranges.Period(month_start(now, 1, tz), this_month), now=now, report=report
        )
    return Summary(
        accounts=options.accounts,
        meter_points=writer.meter_points,
        readings=writer.readings,
        half_hours=writer.half_hours,
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


def _bill_last_month(*, options: Options, period: ranges.Period, now: datetime, report) -> int:
    """Bill the seed's accounts for `period` with billing runs of up to CHUNK accounts each (the run's
    scope names its accounts), every chunk of a run billed here in turn, as a worker would."""
    billed = 0
    for start, stop in _chunks(options.accounts):
        numbers = [account_number(options.seed, index) for index in range(start, stop)]
        run = billing_operations.create_billing_run(
            period=period,
            created_at=now,
            scope={"account_numbers": numbers},
            origin=billing.BillingRunOrigin.ADMIN,
            chunk_size=BILLING_CHUNK,
        )
        for chunk in billing_operations.start_billing_run(billing_run_id=run.pk, now=now):
            billed += billing_operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=now).billed
        report(f"{stop:,} of {options.accounts:,} accounts billed")
    return billed


def _chunks(count: int) -> list[tuple[int, int]]:
    """[start, stop) ranges of at most CHUNK accounts, at least ten (progress every tenth)."""
    size = max(1, min(CHUNK, -(-count // 10)))
    return [(start, min(start + size, count)) for start in range(0, count, size)]


class _Writer:
    """Draws each account's rows from the seeded generator and writes a range of accounts with
    COPY, table by table."""

    def __init__(self, *, options, now, tz, first, this_month, hh_start):
        self.options, self.now, self.tz = options, now, tz
        self.first, self.this_month, self.hh_start = first, this_month, hh_start
        self.rng = random.Random(options.seed)
        self.password = make_password(PASSWORD, salt=f"scale{options.seed}")
        self.read_times = _month_starts(first, this_month, tz)
        self.tariffs = dict(
            billing.Tariff.objects.filter(product__code=PRODUCT_CODE).values_list("code", "id")
        )
        self.meter_points = self.readings = self.half_hours = 0
        self._public_ids_taken: set[int] = set()

    def write(self, indexes: range) -> None:
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
        public_ids = self._public_ids(n)
        rows: dict[type, list] = {model: [] for model in _ORDER}
        series = []
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
                    rows[metering.Reading].extend(
                        self._reads(register_id, annual_units * share, smart, p["start_read"])
                    )
                if not gas and p["half_hourly"]:
                    series.append(self._series(meter_id, p["annual_kwh"]))
        for model in _ORDER:
            bulk.copy_rows(model=model, rows=rows[model], now=self.now)
        self.half_hours += metering_operations.copy_interval_series(series=series)
        self.meter_points += len(rows[metering.MeterPoint])
        self.readings += len(rows[metering.Reading])

    def _profile(self, index: int) -> dict:
        """One account's draws, in a fixed order (the reproducibility of the whole set rests on it)."""
        rng, options = self.rng, self.options
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
        }

    def _public_ids(self, count: int) -> list[int]:
        """Random 31-bit property numbers, drawn again where one is taken (by another data set)."""
        drawn = [self.rng.randrange(1, 2**31 - 1) for _ in range(count)]
        taken = set(
            accounts.Property.objects.filter(public_id__in=drawn).values_list("public_id", flat=True)
        ) | (self._public_ids_taken & set(drawn))
        result = []
        for public_id in drawn:
            while public_id in taken:
                public_id = self.rng.randrange(1, 2**31 - 1)
            taken.add(public_id)
            result.append(public_id)
        self._public_ids_taken.update(result)
        return result

    def _reads(self, register_id: int, annual: Decimal, smart: bool, start: int) -> list[_Reading]:
        """A read at every month start: the register advancing by the month's seasonal share."""
        source = metering.ReadingSource.SMART if smart else metering.ReadingSource.CUSTOMER
        value, reads = Decimal(start), []
        for moment in self.read_times:
            reads.append(_Reading(register_id, moment, value, source, metering.ReadingQuality.ACTUAL))
            winter = 1 + 0.3 * math.cos(2 * math.pi * (moment.month - 1) / 12)
            value += (annual * Decimal(round(winter, 3)) / 12).quantize(Decimal(1))
        return reads

    def _series(self, meter_id: int, annual_kwh: int) -> metering_operations.HalfHourlySeries:
        """The meter's half hours from `hh_start` to this month's start, in Wh (thousandths of kWh)."""
        rng, per_half_hour = self.rng, annual_kwh * 1000 / 17_520
        values, moment = [], self.hh_start
        while moment < self.this_month:
            hour = moment.astimezone(self.tz).hour
            values.append(int(per_half_hour * HOURLY_SHAPE[hour] * (0.7 + 0.6 * rng.random())))
            moment += timedelta(minutes=30)
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
    metering.Reading,
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
