"""Reads of meter points, meters, readings and smart meter telemetry."""

from __future__ import annotations

import array
import dataclasses
import enum
import math
import re
import sys
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from accounts import models as accounts_models
from accounts import queries as accounts_queries
from kernel import clock, ranges, search
from metering import models

ELECTRICITY = (models.UtilityType.ELECTRICITY, models.UtilityType.EMBEDDED_ELECTRICITY)
HALF_HOUR = timedelta(minutes=30)


def is_electricity(utility_type: str) -> bool:
    """Whether a meter point of this utility type supplies electricity (embedded networks too)."""
    return utility_type in ELECTRICITY


class NotFound(Exception):
    """No such meter point, meter or device on the accounts asked about."""


def meter_point_of_accounts(
    *, identifier: str, account_ids: Collection[int], electricity: bool
) -> models.MeterPoint:
    """The electricity (MPAN) or gas (MPRN) meter point with this identifier at a property of one of
    `account_ids`. Raises NotFound."""
    kinds = ELECTRICITY if electricity else (models.UtilityType.GAS,)
    meter_point = (
        models.MeterPoint.objects.select_related("property__address")
        .filter(identifier=identifier, utility_type__in=kinds, property__account_id__in=account_ids)
        .first()
    )
    if meter_point is None:
        raise NotFound(identifier)
    return meter_point


def taken_meter_point_identifiers(*, market: str, identifiers: Collection[str]) -> set[str]:
    """Which of `identifiers` a meter point in `market` has already (one query; none without
    identifiers)."""
    if not identifiers:
        return set()
    return set(
        models.MeterPoint.objects.filter(market=market, identifier__in=identifiers).values_list(
            "identifier", flat=True
        )
    )


def electricity_meter_points_of_account(*, account_id: int) -> QuerySet[models.MeterPoint]:
    return (
        models.MeterPoint.objects.filter(property__account_id=account_id, utility_type__in=ELECTRICITY)
        .select_related("property__address")
        .order_by("identifier")
    )


def meter_points_of_account(*, account_id: int) -> list[models.MeterPoint]:
    """Every meter point at the account's properties, oldest first (one query)."""
    return list(models.MeterPoint.objects.filter(property__account_id=account_id).order_by("id"))


def meter_of_accounts(*, meter_id: int, account_ids: Collection[int], electricity: bool) -> models.Meter:
    """A meter (by primary key) on a meter point of one of `account_ids`. Raises NotFound."""
    kinds = ELECTRICITY if electricity else (models.UtilityType.GAS,)
    meter = (
        models.Meter.objects.select_related("meter_point")
        .filter(
            pk=meter_id,
            meter_point__utility_type__in=kinds,
            meter_point__property__account_id__in=account_ids,
        )
        .first()
    )
    if meter is None:
        raise NotFound(str(meter_id))
    return meter


def meter_on(*, meter_point: models.MeterPoint, at: datetime, serial_number: str | None) -> models.Meter:
    """The meter with `serial_number` on the meter point, or the one installed at `at`.
    Raises NotFound."""
    meters = models.Meter.objects.filter(meter_point=meter_point).prefetch_related("registers")
    if serial_number:
        meter = meters.filter(serial_number=serial_number).first()
    else:
        meter = (
            meters.filter(installed_from__lte=at)
            .exclude(installed_to__lte=at)
            .order_by("-installed_from", "-id")
            .first()
        )
    if meter is None:
        raise NotFound(serial_number or meter_point.identifier)
    return meter


def readings_of_meter(*, meter: models.Meter, sources: Iterable[str] | None) -> QuerySet[models.Reading]:
    """A meter's register readings, newest first; only from `sources` when given."""
    rows = models.Reading.objects.filter(register__meter=meter).select_related("register")
    if sources is not None:
        rows = rows.filter(source__in=list(sources))
    return rows.order_by("-read_at", "-id")


def smart_meter_device_of_accounts(
    *, device_id: str, account_ids: Collection[int]
) -> models.SmartMeterDevice:
    """Raises NotFound for an unknown device or one on another account's meter."""
    device = models.SmartMeterDevice.objects.filter(
        device_id__iexact=device_id, meter__meter_point__property__account_id__in=account_ids
    ).first()
    if device is None:
        raise NotFound(device_id)
    return device


