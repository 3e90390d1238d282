"""Reads for the back office: accounts found by meter point, meter points with their latest
readings (re-exported by `metering.queries`)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from metering import models

METER_POINT_IDENTIFIER = re.compile(
    r"(?=.*[0-9])[0-9A-HJ-NP-Z]{6,13}"
)  # MPAN, MPRN, NMI, supply point number


def account_ids_by_meter_point(*, term: str, limit: int = 500) -> list[int] | None:
    """Ids of the accounts whose properties have a meter point whose identifier (MPAN, MPRN or NMI,
    spaces ignored) is `term` or starts with it, at most `limit`; None if `term` cannot be (the start
    of) a meter point identifier. One indexed query."""
    identifier = term.replace(" ", "").upper()
    if not METER_POINT_IDENTIFIER.fullmatch(identifier):
        return None
    return sorted(
        set(
            models.MeterPoint.objects.filter(identifier__startswith=identifier).values_list(
                "property__account_id", flat=True
            )[:limit]
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
