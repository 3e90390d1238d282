"""Reads of meter points, meters, readings and smart meter telemetry."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
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
    nothing was recorded), `estimated` the indexes recorded with quality ESTIMATE."""

    start: datetime
    values: list[int | None]
    estimated: frozenset[int]
    unit: str


# One row per smart meter installed during the period, its half hours aggregated into arrays
# (index from the period start, thousandths of the unit): each meter's rows are one range read of
# a month partition's primary key, and an array per meter travels far faster than a row per half
# hour.
_HALF_HOURS_SQL = """
SELECT m.meter_point_id, d.idx, d.milli, d.estimated, d.unit
FROM metering_meter m
LEFT JOIN LATERAL (
    SELECT array_agg(((extract(epoch FROM ir.interval_start) - %(epoch)s) / 1800)::int
                     ORDER BY ir.interval_start) AS idx,
           array_agg((ir.consumption * 1000)::bigint ORDER BY ir.interval_start) AS milli,
           array_agg(((extract(epoch FROM ir.interval_start) - %(epoch)s) / 1800)::int)
               FILTER (WHERE ir.quality <> 'ACTUAL') AS estimated,
           min(ir.unit) AS unit
    FROM metering_interval_reading ir
    WHERE ir.meter_id = m.id AND ir.interval_start >= %(start)s AND ir.interval_start < %(end)s
      AND ir.recorded_at <= %(recorded_by)s
) d ON true
WHERE m.meter_point_id = ANY(%(meter_point_ids)s) AND m.is_smart
  AND m.installed_from < %(end)s AND (m.installed_to IS NULL OR m.installed_to > %(start)s)
ORDER BY m.meter_point_id, m.installed_from, m.id
"""


def half_hourly_consumption(
    *, meter_point_ids: Collection[int], period: ranges.Period, recorded_by: datetime
) -> dict[int, HalfHourSeries]:
    """The half hours of the smart meters on these meter points over the finite `period` (which
    starts on a half hour), as recorded by `recorded_by`, in one query. Only meter points with a
    smart meter installed during the period are in the result; half hours two meters both recorded
    add up. Raises ValueError for an open period."""
    if period.end is None:
        raise ValueError("Interval data is read over a finite period")
    count = math.ceil((period.end.astimezone(UTC) - period.start.astimezone(UTC)) / HALF_HOUR)
    if not meter_point_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            _HALF_HOURS_SQL,
            {
                "meter_point_ids": list(meter_point_ids),
                "epoch": period.start.timestamp(),
                "start": period.start,
                "end": period.end,
                "recorded_by": recorded_by,
            },
        )
        rows = cursor.fetchall()
    merged: dict[int, tuple[list, set, str]] = {}
    for meter_point_id, indexes, values, estimated, unit in rows:
        current = merged.get(meter_point_id)
        if current is None:
            if indexes and len(indexes) == count and indexes[0] == 0 and indexes[-1] == count - 1:
                dense = values
            else:
                dense = [None] * count
                for index, value in zip(indexes or (), values or (), strict=True):
                    dense[index] = value
            merged[meter_point_id] = (dense, set(estimated or ()), unit or models.RegisterUnit.KWH)
            continue
        dense, flagged, known_unit = current
        for index, value in zip(indexes or (), values or (), strict=True):
            dense[index] = value if dense[index] is None else dense[index] + value
        flagged.update(estimated or ())
        merged[meter_point_id] = (dense, flagged, unit or known_unit)
    return {
        meter_point_id: HalfHourSeries(
            start=period.start, values=dense, estimated=frozenset(flagged), unit=unit
        )
        for meter_point_id, (dense, flagged, unit) in merged.items()
    }
