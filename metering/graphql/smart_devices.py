"""Smart metering devices on the meter types, so telemetry clients find the device id they ask
`smartMeterTelemetry` for: `smartDevices` on electricity and gas meters,
`smartImportElectricityMeter`/`smartExportElectricityMeter` (the meter's ESME, by the meter point's
direction) and `smartGasMeter` (its GSME), and the `SmartMeterDeviceType` fields.

One batched query for the devices of every meter in a response.
"""

from __future__ import annotations

from kernel import graphql as gql
from metering import models
from metering.graphql.resolvers import meter_type


def devices_of_meter(info, meter_id: int):
    def batch(ids):
        rows = (
            models.SmartMeterDevice.objects.filter(meter_id__in=ids)
            .select_related("meter__meter_point")
            .order_by("device_type", "device_id")
        )
        return gql.grouped(rows, lambda device: device.meter_id, ids)

    return gql.context(info).loader("smart_devices_of_meter", batch).load(meter_id)


def _first_of_type(meter, info, device_type: str, *, export: bool | None = None):
    if export is not None and meter.meter_point.is_export != export:
        return None

    def pick(devices):
        return next((device for device in devices if device.device_type == device_type), None)

    return gql.then(devices_of_meter(info, meter.pk), pick)


class _SmartMeter:
    @staticmethod
    def resolve_smartDevices(meter, info):
        return devices_of_meter(info, meter.pk)


class ElectricityMeterType(_SmartMeter):
    @staticmethod
    def resolve_smartImportElectricityMeter(meter, info):
        return _first_of_type(meter, info, models.SmartDeviceType.ESME, export=False)

    @staticmethod
    def resolve_smartExportElectricityMeter(meter, info):
        return _first_of_type(meter, info, models.SmartDeviceType.ESME, export=True)


class GasMeterType(_SmartMeter):
    @staticmethod
    def resolve_smartGasMeter(meter, info):
        return _first_of_type(meter, info, models.SmartDeviceType.GSME)


def _meter_if(device: models.SmartMeterDevice, kind: str, *, export: bool | None = None):
    meter = device.meter
    if meter_type(meter) != kind or (export is not None and meter.meter_point.is_export != export):
        return None
    return meter


class SmartMeterDeviceType:
    resolve_id = staticmethod(lambda device, info: gql.model_id("SmartMeterDeviceType", device.pk))
    resolve_deviceId = staticmethod(lambda device, info: device.device_id)
    resolve_serialNumber = staticmethod(lambda device, info: device.meter.serial_number)
    resolve_type = staticmethod(lambda device, info: device.device_type)
    resolve_status = staticmethod(lambda device, info: device.status)
    resolve_manufacturer = staticmethod(lambda device, info: device.manufacturer)
    resolve_model = staticmethod(lambda device, info: device.model)
    resolve_firmwareVersion = staticmethod(lambda device, info: device.firmware_version)
    resolve_importElectricityMeter = staticmethod(
        lambda device, info: _meter_if(device, "ElectricityMeterType", export=False)
    )
    resolve_exportElectricityMeter = staticmethod(
        lambda device, info: _meter_if(device, "ElectricityMeterType", export=True)
    )
    resolve_gasMeter = staticmethod(lambda device, info: _meter_if(device, "GasMeterType"))
