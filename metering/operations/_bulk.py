"""Bulk loading of meter points, meters and registers with COPY (data import)."""

from __future__ import annotations

import typing
from datetime import datetime
from decimal import Decimal

from django.db.models import F

from kernel import bulk
from metering import models
from metering.operations._industry import ReadingRow, copy_readings


class MeterPointRow(typing.NamedTuple):
    id: int
    property_id: int
    utility_type: str
    market: str
    identifier: str
    profile_class: int | None
    supply_from: datetime
    supply_to: datetime | None
    status: str
    ldz: str = ""
    estimated_annual_consumption: int | None = None
    supplier_mpid: str = ""
    status_updated_at: datetime | None = None


class MeterRow(typing.NamedTuple):
    id: int
    meter_point_id: int
    serial_number: str
    is_smart: bool
    installed_from: datetime
    installed_to: datetime | None
    is_prepay: bool = False


class RegisterRow(typing.NamedTuple):
    meter_id: int
    identifier: str
    digits: int
    time_pattern_regime: str = ""
    estimated_annual_consumption: Decimal | None = None
    unit: str = models.RegisterUnit.KWH


class MeterReading(typing.NamedTuple):
    """A reading of a meter's register named by its identifier (before the register has an id)."""

    meter_id: int
    register: str
    read_at: datetime
    value: Decimal
    quality: str = models.ReadingQuality.ACTUAL


class ReservedIds(typing.NamedTuple):
    """Primary keys drawn for meter points and meters written with COPY, ascending."""

    meter_points: list[int]
    meters: list[int]


def reserve_ids(*, meter_points: int, meters: int) -> ReservedIds:
    """Draw primary keys for the meter points and meters `copy_meter_points` will write, in one
    query (none when both counts are 0). Ids drawn and not used stay gaps."""
    drawn = bulk.reserve_ids(counts={models.MeterPoint: meter_points, models.Meter: meters})
    return ReservedIds(meter_points=drawn[models.MeterPoint], meters=drawn[models.Meter])


def copy_meter_points(
    *, meter_points: list[MeterPointRow], meters: list[MeterRow], registers: list[RegisterRow], now: datetime
) -> None:
    """Write meter points, their meters and registers with COPY (ids drawn beforehand with
    `reserve_ids`), inside the caller's transaction. The database checks
    identifiers (format, one per market), serials per meter point and periods.

    Raises IntegrityError.
    """
    bulk.copy_rows(
        model=models.MeterPoint,
        rows=[row._replace(status_updated_at=row.status_updated_at or now) for row in meter_points],
        now=now,
        binary=True,
    )
    bulk.copy_rows(model=models.Meter, rows=meters, now=now, binary=True)
    bulk.copy_rows(model=models.Register, rows=registers, now=now, binary=True)


def copy_meter_readings(*, readings: list[MeterReading], source: str, recorded_at: datetime) -> None:
    """Write readings of registers written already (`copy_meter_points`), finding each register by
    its meter and identifier in one query, with COPY inside the caller's transaction.

    Raises ValueError for a register the meter does not have, IntegrityError (a negative value, a
    second reading of a register at one instant from one source).
    """
    if not readings:
        return
    ids = {
        (meter_id, identifier): pk
        for pk, meter_id, identifier in models.Register.objects.filter(
            bulk.AnyOf(F("meter_id"), {r.meter_id for r in readings})
        ).values_list("id", "meter_id", "identifier")
    }
    rows = []
    for reading in readings:
        register_id = ids.get((reading.meter_id, reading.register))
        if register_id is None:
            raise ValueError(f"Meter {reading.meter_id} has no register {reading.register!r}")
        rows.append(ReadingRow(register_id, reading.read_at, reading.value, source, reading.quality))
    copy_readings(rows=rows, recorded_at=recorded_at)
