"""GB industry facts about a meter point or meter that the platform derives from what it holds: its
meters, their registers and the smart metering devices paired with them.

Pure functions of rows already read (no queries, no clock: `at` is passed in). Each says how it
derives its answer; a fact the platform does not hold is not guessed, and callers answer null (or
the contract's documented default for a non-null field, see `UNKNOWN`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from kernel import ranges
from metering import models

# A non-null industry code the platform does not hold (a meter's location, a gas nomination type,
# …) answers this: the empty string, never a made-up code.
UNKNOWN = ""

# The devices that make a meter point enrolled with the DCC (SMETS2 smart metering): its electricity
# or gas smart metering equipment.
DCC_METERS = (models.SmartDeviceType.ESME, models.SmartDeviceType.GSME)
# DCC service flag per device status: Active, Suspended, Withdrawn; "N" when no DCC meter.
_SERVICE_FLAGS = {
    models.SmartDeviceStatus.COMMISSIONED: "A",
    models.SmartDeviceStatus.INSTALLED_NOT_COMMISSIONED: "A",
    models.SmartDeviceStatus.SUSPENDED: "S",
    models.SmartDeviceStatus.WITHDRAWN: "W",
    models.SmartDeviceStatus.DECOMMISSIONED: "W",
}
NO_DCC_SERVICE = "N"
# Traditional prepayment meters: key, token and smartcard meter types.
TRADITIONAL_PREPAY_TYPES = frozenset({"K", "T", "S"})
GAS_MECHANISMS = frozenset({"CR", "ET", "PP", "MT", "CM", "TH", "NS", "S1", "S2", "U"})
UNIT_NAMES = {
    models.RegisterUnit.KWH: "kWh",
    models.RegisterUnit.CUBIC_METRES: "m³",
    models.RegisterUnit.HUNDREDS_OF_CUBIC_FEET: "hcf",
}


def installed_at(meters: Iterable[models.Meter], at: datetime) -> list[models.Meter]:
    return [m for m in meters if at in ranges.Period(m.installed_from, m.installed_to)]


def dcc_meter(devices: Iterable[models.SmartMeterDevice]) -> models.SmartMeterDevice | None:
    """The meter point's DCC-enrolled smart meter (ESME or GSME), the most recently paired first."""
    found = [d for d in devices if d.device_type in DCC_METERS]
    return max(found, key=lambda d: d.paired_at) if found else None


def dcc_service_flag(devices: Iterable[models.SmartMeterDevice]) -> str:
    """A (active), S (suspended) or W (withdrawn) from the status of the DCC smart meter; N without
    one."""
    device = dcc_meter(devices)
    if device is None:
        return NO_DCC_SERVICE
    return _SERVICE_FLAGS.get(device.status, NO_DCC_SERVICE)


def dcc_effective_from(devices: Iterable[models.SmartMeterDevice]) -> date | None:
    device = dcc_meter(devices)
    return device.paired_at.date() if device is not None else None


def sms_operator(devices: Iterable[models.SmartMeterDevice]) -> str:
    """Who operates the smart metering system: the DCC for a meter point with a DCC smart meter."""
    return "DCC" if dcc_meter(devices) is not None else UNKNOWN


def in_home_display(devices: Iterable[models.SmartMeterDevice]) -> models.SmartMeterDevice | None:
    found = [d for d in devices if d.device_type == models.SmartDeviceType.IHD]
    return max(found, key=lambda d: d.paired_at) if found else None


def ihd_status(devices: Iterable[models.SmartMeterDevice]) -> str:
    """I (installed) when an in-home display is paired and not withdrawn; unknown otherwise."""
    device = in_home_display(devices)
    if device is None or _SERVICE_FLAGS.get(device.status) != "A":
        return UNKNOWN
    return "I"


def energisation_status(meters: Iterable[models.Meter], at: datetime) -> str:
    """E (energised) while a meter is installed at the meter point, D (de-energised) otherwise."""
    return "E" if installed_at(meters, at) else "D"


def measurement_class(profile_class: int | None) -> str:
    """A (non-half-hourly metered) for a meter point settled on a profile class (1 to 8); unknown
    otherwise (the platform does not record half-hourly measurement classes)."""
    return "A" if profile_class is not None and 1 <= profile_class <= 8 else UNKNOWN


def smart_start_date(meters: Iterable[models.Meter]) -> date | None:
    """When the meter point's first smart meter was installed."""
    starts = [m.installed_from for m in meters if m.is_smart]
    return min(starts).date() if starts else None


def is_traditional_prepay(meter: models.Meter) -> bool:
    return meter.meter_type in TRADITIONAL_PREPAY_TYPES


def gas_mechanism(meter: models.Meter, devices: Sequence[models.SmartMeterDevice]) -> str | None:
    """The gas meter's mechanism: as recorded, else S2 (SMETS2) when a gas smart metering equipment
    of the DCC is paired with it; None when neither says."""
    if meter.meter_type in GAS_MECHANISMS:
        return meter.meter_type
    if any(d.device_type == models.SmartDeviceType.GSME for d in devices):
        return "S2"
    return None


def unit_of(registers: Sequence[models.Register]) -> str | None:
    """The unit the meter records in (its registers'), None without registers."""
    return registers[0].unit if registers else None


def unit_name(unit: str | None) -> str | None:
    return UNIT_NAMES.get(unit) if unit is not None else None


def is_imperial(unit: str | None) -> bool | None:
    """Whether a gas meter records hundreds of cubic feet (imperial) rather than cubic metres."""
    if unit == models.RegisterUnit.HUNDREDS_OF_CUBIC_FEET:
        return True
    if unit == models.RegisterUnit.CUBIC_METRES:
        return False
    return None


def gas_meter_status(meter: models.Meter, at: datetime) -> str:
    """LI (live) while installed, RE (removed) after; NI (not installed) before its installation."""
    if at < meter.installed_from:
        return "NI"
    return "LI" if at in ranges.Period(meter.installed_from, meter.installed_to) else "RE"


def gas_meter_status_date(meter: models.Meter, at: datetime) -> date:
    """When the gas meter's status last changed: its removal, else its installation."""
    if meter.installed_to is not None and meter.installed_to <= at:
        return meter.installed_to.date()
    return meter.installed_from.date()


def make_and_type(devices: Iterable[models.SmartMeterDevice]) -> str | None:
    """The smart meter's manufacturer and model, as its DCC device reports them."""
    device = dcc_meter(devices)
    if device is None:
        return None
    return " ".join(part for part in (device.manufacturer, device.model) if part) or None


# A gas supply point using up to this many kWh a year is a smaller supply point (SSP), above it a
# larger one (LSP).
SSP_MAXIMUM_AQ = 73_200


def gas_market_category(annual_quantity: int | None) -> str | None:
    """SSP or LSP from the supply point's annual quantity (AQ); None when no AQ is held."""
    if annual_quantity is None:
        return None
    return "SSP" if annual_quantity <= SSP_MAXIMUM_AQ else "LSP"
