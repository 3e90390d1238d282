"""What the industry tells a supplier about its meter points after they are gained (GB: the gas
transporter's LDZ, the electricity GSP group, how each register records), and register readings
arriving in bulk (smart-meter register reads, meter reading agencies, migrated histories)."""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from accounts import operations as accounts_operations
from kernel import bulk
from metering import models


@dataclass(frozen=True)
class RegisterDetails:
    """How a meter's register records: created if the meter lacks it, else updated."""

    meter_id: int
    identifier: str
    unit: str = models.RegisterUnit.KWH
    rate_band: str = "STANDARD"
    digits: int = 5
    multiplier: Decimal = Decimal(1)


@dataclass(frozen=True)
class MeterPointDetails:
    """Industry data of one meter point; None leaves a value as it is."""

    meter_point_id: int
    gsp_group_id: str | None = None
    ldz: str | None = None
    registers: tuple[RegisterDetails, ...] = field(default_factory=tuple)


def record_industry_details(*, details: Sequence[MeterPointDetails], recorded_at: datetime) -> int:
    """Apply industry data to meter points and their meters' registers in one transaction, with
    one audit row: the values given replace what the import (or an earlier flow) set. Returns the
    number of meter points changed.

    Raises IntegrityError (an unknown meter point or meter).
    """
    if not details:
        return 0
    with transaction.atomic():
        points = models.MeterPoint.objects.in_bulk([d.meter_point_id for d in details])
        changed = []
        for detail in details:
            point = points[detail.meter_point_id]
            if detail.gsp_group_id is not None:
                point.gsp_group_id = detail.gsp_group_id
            if detail.ldz is not None:
                point.ldz = detail.ldz
            changed.append(point)
        models.MeterPoint.objects.bulk_update(changed, ["gsp_group_id", "ldz"], batch_size=2000)
        wanted = {(r.meter_id, r.identifier): r for detail in details for r in detail.registers}
        held = {
            (register.meter_id, register.identifier): register
            for register in models.Register.objects.filter(meter_id__in={key[0] for key in wanted})
        }
        updated = []
        for key, spec in wanted.items():
            register = held.get(key)
            if register is None:
                continue
            register.unit, register.rate_band = spec.unit, spec.rate_band
            register.digits, register.multiplier = spec.digits, spec.multiplier
            updated.append(register)
        models.Register.objects.bulk_update(
            updated, ["unit", "rate_band", "digits", "multiplier"], batch_size=2000
        )
        models.Register.objects.bulk_create(
            [
                models.Register(
                    meter_id=spec.meter_id,
                    identifier=spec.identifier,
                    unit=spec.unit,
                    rate_band=spec.rate_band,
                    digits=spec.digits,
                    multiplier=spec.multiplier,
                )
                for key, spec in wanted.items()
                if key not in held
            ],
            batch_size=2000,
        )
        accounts_operations.record_audit(
            action="INDUSTRY_DETAILS_RECORDED",
            obj=changed[0],
            occurred_at=recorded_at,
            data={"meter_points": len(changed), "registers": len(wanted)},
        )
    return len(changed)


class ReadingRow(typing.NamedTuple):
    register_id: int
    read_at: datetime
    value: Decimal
    source: str
    quality: str


def copy_readings(*, rows: Sequence[ReadingRow], recorded_at: datetime) -> None:
    """Bulk-write fresh register readings with COPY inside the caller's transaction (smart register
    reads, agency reads, migrated histories). Rows are trusted to be in order per register; the
    database still refuses a negative value or a second reading of one register, instant and
    source (IntegrityError)."""
    bulk.copy_rows(model=models.Reading, rows=list(rows), now=recorded_at)


def end_supply(*, meter_point_ids: Sequence[int], at: datetime, now: datetime) -> int:
    """Supply to these meter points ends at `at` (the customer moved out, the point was lost):
    their supply period closes and they go OFF_SUPPLY, with one audit row. Call inside the
    operation's transaction. Returns how many changed."""
    changed = (
        models.MeterPoint.objects.filter(pk__in=meter_point_ids, supply_from__lte=at)
        .exclude(supply_to__lte=at)
        .update(supply_to=at, status=models.MeterPointStatus.OFF_SUPPLY, status_updated_at=now)
    )
    if changed:
        accounts_operations.record_audit(
            action="SUPPLY_ENDED",
            obj=models.MeterPoint(pk=meter_point_ids[0]),
            occurred_at=now,
            data={"meter_points": list(meter_point_ids), "at": at.isoformat()},
        )
    return changed
