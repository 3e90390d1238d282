"""Registering smart metering devices (GraphQL registerSmartDevice)."""

from __future__ import annotations

import dataclasses
import re
import secrets
from datetime import datetime

from django.db import IntegrityError, transaction

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from metering import models
from metering.operations._readings import ReadingError

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
