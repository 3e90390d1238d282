"""Fields of meter points, meters, registers and readings, and the meter points of a property.

Each class is named after the contract type it resolves; `kernel.graphql.binding.bind` attaches its
`resolve_<field>` functions to the generated graphene class. A field nobody resolves is null.
"""

from __future__ import annotations

from kernel import graphql as gql
from metering import models, queries
from metering.graphql import dataloaders


def meter_point_type(meter_point: models.MeterPoint) -> str:
    if queries.is_electricity(meter_point.utility_type):
        return "ElectricityMeterPointType"
    return "GasMeterPointType"


def meter_type(meter: models.Meter) -> str:
    return (
        "ElectricityMeterType" if queries.is_electricity(meter.meter_point.utility_type) else "GasMeterType"
    )


class PropertyType:
    @staticmethod
    def resolve_electricityMeterPoints(prop, info):
        return gql.then(
            dataloaders.meter_points_of_property(info, prop.pk),
            lambda mps: [mp for mp in mps if queries.is_electricity(mp.utility_type)],
        )

    @staticmethod
    def resolve_gasMeterPoints(prop, info):
        return gql.then(
            dataloaders.meter_points_of_property(info, prop.pk),
            lambda mps: [mp for mp in mps if mp.utility_type == models.UtilityType.GAS],
        )


def _meters(meter_point, info, id=None, includeInactive=None):
    now = gql.context(info).now

    def pick(meters):
        out = []
        for m in meters:
            m.meter_point = meter_point
            if (id is None or gql.encode_pk(m.pk) == str(id) or str(m.pk) == str(id)) and (
                includeInactive or queries.is_installed(meter=m, at=now)
            ):
                out.append(m)
        return out

    return gql.then(dataloaders.meters_of_meter_point(info, meter_point.pk), pick)


class _MeterPoint:
    resolve_id = gql.plain(lambda mp, info: gql.encode_pk(mp.pk))
    resolve_status = gql.plain(lambda mp, info: mp.status)
    resolve_supplyEndDate = gql.plain(lambda mp, info: mp.supply_to.date() if mp.supply_to else None)
    resolve_meters = staticmethod(_meters)


class ElectricityMeterPointType(_MeterPoint):
    resolve_mpan = gql.plain(lambda mp, info: mp.identifier)
    resolve_gspGroupId = gql.plain(lambda mp, info: mp.gsp_group_id or None)
    resolve_profileClass = gql.plain(lambda mp, info: mp.profile_class)


class GasMeterPointType(_MeterPoint):
    resolve_mprn = gql.plain(lambda mp, info: mp.identifier)


class _Meter:
    resolve_id = gql.plain(lambda m, info: gql.model_id(meter_type(m), m.pk))
    resolve_nodeId = gql.plain(lambda m, info: gql.model_id(meter_type(m), m.pk))
    resolve_serialNumber = gql.plain(lambda m, info: m.serial_number)
    resolve_installationDate = gql.plain(lambda m, info: m.installed_from.date())
    resolve_activeFrom = gql.plain(lambda m, info: m.installed_from.date())
    resolve_activeTo = gql.plain(lambda m, info: m.installed_to.date() if m.installed_to else None)
    resolve_meterPoint = staticmethod(lambda m, info: m.meter_point)
    resolve_isDigital = gql.plain(lambda m, info: m.is_smart)
    resolve_fuelType = gql.plain(
        lambda m, info: "electricity" if meter_type(m) == "ElectricityMeterType" else "gas"
    )

    @staticmethod
    def resolve_registers(meter, info):
        return dataloaders.registers_of_meter(info, meter.pk)

    @staticmethod
    def resolve_smartDevices(meter, info):
        return dataloaders.smart_devices_of_meter(info, meter.pk)

    @staticmethod
    def resolve_readings(meter, info, **kwargs):
        return dataloaders.readings_of_meter(info, meter.pk, gql.page_args(**kwargs))


