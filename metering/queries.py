"""Reads of meter points, meters, readings and smart meter telemetry."""

from __future__ import annotations

import array
import math
import sys
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import QuerySet, Value
from django.db.models.functions import Replace, Upper

from kernel import ranges
from metering import models

ELECTRICITY = (models.UtilityType.ELECTRICITY, models.UtilityType.EMBEDDED_ELECTRICITY)
HALF_HOUR = timedelta(minutes=30)


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


def electricity_meter_points_of_account(*, account_id: int) -> QuerySet[models.MeterPoint]:
    return (
        models.MeterPoint.objects.filter(property__account_id=account_id, utility_type__in=ELECTRICITY)
        .select_related("property__address")
        .order_by("identifier")
    )


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
    return "".join(postcode.split()).upper()


def regions_of_postcode(*, postcode: str) -> set[str]:
    """The electricity regions (GSP groups) of the meter points we supply at addresses with this
    postcode. Empty when we supply nothing there: the platform has no postcode directory."""
    return set(
        models.MeterPoint.objects.annotate(
            _postcode=Upper(Replace("property__address__postcode", Value(" "), Value("")))
        )
        .filter(_postcode=normalise_postcode(postcode))
        .exclude(gsp_group_id="")
        .values_list("gsp_group_id", flat=True)
        .distinct()
    )


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
