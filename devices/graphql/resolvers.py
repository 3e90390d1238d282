"""Resolvers of smart devices (SmartFlex), their charging preferences and dispatches, and the
`devices`, `plannedDispatches` and `completedDispatches` roots."""

from __future__ import annotations

import uuid

from accounts.graphql import core, error_codes
from devices import models
from devices.graphql import dataloaders

DEVICE_TYPES = {
    models.DeviceKind.ELECTRIC_VEHICLES: "SmartFlexVehicle",
    models.DeviceKind.CHARGE_POINTS: "SmartFlexChargePoint",
    models.DeviceKind.BATTERIES: "SmartFlexBattery",
    models.DeviceKind.HEAT_PUMPS: "SmartFlexHeatPump",
    models.DeviceKind.INVERTERS: "SmartFlexInverter",
}
# Kraken files charge points under the vehicles it charges.
KRAKEN_DEVICE_TYPES = {models.DeviceKind.CHARGE_POINTS: "ELECTRIC_VEHICLES"}
WEEKDAY, WEEKEND = models.DayOfWeek.MONDAY, models.DayOfWeek.SATURDAY


def device_type(device: models.Device) -> str:
    return DEVICE_TYPES.get(device.kind, "SmartFlexDevice")


def _devices_of(info, account_number: str):
    account = core.viewer_account(info, account_number)
    return models.Device.objects.filter(account=account, retired_at__isnull=True).order_by("created_at", "id")


def _dispatches(info, account_number: str, status: str):
    devices = _devices_of(info, account_number)
    if not devices.exists():
        raise core.KrakenError(error_codes.NO_DEVICE)
    rows = models.Dispatch.objects.filter(device__in=devices, status=status).order_by("start_at", "id")
    now = core.context(info).now
    if status == models.DispatchStatus.PLANNED:
        rows = rows.filter(end_at__gt=now)
    return list(rows)


class Query:
    @staticmethod
    def resolve_devices(root, info, accountNumber, propertyId=None, deviceId=None):
        rows = _devices_of(info, accountNumber)
        if propertyId is not None:
            rows = rows.filter(property_id=core.decode_pk(str(propertyId)))
        if deviceId is not None:
            try:
                rows = rows.filter(public_id=uuid.UUID(deviceId))
            except ValueError:
                return []
        return list(rows)

    @staticmethod
    def resolve_plannedDispatches(root, info, accountNumber):
        return _dispatches(info, accountNumber, models.DispatchStatus.PLANNED)

    @staticmethod
    def resolve_completedDispatches(root, info, accountNumber):
        return _dispatches(info, accountNumber, models.DispatchStatus.COMPLETED)


def _status(device: models.Device) -> dict:
    typename = {
        models.DeviceKind.ELECTRIC_VEHICLES: "SmartFlexVehicleStatus",
        models.DeviceKind.CHARGE_POINTS: "SmartFlexChargePointStatus",
    }.get(device.kind, "SmartFlexDeviceStatus")
    return {
        "__typename": typename,
        "current": device.status,
        "isSuspended": device.is_suspended,
        "currentState": device.state,
    }


def _charging_preferences(device, info):
    def build(schedules):
        by_day = {s.day_of_week: s for s in schedules}
        weekday, weekend = by_day.get(WEEKDAY), by_day.get(WEEKEND)
        if weekday is None or weekend is None:
            return None
        return {
            "weekdayTargetTime": weekday.time,
            "weekdayTargetSoc": int(weekday.max_value),
            "weekendTargetTime": weekend.time,
            "weekendTargetSoc": int(weekend.max_value),
            "minimumSoc": int(min(s.min_value for s in schedules)),
            "maximumSoc": int(max(s.max_value for s in schedules)),
        }

    return core.then(dataloaders.schedules_of_device(info, device.pk), build)


class _Device:
    resolve_id = staticmethod(lambda d, info: str(d.public_id))
    resolve_name = staticmethod(lambda d, info: d.name or None)
    resolve_deviceType = staticmethod(lambda d, info: KRAKEN_DEVICE_TYPES.get(d.kind, d.kind))
    resolve_provider = staticmethod(lambda d, info: d.provider)
    resolve_status = staticmethod(lambda d, info: _status(d))
    resolve_alerts = staticmethod(lambda d, info: [])


class _Made(_Device):
    resolve_make = staticmethod(lambda d, info: d.vendor)
    resolve_model = staticmethod(lambda d, info: d.model)


class SmartFlexVehicle(_Made):
    resolve_chargingPreferences = staticmethod(_charging_preferences)


class SmartFlexChargePoint(_Made):
    resolve_chargingPreferences = staticmethod(_charging_preferences)


class SmartFlexBattery(_Made):
    pass


class SmartFlexHeatPump(_Made):
    resolve_powerInKw = staticmethod(lambda d, info: d.max_power_kw)


class SmartFlexInverter(_Made):
    pass


class SmartFlexDevice(_Device):
    pass


class UpsideDispatchType:
    resolve_start = staticmethod(lambda d, info: d.start_at)
    resolve_end = staticmethod(lambda d, info: d.end_at)
    resolve_startDt = staticmethod(lambda d, info: d.start_at.isoformat())
    resolve_endDt = staticmethod(lambda d, info: d.end_at.isoformat())
    resolve_deltaKwh = staticmethod(lambda d, info: int(d.delta_kwh))
    resolve_delta = staticmethod(lambda d, info: d.delta_kwh)
    resolve_meta = staticmethod(lambda d, info: {"source": d.source, "location": d.location or None})


TYPE_RESOLVERS = {models.Device: device_type}
