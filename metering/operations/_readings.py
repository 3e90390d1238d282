"""Customer meter readings: validated against the meter's registers and earlier reads."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from metering import models


@dataclasses.dataclass(frozen=True)
class ReadingError:
    field: str
    message: str


class InvalidReadings(ValueError):
    """The submission was refused as a whole; `errors` says why, per input field."""

    def __init__(self, errors: list[ReadingError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


def _register(meter: models.Meter, key: str | None) -> models.Register | None:
    registers = list(meter.registers.all())
    if key in (None, ""):
        return registers[0] if len(registers) == 1 else None
    for register in registers:
        if register.identifier == str(key):
            return register
    return None


def submit_customer_reading(
    *,
    meter: models.Meter,
    read_at: datetime,
    values: Sequence[tuple[str | None, int | None]],
    now: datetime,
    submitted_by: accounts_models.User | None = None,
) -> list[models.Reading]:
    """Record a customer's reading of some registers of a meter at `read_at`; `values` pairs a
    register identifier (None for a single-register meter) with the value read.

    Idempotent: the same value for a register and instant again returns the stored reading.
    Raises InvalidReadings (nothing is written) for a reading in the future, an unknown register, a
    value that is negative, does not fit the register's digits, is below an earlier reading, or
    differs from one already submitted for that instant.
    """
    errors: list[ReadingError] = []
    if read_at > now:
        errors.append(ReadingError("readAt", "A reading cannot be in the future."))
    if not values:
        errors.append(ReadingError("readings", "Give at least one register reading."))
    wanted: list[tuple[models.Register, int]] = []
    for key, value in values:
        register = _register(meter, key)
        if register is None:
            errors.append(ReadingError("registerId", f"Meter {meter.serial_number} has no register {key!r}."))
        elif value is None or value < 0:
            errors.append(ReadingError("reading", "A reading must be a number zero or above."))
        elif value >= 10**register.digits:
            errors.append(
                ReadingError("reading", f"Register {register.identifier} has {register.digits} digits.")
            )
        else:
            wanted.append((register, value))
    if errors:
        raise InvalidReadings(errors)
    stored: list[models.Reading] = []
    new: list[models.Reading] = []
    with transaction.atomic():
        for register, value in wanted:
            models.Register.objects.select_for_update().filter(pk=register.pk).first()
            same = models.Reading.objects.filter(
                register=register, read_at=read_at, source=models.ReadingSource.CUSTOMER
            ).first()
            if same is not None:
                if same.value != Decimal(value):
                    errors.append(
                        ReadingError("reading", f"Register {register.identifier} already has a reading then.")
                    )
                stored.append(same)
                continue
            previous = (
                models.Reading.objects.filter(register=register, read_at__lt=read_at)
                .exclude(quality=models.ReadingQuality.ESTIMATE)
                .order_by("-read_at", "-id")
                .first()
            )
            if previous is not None and previous.value > value:
                errors.append(
                    ReadingError(
                        "reading",
                        f"Register {register.identifier} read {previous.value} on "
                        f"{previous.read_at:%Y-%m-%d}; a later reading cannot be lower.",
                    )
                )
                continue
            reading = models.Reading.objects.create(
                register=register,
                read_at=read_at,
                value=value,
                source=models.ReadingSource.CUSTOMER,
                quality=models.ReadingQuality.ACTUAL,
            )
            stored.append(reading)
            new.append(reading)
        if errors:
            raise InvalidReadings(errors)  # leaving the block rolls back what was written
        if new:
            accounts_operations.record_audit(
                action="METER_READING_SUBMITTED",
                obj=meter,
                account_id=meter.meter_point.property.account_id,
                actor=submitted_by,
                data={
                    "readings": {r.register.identifier: str(r.value) for r in new},
                    "readAt": read_at.isoformat(),
                },
                occurred_at=now,
            )
    return stored