def telemetry(
    *, device: models.SmartMeterDevice, start: datetime | None, end: datetime | None
) -> QuerySet[models.TelemetryReading]:
    """Samples in `[start, end)`, oldest first."""
    rows = models.TelemetryReading.objects.filter(device=device)
    if start is not None:
        rows = rows.filter(read_at__gte=start)
    if end is not None:
        rows = rows.filter(read_at__lt=end)
    return rows.order_by("read_at")


def telemetry_before(*, device: models.SmartMeterDevice, at: datetime) -> models.TelemetryReading | None:
    """The last sample before `at` (the base of the first interval's consumption delta)."""
    return models.TelemetryReading.objects.filter(device=device, read_at__lt=at).order_by("-read_at").first()


def normalise_postcode(postcode: str) -> str:
    return search.postcode_key("".join(postcode.split()))


def regions_of_postcode(*, postcode: str) -> set[str]:
    """The electricity regions (GSP groups) of this postcode: those of the meter points we supply
    at addresses with it, and those the postcode directory lists (`gsp_groups_of_postcode`)."""
    supplied = set(
        models.MeterPoint.objects.annotate(
            _postcode=search.postcode_key_expression("property__address__postcode")
        )
        .filter(_postcode=normalise_postcode(postcode))
        .exclude(gsp_group_id="")
        .values_list("gsp_group_id", flat=True)
        .distinct()
    )
    return supplied | set(gsp_groups_of_postcode(postcode=postcode))


def interval_readings(
    *, meter_ids: Collection[int], period: ranges.Period
) -> QuerySet[models.IntervalReading]:
    """The half hours of these meters that start within the finite `period`, by meter then time
    (the table's key order: PostgreSQL reads them off each month's primary-key index)."""
    if period.end is None:
        raise ValueError("Interval data is read over a finite period")
    return models.IntervalReading.objects.filter(
        meter_id__in=meter_ids, interval_start__gte=period.start, interval_start__lt=period.end
    ).order_by("meter_id", "interval_start")


# --- Customer REST API v1: meter points, grid supply points, consumption ----------------------------


_POSTCODE_CHARACTERS = re.compile(r"[^A-Z0-9]")


def gsp_group_of(meter_point: models.MeterPoint) -> str:
    """The meter point's GSP group: as recorded, else from the MPAN's distributor id (the 14 main
    networks only; empty for an independent network's MPAN with no group recorded)."""
    if meter_point.gsp_group_id:
        return meter_point.gsp_group_id
    return models.GSP_GROUP_OF_DISTRIBUTOR.get(meter_point.identifier[:2], "")


def electricity_meter_point(*, mpan: str) -> models.MeterPoint:
    """The GB electricity meter point with this MPAN. Raises NotFound."""
    meter_point = models.MeterPoint.objects.filter(
        market=models.Market.GB, identifier=mpan, utility_type__in=ELECTRICITY
    ).first()
    if meter_point is None:
        raise NotFound(mpan)
    return meter_point


def gsp_groups_of_postcode(*, postcode: str | None) -> list[str]:
    """The GSP groups serving a postcode, by group id: those listed for the full postcode if it has
    rows of its own, else those of its outward code (`SW1A 1AA` → `SW1A`; an outward code alone is
    looked up as such). Case and spaces do not matter; an unknown or invalid postcode has none.
    Every group when `postcode` is None."""
    if postcode is None:
        return sorted(models.GspGroup.values)
    key = _POSTCODE_CHARACTERS.sub("", postcode.upper())
    if not 2 <= len(key) <= 7:
        return []
    outward = key[:-3] if len(key) >= 5 else key
    rows = list(
        models.GridSupplyPointPostcode.objects.filter(postcode__in={key, outward}).values_list(
            "postcode", "gsp_group_id"
        )
    )
    exact = {group for code, group in rows if code == key}
    return sorted(exact or {group for code, group in rows if code == outward})


