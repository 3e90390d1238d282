"""Reads of meter points, meters, readings and smart meter telemetry."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from kernel import search
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
    return search.postcode_key("".join(postcode.split()))


def regions_of_postcode(*, postcode: str) -> set[str]:
    """The electricity regions (GSP groups) of the meter points we supply at addresses with this
    postcode. Empty when we supply nothing there: the platform has no postcode directory."""
    return set(
        models.MeterPoint.objects.annotate(
            _postcode=search.postcode_key_expression("property__address__postcode")
        )
        .filter(_postcode=normalise_postcode(postcode))
        .exclude(gsp_group_id="")
        .values_list("gsp_group_id", flat=True)
        .distinct()
    )


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
