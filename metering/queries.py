"""Reads of meter points, meters, readings and smart meter telemetry."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from django.db.models import QuerySet, Value
from django.db.models.functions import Replace, Upper

from kernel import ranges
from metering import models

ELECTRICITY = (models.UtilityType.ELECTRICITY, models.UtilityType.EMBEDDED_ELECTRICITY)


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