class ElectricityMeterType(_Meter):
    resolve_meterType = gql.plain(lambda m, info: m.meter_type or None)

    @staticmethod
    def resolve_smartImportElectricityMeter(meter, info):
        return _paired_device(meter, info, models.SmartDeviceType.ESME, export=False)

    @staticmethod
    def resolve_smartExportElectricityMeter(meter, info):
        return _paired_device(meter, info, models.SmartDeviceType.ESME, export=True)


class GasMeterType(_Meter):
    @staticmethod
    def resolve_smartGasMeter(meter, info):
        return _paired_device(meter, info, models.SmartDeviceType.GSME)


def _paired_device(meter: models.Meter, info, device_type: str, *, export: bool | None = None):
    """The meter's device of `device_type` (its ESME or GSME), which telemetry clients ask
    `smartMeterTelemetry` about; an ESME only on the meter point of its direction."""
    if export is not None and meter.meter_point.is_export != export:
        return None

    def pick(devices):
        return next((device for device in devices if device.device_type == device_type), None)

    return gql.then(dataloaders.smart_devices_of_meter(info, meter.pk), pick)


def _meter_if(device: models.SmartMeterDevice, kind: str, *, export: bool | None = None):
    meter = device.meter
    if meter_type(meter) != kind or (export is not None and meter.meter_point.is_export != export):
        return None
    return meter


class SmartMeterDeviceType:
    resolve_id = gql.plain(lambda device, info: gql.model_id("SmartMeterDeviceType", device.pk))
    resolve_deviceId = gql.plain(lambda device, info: device.device_id)
    resolve_serialNumber = gql.plain(lambda device, info: device.meter.serial_number)
    resolve_type = gql.plain(lambda device, info: device.device_type)
    resolve_status = gql.plain(lambda device, info: device.status)
    resolve_manufacturer = gql.plain(lambda device, info: device.manufacturer)
    resolve_model = gql.plain(lambda device, info: device.model)
    resolve_firmwareVersion = gql.plain(lambda device, info: device.firmware_version)
    resolve_importElectricityMeter = staticmethod(
        lambda device, info: _meter_if(device, "ElectricityMeterType", export=False)
    )
    resolve_exportElectricityMeter = staticmethod(
        lambda device, info: _meter_if(device, "ElectricityMeterType", export=True)
    )
    resolve_gasMeter = staticmethod(lambda device, info: _meter_if(device, "GasMeterType"))


class _Register:
    resolve_id = gql.plain(lambda r, info: gql.encode_pk(r.pk))
    resolve_identifier = gql.plain(lambda r, info: r.identifier)
    resolve_digits = gql.plain(lambda r, info: r.digits)
    resolve_name = gql.plain(lambda r, info: r.rate_band)
    resolve_unitRateType = gql.plain(lambda r, info: r.rate_band)


class ElectricityMeterRegisterType(_Register):
    resolve_multiplier = gql.plain(lambda r, info: float(r.multiplier))


class GasMeterRegisterType(_Register):
    pass


class _Reading:
    resolve_id = gql.plain(lambda r, info: gql.encode_pk(r.pk))
    resolve_readAt = gql.plain(lambda r, info: r.read_at)
    resolve_readingSource = gql.plain(lambda r, info: r.source)
    resolve_source = gql.plain(lambda r, info: r.source)

    @staticmethod
    def resolve_registers(reading, info):
        return [
            gql.view(
                "RegisterReading",
                identifier=reading.register.identifier,
                name=reading.register.rate_band,
                value=str(reading.value),
            )
        ]


class ElectricityMeterReadingType(_Reading):
    pass


class GasMeterReadingType(_Reading):
    pass


def telemetry_view(interval: queries.TelemetryInterval) -> dict:
    """SmartMeterTelemetryType. Cost is not computed (tariffs live in billing): the cost fields
    stay null."""
    return gql.view(
        "SmartMeterTelemetryType",
        readAt=interval.read_at,
        consumption=interval.consumption_kwh,
        demand=interval.demand_w,
        consumptionDelta=interval.consumption_delta_kwh,
    )


TYPE_RESOLVERS = {models.MeterPoint: meter_point_type, models.Meter: meter_type}
