"""The scale data set's rows: each account drawn from a generator seeded with (seed, index) and
written with COPY, a range of accounts at a time, table by table."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import connection

from accounts import models as accounts
from billing import models as billing
from billing import operations as billing_operations
from devices import models as devices
from kernel import bulk
from kraken import demo_catalogue
from kraken.demo._constants import month_start
from kraken.demo._population import FIRST_NAMES, LAST_NAMES, STREETS
from kraken.scale_data._identifiers import BLOCK, account_number, email, mpan, mprn, property_number
from metering import models as metering
from metering import operations as metering_operations

PRODUCT_CODE = "VAR-22-11-01"
PASSWORD = "scale-password"  # development only, like the demo's: every scale user has it
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
class Plan:
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
class Totals:
    accounts: int = 0
    meter_points: int = 0
    readings: int = 0
    half_hours: int = 0

    def add(self, other: Totals) -> None:
        self.accounts += other.accounts
        self.meter_points += other.meter_points
        self.readings += other.readings
        self.half_hours += other.half_hours


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


class Writer:
    """Draws each account's rows from the seeded generator and writes a range of accounts with
    COPY, table by table."""

    def __init__(self, plan: Plan):
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

    def write(self, indexes: range) -> Totals:
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
        return Totals(
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