class ConsumptionGrouping(enum.StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


@dataclasses.dataclass(frozen=True)
class ConsumptionPage:
    """One page of a meter's consumption: `count` buckets in all, and this page's rows as a JSON
    array of `{"consumption", "interval_start", "interval_end"}` (times on the local wall clock)."""

    count: int
    results_json: str


EMPTY_CONSUMPTION = ConsumptionPage(count=0, results_json="[]")


def visible_smart_meter_id(
    *, user: accounts_models.User, identifier: str, serial_number: str, electricity: bool
) -> int | None:
    """The id of the smart meter with `serial_number` on the electricity (MPAN) or gas (MPRN) meter
    point `identifier` at a property of an account the user holds a role on; None when the meter
    point has no such smart meter. One query.

    Raises NotFound when no such meter point is visible to the user (unknown, or someone else's).
    """
    kinds = ELECTRICITY if electricity else (models.UtilityType.GAS,)
    smart_meter = models.Meter.objects.filter(
        meter_point=OuterRef("pk"), serial_number=serial_number, is_smart=True
    ).values("pk")[:1]
    found = (
        models.MeterPoint.objects.filter(
            identifier=identifier,
            utility_type__in=kinds,
            property__account__in=accounts_queries.accounts_of_user(user=user),
        )
        .annotate(smart_meter_id=Subquery(smart_meter))
        .values_list("smart_meter_id", flat=True)[:1]
    )
    rows = list(found)
    if not rows:
        raise NotFound(identifier)
    return rows[0]


# Local wall-clock rendering of a timestamptz column: `2024-06-01T00:00:00+01:00`, `Z` for GMT.
def _local_iso_sql(column: str) -> str:
    local = f"({column} AT TIME ZONE %(tz)s)"
    offset = f"({local} - ({column} AT TIME ZONE 'UTC'))"
    return (
        f"to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN {offset} = interval '0' THEN 'Z' "
        f"WHEN {offset} > interval '0' THEN '+' || to_char({offset}, 'HH24:MI') "
        f"ELSE '-' || to_char(-{offset}, 'HH24:MI') END"
    )


# Bucket edges on the local wall clock. Hours are cut in UTC, which is the same thing for a zone
# whose offsets are whole hours (Europe/London) and, unlike a local cut, keeps apart the two 01:00
# hours of the night the clocks go back.
_STEPS = {
    ConsumptionGrouping.DAY: "1 day",
    ConsumptionGrouping.WEEK: "1 week",
    ConsumptionGrouping.MONTH: "1 month",
    ConsumptionGrouping.QUARTER: "3 months",
}
_BUCKETS = {
    None: ("interval_start", "interval_start + interval '30 minutes'"),
    ConsumptionGrouping.HOUR: (
        "date_trunc('hour', interval_start)",
        "date_trunc('hour', interval_start) + interval '1 hour'",
    ),
    **{
        grouping: (
            f"date_trunc('{grouping.value}', interval_start AT TIME ZONE %(tz)s) AT TIME ZONE %(tz)s",
            f"(date_trunc('{grouping.value}', interval_start AT TIME ZONE %(tz)s) + interval '{step}') "
            "AT TIME ZONE %(tz)s",
        )
        for grouping, step in _STEPS.items()
    },
}


@dataclasses.dataclass(frozen=True)
class ConsumptionQuery:
    """Which page of consumption: the half hours starting within `period` (all when None), as they
    are (`grouping` None) or summed by `grouping` on the wall clock of `tz`, by bucket start (newest
    first or oldest first), `limit` buckets from `offset`."""

    period: ranges.Period | None
    grouping: ConsumptionGrouping | None
    newest_first: bool
    offset: int
    limit: int
    tz: str


def consumption_page(*, meter_id: int, query: ConsumptionQuery) -> ConsumptionPage:
    """A page of the meter's half-hourly consumption or of its sums by hour, day, week (from
    Monday), month or quarter; each bucket's edges are its own, whatever the window. Sums are exact
    (numeric).

    One statement: PostgreSQL counts the buckets and renders the page as JSON, because a page holds
    up to a year of half hours (17,520 rows) and is served as it comes.
    """
    period = query.period
    bucket_start, bucket_end = _BUCKETS[query.grouping]
    conditions = ["meter_id = %(meter_id)s"]
    if period is not None:
        conditions.append("interval_start >= %(start)s")
        if period.end is not None:
            conditions.append("interval_start < %(end)s")
    value = "consumption" if query.grouping is None else "sum(consumption)"
    group = "" if query.grouping is None else "GROUP BY 1, 2"
    direction = "DESC" if query.newest_first else "ASC"
    sql = f"""
        WITH buckets AS MATERIALIZED (
            SELECT {bucket_start} AS bucket_start, {bucket_end} AS bucket_end, {value} AS consumption
            FROM metering_interval_reading WHERE {" AND ".join(conditions)} {group}
        )
        SELECT (SELECT count(*) FROM buckets), coalesce((
            SELECT '[' || string_agg(
                '{{"consumption":' || page.consumption::text
                || ',"interval_start":"' || {_local_iso_sql("page.bucket_start")}
                || '","interval_end":"' || {_local_iso_sql("page.bucket_end")} || '"}}',
                ',' ORDER BY page.bucket_start {direction}) || ']'
            FROM (SELECT * FROM buckets ORDER BY bucket_start {direction}
                  LIMIT %(limit)s OFFSET %(offset)s) AS page
        ), '[]')
    """
    parameters = {
        "meter_id": meter_id,
        "start": period.start if period else None,
        "end": period.end if period else None,
        "limit": query.limit,
        "offset": query.offset,
        "tz": query.tz,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        count, results_json = cursor.fetchone()
    return ConsumptionPage(count=count, results_json=results_json)


def meter_points_with_registers(*, property_ids: Collection[int]) -> list[models.MeterPoint]:
    """The meter points at these properties, by identifier, each with its meters (by installation)
    and their registers prefetched: three queries."""
    return list(
        models.MeterPoint.objects.filter(property_id__in=property_ids)
        .prefetch_related(
            Prefetch("meters", queryset=models.Meter.objects.order_by("installed_from", "id")),
            Prefetch("meters__registers", queryset=models.Register.objects.order_by("identifier")),
        )
        .order_by("identifier", "id")
    )


def consumption_of_meter(
    *,
    user: accounts_models.User,
    identifier: str,
    serial_number: str,
    electricity: bool,
    query: ConsumptionQuery,
) -> ConsumptionPage:
    """A page of the consumption of the user's smart meter `serial_number` on meter point
    `identifier` (see `consumption_page`); empty when the meter point has no such smart meter. Two
    queries.

    Raises NotFound when the meter point is not visible to the user.
    """
    meter_id = visible_smart_meter_id(
        user=user, identifier=identifier, serial_number=serial_number, electricity=electricity
    )
    if meter_id is None:
        return EMPTY_CONSUMPTION
    return consumption_page(meter_id=meter_id, query=query)


# --- Back office ----------------------------------------------------------------------------------------

METER_POINT_IDENTIFIER = re.compile(
    r"(?=.*[0-9])[0-9A-HJ-NP-Z]{6,13}"
)  # MPAN, MPRN, NMI, supply point number


def account_ids_by_meter_point(*, term: str) -> list[int] | None:
    """Ids of the accounts whose properties have the meter point `term` (MPAN, MPRN or NMI, spaces
    ignored), or None if `term` cannot be a meter point identifier. One indexed query."""
    identifier = term.replace(" ", "").upper()
    if not METER_POINT_IDENTIFIER.fullmatch(identifier):
        return None
    return sorted(
        set(
            models.MeterPoint.objects.filter(identifier=identifier).values_list(
                "property__account_id", flat=True
            )
        )
    )


@dataclass(frozen=True)
class RegisterReadings:
    register: models.Register
    readings: tuple[models.Reading, ...]  # oldest first, the latest `per_register` of them

    @property
    def latest(self) -> models.Reading | None:
        return self.readings[-1] if self.readings else None


@dataclass(frozen=True)
class MeterPointReadings:
    meter_point: models.MeterPoint
    registers: tuple[RegisterReadings, ...]


def meter_points_with_readings(*, account_id: int, per_register: int) -> list[MeterPointReadings]:
    """The account's meter points, each register with its latest `per_register` readings (for the
    latest reading and a chart), in three queries whatever the number of meters and readings."""
    meter_points = list(
        models.MeterPoint.objects.filter(property__account_id=account_id)
        .select_related("property__address")
        .order_by("utility_type", "identifier")
    )
    registers = list(
        models.Register.objects.filter(meter__meter_point__in=meter_points)
        .select_related("meter")
        .order_by("meter__installed_from", "identifier")
    )
    readings: dict[int, list[models.Reading]] = defaultdict(list)
    for reading in (
        models.Reading.objects.filter(register__in=registers)
        .annotate(
            newest=Window(
                RowNumber(), partition_by=[F("register_id")], order_by=[F("read_at").desc(), F("id").desc()]
            )
        )
        .filter(newest__lte=per_register)
        .order_by("register_id", "read_at", "id")
    ):
        readings[reading.register_id].append(reading)
    by_meter_point: dict[int, list[RegisterReadings]] = defaultdict(list)
    for register in registers:
        by_meter_point[register.meter.meter_point_id].append(
            RegisterReadings(register=register, readings=tuple(readings[register.pk]))
        )
    return [
        MeterPointReadings(meter_point=meter_point, registers=tuple(by_meter_point[meter_point.pk]))
        for meter_point in meter_points
    ]


# --- Meter points, meters and readings for the customer graph ---------------------------------------


def meter_points_of_properties(*, property_ids: Collection[int]) -> QuerySet[models.MeterPoint]:
    """The properties' meter points, electricity before gas, by identifier."""
    return models.MeterPoint.objects.filter(property_id__in=property_ids).order_by(
        "utility_type", "identifier"
    )


def meter_points_by_id(*, ids: Collection[int]) -> QuerySet[models.MeterPoint]:
    return models.MeterPoint.objects.filter(pk__in=ids).select_related("property")


def meters_of_meter_points(*, meter_point_ids: Collection[int]) -> QuerySet[models.Meter]:
    """The meter points' meters, by installation."""
    return models.Meter.objects.filter(meter_point_id__in=meter_point_ids).order_by("installed_from", "id")


def get_meter(*, id: int) -> models.Meter | None:
    """The meter with this primary key (with its meter point and property), or None."""
    return models.Meter.objects.select_related("meter_point__property").filter(pk=id).first()


def is_installed(*, meter: models.Meter, at: datetime) -> bool:
    return at in ranges.Period(meter.installed_from, meter.installed_to)


def registers_of_meters(*, meter_ids: Collection[int]) -> QuerySet[models.Register]:
    return models.Register.objects.filter(meter_id__in=meter_ids).order_by("identifier")


def readings_newest_first() -> QuerySet[models.Reading]:
    """Every register reading (with its register), newest first: the base of per-meter pages."""
    return models.Reading.objects.select_related("register").order_by("-read_at", "-id")


def customer_read_at(read_date: date) -> datetime:
    """A customer's reading on a date counts from the start of that day, local time."""
    return clock.midnight(read_date, ZoneInfo(settings.TIME_ZONE))


# --- Smart meter telemetry ------------------------------------------------------------------------

MAX_TELEMETRY_WINDOW = timedelta(days=31)
DEFAULT_TELEMETRY_WINDOW = timedelta(hours=1)


class InvalidTelemetryWindow(ValueError):
    """The window ends before it starts, or is longer than MAX_TELEMETRY_WINDOW."""


def telemetry_window(*, start: datetime | None, end: datetime | None, now: datetime) -> ranges.Period:
    """`[start, end)`: `end` defaults to `now`, `start` to DEFAULT_TELEMETRY_WINDOW before `end`.

    Raises InvalidTelemetryWindow.
    """
    end = end or now
    start = start or end - DEFAULT_TELEMETRY_WINDOW
    if not start < end or end - start > MAX_TELEMETRY_WINDOW:
        raise InvalidTelemetryWindow(f"[{start}, {end})")
    return ranges.Period(start, end)


@dataclass(frozen=True)
class TelemetryInterval:
    read_at: datetime
    consumption_kwh: Decimal
    demand_w: Decimal | None
    consumption_delta_kwh: Decimal | None


def telemetry_intervals(
    *, device: models.SmartMeterDevice, window: ranges.Period, bucket: timedelta | None
) -> list[TelemetryInterval]:
    """The device's samples in `window`, or one interval per `bucket` (from the window's start)
    holding the cumulative register at the bucket's last sample and the mean demand; each with the
    energy used since the previous one (the first since the last sample before the window)."""
    samples = list(telemetry(device=device, start=window.start, end=window.end))
    base = telemetry_before(device=device, at=window.start)
    previous = base.consumption_kwh if base is not None else None
    if bucket is None:
        groups = [(s.read_at, [s]) for s in samples]
    else:
        grouped: dict[datetime, list] = {}
        for s in samples:
            grouped.setdefault(window.start + (s.read_at - window.start) // bucket * bucket, []).append(s)
        groups = sorted(grouped.items())
    intervals = []
    for read_at, group in groups:
        last = group[-1].consumption_kwh
        demands = [s.demand_w for s in group if s.demand_w is not None]
        intervals.append(
            TelemetryInterval(
                read_at=read_at,
                consumption_kwh=last,
                demand_w=sum(demands) / len(demands) if demands else None,
                consumption_delta_kwh=last - previous if previous is not None else None,
            )
        )
        previous = last
    return intervals


# --- Octoplus ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OctoplusEligibility:
    is_enrolled: bool
    # Kraken's OctoplusIneligibilityReasons, most important first; empty when eligible.
    ineligibility_reasons: tuple[str, ...]


def octoplus_eligibility(*, account: accounts_models.Account) -> OctoplusEligibility:
    """Whether the account may join Octoplus: not enrolled already, with a property, a smart
    electricity meter and an active direct debit."""
    enrolled = accounts_queries.is_loyalty_point_user(account=account)
    reasons = []
    if enrolled:
        reasons.append("ALREADY_SIGNED_UP")
    if not accounts_queries.has_properties(account=account):
        reasons.append("NO_PROPERTIES")
    elif not models.Meter.objects.filter(
        meter_point__property__account=account, meter_point__utility_type__in=ELECTRICITY, is_smart=True
    ).exists():
        reasons.append("NO_ELIGIBLE_METERS")
    if not accounts_queries.has_active_direct_debit(account=account):
        reasons.append("NO_DIRECT_DEBIT")
    return OctoplusEligibility(is_enrolled=enrolled, ineligibility_reasons=tuple(reasons))


def has_electricity_meter_point(*, account_id: int) -> bool:
    return electricity_meter_points_of_account(account_id=account_id).exists()


def smart_meter_devices_of_meters(*, meter_ids: Collection[int]) -> QuerySet[models.SmartMeterDevice]:
    """The smart metering devices (ESME, GSME, IHD, …) paired with these meters, with their meter
    and meter point, by type then device id."""
    return (
        models.SmartMeterDevice.objects.filter(meter_id__in=meter_ids)
        .select_related("meter__meter_point")
        .order_by("device_type", "device_id")
    )


@dataclass(frozen=True)
class HalfHourSeries:
    """A meter point's half hours over a period, from its smart meters: `values[i]` is the
    consumption of the half hour starting `start + i × 30 min` in thousandths of `unit` (None where
    nothing was recorded; an `array` of int64 when nothing is missing), `estimated` the indexes
    recorded with quality ESTIMATE."""

    start: datetime
    values: Sequence[int | None]
    estimated: frozenset[int]
    unit: str


# One row per smart meter installed during the period, its half hours' consumption (thousandths of
# the unit, big-endian int8) packed in time order into one byte string, and the unit it records in
# (its registers', as `record_interval_readings` writes it; reading it off the scattered heap rows
# cost as much as the half hours): each meter's month is one index-only range scan of the covering
# key (migration 0007), whose order the sorted subquery keeps,
# and one byte string per meter travels and unpacks far faster than a row per half hour. A meter
# with every half hour of the period needs nothing else (its count says so: the key is unique and
# a half hour always starts on the hour or half past); the others are read again with their times.
_HALF_HOURS_SQL = """
SELECT m.id, m.meter_point_id, d.n, d.milli, d.estimated,
       COALESCE(
           (SELECT CASE WHEN count(DISTINCT r.unit) = 1 THEN min(r.unit) END
            FROM metering_register r WHERE r.meter_id = m.id),
           CASE WHEN p.utility_type = 'GAS' THEN 'M3' ELSE 'KWH' END
       )
FROM metering_meter m
JOIN metering_meterpoint p ON p.id = m.meter_point_id
LEFT JOIN LATERAL (
    SELECT count(*) AS n, string_agg(int8send(o.consumption_milli), ''::bytea) AS milli,
           array_agg(o.interval_start) FILTER (WHERE o.quality <> 'ACTUAL') AS estimated
    FROM (
        SELECT ir.interval_start, ir.consumption_milli, ir.quality
        FROM metering_interval_reading ir
        WHERE ir.meter_id = m.id AND ir.interval_start >= %(start)s AND ir.interval_start < %(end)s
          AND ir.recorded_at <= %(recorded_by)s
        ORDER BY ir.interval_start
    ) o
) d ON true
WHERE m.meter_point_id = ANY(%(meter_point_ids)s) AND m.is_smart
  AND m.installed_from < %(end)s AND (m.installed_to IS NULL OR m.installed_to > %(start)s)
ORDER BY m.meter_point_id, m.installed_from, m.id
"""
_PARTIAL_SQL = """
SELECT ir.meter_id, ir.interval_start, ir.consumption_milli
FROM metering_interval_reading ir
WHERE ir.meter_id = ANY(%(meter_ids)s) AND ir.interval_start >= %(start)s AND ir.interval_start < %(end)s
  AND ir.recorded_at <= %(recorded_by)s
"""


def _unpack(blob: bytes | None) -> array.array:
    values = array.array("q")
    if blob:
        values.frombytes(blob)
        if sys.byteorder == "little":
            values.byteswap()
    return values


def half_hourly_consumption(
    *, meter_point_ids: Collection[int], period: ranges.Period, recorded_by: datetime
) -> dict[int, HalfHourSeries]:
    """The half hours of the smart meters on these meter points over the finite `period` (which
    starts on a half hour), as recorded by `recorded_by`, in one query. Only meter points with a
    smart meter installed during the period are in the result; half hours two meters both recorded
    add up. Raises ValueError for an open period."""
    if period.end is None:
        raise ValueError("Interval data is read over a finite period")
    start = period.start.astimezone(UTC)
    count = math.ceil((period.end.astimezone(UTC) - start) / HALF_HOUR)
    if not meter_point_ids:
        return {}
    params = {
        "meter_point_ids": list(meter_point_ids),
        "start": period.start,
        "end": period.end,
        "recorded_by": recorded_by,
    }
    with connection.cursor() as cursor:
        cursor.execute(_HALF_HOURS_SQL, params)
        rows = cursor.fetchall()
        partial = [meter_id for meter_id, _, n, _, _, _ in rows if n and n != count]
        scattered: dict[int, list[tuple[datetime, int]]] = {}
        if partial:
            cursor.execute(_PARTIAL_SQL, {**params, "meter_ids": partial})
            for meter_id, moment, milli in cursor.fetchall():
                scattered.setdefault(meter_id, []).append((moment, milli))

    def index(moment: datetime) -> int:
        return int((moment - start) / HALF_HOUR)

    merged: dict[int, tuple[list, set, str]] = {}
    for meter_id, meter_point_id, n, blob, estimated, unit in rows:
        flagged = {index(moment) for moment in estimated or ()}
        current = merged.get(meter_point_id)
        if current is None and n == count:
            merged[meter_point_id] = (_unpack(blob), flagged, unit or models.RegisterUnit.KWH)
            continue
        if current is None:
            current = ([None] * count, set(), unit or models.RegisterUnit.KWH)
        dense, known_flags, known_unit = current
        pairs = (
            zip(range(count), _unpack(blob), strict=True)
            if n == count
            else ((index(moment), milli) for moment, milli in scattered.get(meter_id, ()))
        )
        for position, value in pairs:
            dense[position] = value if dense[position] is None else dense[position] + value
        merged[meter_point_id] = (dense, known_flags | flagged, unit or known_unit)
    return {
        meter_point_id: HalfHourSeries(
            start=period.start, values=dense, estimated=frozenset(flagged), unit=unit
        )
        for meter_point_id, (dense, flagged, unit) in merged.items()
    }
