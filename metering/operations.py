"""Writes to metering: customer meter readings. Each public function is one business operation in
one transaction."""

from __future__ import annotations

import dataclasses
import re
import secrets
import typing
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from kernel import bulk
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
                account=accounts_models.Account(pk=meter.meter_point.property.account_id),
                actor=submitted_by,
                data={
                    "readings": {r.register.identifier: str(r.value) for r in new},
                    "readAt": read_at.isoformat(),
                },
                occurred_at=now,
            )
    return stored


# --- Smart metering device registrations ------------------------------------------------------------

_EUI64 = re.compile(r"^[0-9A-F]{2}(-[0-9A-F]{2}){7}$")
_MPID = re.compile(r"^[A-Z0-9]{4}$")
_INSTALL_CODE = re.compile(r"^[0-9A-F]{16,36}$")


@dataclasses.dataclass(frozen=True)
class SmartDeviceDetails:
    device_id: str
    device_type: str
    device_manufacturer: str
    device_model: str
    supplier_mpid: str
    install_code: str
    map_mpid: str = ""
    smets_chts_version: str = ""
    esme_variant: str = ""
    serial_number: str = ""
    firmware_version: str = ""


class InvalidSmartDevice(ValueError):
    """The registration was refused; `errors` says why, per field of SmartDeviceDetails."""

    def __init__(self, errors: list[ReadingError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class SmartDeviceAlreadyRegistered(Exception):
    """The device id is registered already with other details."""


class RegistrationNotPermitted(Exception):
    """The user may not register smart metering devices."""


def _normalise(details: SmartDeviceDetails) -> SmartDeviceDetails:
    def clean(value: str) -> str:
        return (value or "").strip()

    values = {f.name: clean(getattr(details, f.name)) for f in dataclasses.fields(details)}
    for name in ("device_id", "device_type", "supplier_mpid", "map_mpid", "install_code"):
        values[name] = values[name].upper()
    values["device_id"] = values["device_id"].replace(":", "-")
    values["install_code"] = values["install_code"].replace("-", "").replace(" ", "")
    return SmartDeviceDetails(**values)


def _validate(details: SmartDeviceDetails) -> list[ReadingError]:
    errors = []
    if not _EUI64.match(details.device_id):
        errors.append(ReadingError("deviceId", "Must be an EUI-64 such as 00-11-22-33-44-55-66-77."))
    if details.device_type not in models.SmartDeviceType.values:
        errors.append(
            ReadingError("deviceType", f"Must be one of {', '.join(models.SmartDeviceType.values)}.")
        )
    if not _MPID.match(details.supplier_mpid):
        errors.append(ReadingError("supplierMpid", "Must be a four-character market participant id."))
    if details.map_mpid and not _MPID.match(details.map_mpid):
        errors.append(ReadingError("mapMpid", "Must be a four-character market participant id."))
    if not _INSTALL_CODE.match(details.install_code):
        errors.append(ReadingError("installCode", "Must be 16 to 36 hexadecimal characters."))
    for name, field in (("device_manufacturer", "deviceManufacturer"), ("device_model", "deviceModel")):
        if not getattr(details, name):
            errors.append(ReadingError(field, "Required."))
    return errors


def register_smart_device(
    *, details: SmartDeviceDetails, registered_by: accounts_models.User, now: datetime
) -> models.SmartDeviceRegistration:
    """Pre-notify a smart metering device before it is installed. Only users holding the
    `metering.add_smartdeviceregistration` permission (installers, metering operations) may.

    Idempotent on the device id: the same details again return the first registration (and its
    request reference) without writing anything.
    Raises RegistrationNotPermitted, InvalidSmartDevice (nothing written) and
    SmartDeviceAlreadyRegistered when the device id is registered with other details.
    """
    if not registered_by.has_perm("metering.add_smartdeviceregistration"):
        raise RegistrationNotPermitted(registered_by.pk)
    details = _normalise(details)
    errors = _validate(details)
    if errors:
        raise InvalidSmartDevice(errors)
    values = dataclasses.asdict(details)
    with transaction.atomic():
        existing = models.SmartDeviceRegistration.objects.filter(device_id=details.device_id).first()
        if existing is None:
            try:
                with transaction.atomic():
                    registration = models.SmartDeviceRegistration.objects.create(
                        request_reference=f"SDR-{secrets.token_hex(8).upper()}",
                        registered_by=registered_by,
                        registered_at=now,
                        **values,
                    )
            except IntegrityError:  # registered by a concurrent request a moment ago
                existing = models.SmartDeviceRegistration.objects.get(device_id=details.device_id)
        if existing is not None:
            if any(getattr(existing, k) != v for k, v in values.items()):
                raise SmartDeviceAlreadyRegistered(details.device_id)
            return existing
        accounts_operations.record_audit(
            action="SMART_DEVICE_REGISTERED",
            obj=registration,
            actor=registered_by,
            data={"device_id": details.device_id, "device_type": details.device_type},
            occurred_at=now,
        )
    return registration


# --- Bulk loading with COPY (data import) ---------------------------------------------------------


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


class MeterRow(typing.NamedTuple):
    id: int
    meter_point_id: int
    serial_number: str
    is_smart: bool
    installed_from: datetime
    installed_to: datetime | None


class RegisterRow(typing.NamedTuple):
    meter_id: int
    identifier: str
    digits: int


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
    bulk.copy_rows(model=models.MeterPoint, rows=meter_points, now=now)
    bulk.copy_rows(model=models.Meter, rows=meters, now=now)
    bulk.copy_rows(model=models.Register, rows=registers, now=now)
