"""Reads of meter points, meters, registers, readings and smart metering devices for the customer
graph: each takes the ids a dataloader batches and reads them in one query (re-exported by
`metering.queries`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Max, Q, QuerySet
from django.db.models.functions import TruncDate

from kernel import clock, prepared, ranges
from metering import models


def meter_points_of_properties(*, property_ids: Collection[int]) -> list[models.MeterPoint]:
    """The properties' meter points, electricity before gas, by identifier."""
    return prepared.rows("meter_points_of_properties", _meter_points_of_properties, list(property_ids))


def _meter_points_of_properties(property_ids: list[int]) -> QuerySet[models.MeterPoint]:
    return models.MeterPoint.objects.filter(property_id__in=property_ids).order_by(
        "utility_type", "identifier"
    )


def meter_points_by_id(*, ids: Collection[int]) -> list[models.MeterPoint]:
    return prepared.rows("meter_points_by_id", _meter_points_by_id, list(ids))


def _meter_points_by_id(ids: list[int]) -> QuerySet[models.MeterPoint]:
    return models.MeterPoint.objects.filter(pk__in=ids).select_related("property")


def meters_of_meter_points(*, meter_point_ids: Collection[int]) -> list[models.Meter]:
    """The meter points' meters, by installation."""
    return prepared.rows("meters_of_meter_points", _meters_of_meter_points, list(meter_point_ids))


def _meters_of_meter_points(meter_point_ids: list[int]) -> QuerySet[models.Meter]:
    return models.Meter.objects.filter(meter_point_id__in=meter_point_ids).order_by("installed_from", "id")


def get_meter(*, id: int) -> models.Meter | None:
    """The meter with this primary key (with its meter point and property), or None."""
    return models.Meter.objects.select_related("meter_point__property").filter(pk=id).first()


def is_installed(*, meter: models.Meter, at: datetime) -> bool:
    return at in ranges.Period(meter.installed_from, meter.installed_to)


def registers_of_meters(*, meter_ids: Collection[int]) -> list[models.Register]:
    """The meters' registers (with their meter and meter point), by identifier."""
    return prepared.rows("registers_of_meters", _registers_of_meters, list(meter_ids))


def _registers_of_meters(meter_ids: list[int]) -> QuerySet[models.Register]:
    return (
        models.Register.objects.filter(meter_id__in=meter_ids)
        .select_related("meter__meter_point")
        .order_by("identifier")
    )


def readings_newest_first() -> QuerySet[models.Reading]:
    """Every register reading (with its register), newest first: the base of per-meter pages."""
    return models.Reading.objects.select_related("register").order_by("-read_at", "-id")


def customer_read_at(read_date: date) -> datetime:
    """A customer's reading on a date counts from the start of that day, local time."""
    return clock.midnight(read_date, ZoneInfo(settings.TIME_ZONE))


def smart_meter_devices_of_meters(*, meter_ids: Collection[int]) -> list[models.SmartMeterDevice]:
    """The smart metering devices (ESME, GSME, IHD, …) paired with these meters, with their meter,
    meter point and property, by type then device id."""
    return prepared.rows("smart_meter_devices_of_meters", _smart_meter_devices_of_meters, list(meter_ids))


def _smart_meter_devices_of_meters(meter_ids: list[int]) -> QuerySet[models.SmartMeterDevice]:
    return (
        models.SmartMeterDevice.objects.filter(meter_id__in=meter_ids)
        .select_related("meter__meter_point__property")
        .order_by("device_type", "device_id")
    )


def smart_meter_devices_of_meter_points(*, meter_point_ids: Collection[int]) -> list[models.SmartMeterDevice]:
    """The smart metering devices paired with the meters of these meter points, with their meter,
    by type then device id."""
    return prepared.rows(
        "smart_meter_devices_of_meter_points", _smart_meter_devices_of_meter_points, list(meter_point_ids)
    )


def _smart_meter_devices_of_meter_points(meter_point_ids: list[int]) -> QuerySet[models.SmartMeterDevice]:
    return (
        models.SmartMeterDevice.objects.filter(meter__meter_point_id__in=meter_point_ids)
        .select_related("meter")
        .order_by("device_type", "device_id")
    )


def smart_meter_devices_of_properties(*, property_ids: Collection[int]) -> list[models.SmartMeterDevice]:
    """The smart metering devices paired with the meters at these properties, with their meter and
    meter point, by type then device id."""
    return prepared.rows(
        "smart_meter_devices_of_properties", _smart_meter_devices_of_properties, list(property_ids)
    )


def _smart_meter_devices_of_properties(property_ids: list[int]) -> QuerySet[models.SmartMeterDevice]:
    return (
        models.SmartMeterDevice.objects.filter(meter__meter_point__property_id__in=property_ids)
        .select_related("meter__meter_point")
        .order_by("device_type", "device_id")
    )


def latest_actual_reading_dates(*, meter_point_ids: Collection[int], tz: str) -> dict[int, date]:
    """The date (on the wall clock of `tz`) of each meter point's latest actual register reading
    (an estimate is not a validated reading); meter points without one are left out."""
    rows = (
        models.Reading.objects.filter(
            register__meter__meter_point_id__in=meter_point_ids, quality=models.ReadingQuality.ACTUAL
        )
        .exclude(source=models.ReadingSource.ESTIMATED)
        .values("register__meter__meter_point_id")
        .annotate(latest=Max(TruncDate("read_at", tzinfo=ZoneInfo(tz))))
        .values_list("register__meter__meter_point_id", "latest")
    )
    return dict(rows)


def paired_meters(*, meter_ids: Collection[int]) -> QuerySet[models.Meter]:
    """The meters that pair with these across an import and an export meter point of one property:
    the same serial number on a meter point of the other direction. Each comes with its meter point
    and `paired_with` (the id of the meter of `meter_ids` it pairs with)."""
    return (
        models.Meter.objects.filter(
            Q(meter_point__is_export=True, meter_point__property__meter_points__is_export=False)
            | Q(meter_point__is_export=False, meter_point__property__meter_points__is_export=True),
            meter_point__property__meter_points__meters__id__in=meter_ids,
            meter_point__property__meter_points__meters__serial_number=F("serial_number"),
        )
        .exclude(id__in=meter_ids)
        .select_related("meter_point")
        .annotate(paired_with=F("meter_point__property__meter_points__meters__id"))
        .order_by("installed_from", "id")
    )
