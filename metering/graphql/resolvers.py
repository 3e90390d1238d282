"""Resolvers of meter points, meters, registers and readings, and the `meterPoints` root."""

from __future__ import annotations

from accounts.graphql import core, error_codes
from metering import models
from metering.graphql import dataloaders

ELECTRICITY = (models.UtilityType.ELECTRICITY, models.UtilityType.EMBEDDED_ELECTRICITY)


def meter_point_type(meter_point: models.MeterPoint) -> str:
    return "ElectricityMeterPointType" if meter_point.utility_type in ELECTRICITY else "GasMeterPointType"


def meter_type(meter: models.Meter) -> str:
    return "ElectricityMeterType" if meter.meter_point.utility_type in ELECTRICITY else "GasMeterType"


class Query:
    @staticmethod
    def resolve_meterPoints(root, info, mpan=None, mprn=None):
        ctx = core.context(info)
        ctx.viewer()
        identifier = mpan or mprn
        if not identifier or (mpan and mprn):
            raise core.KrakenError(error_codes.INVALID_DATA, description="Give exactly one of mpan and mprn.")
        kinds = ELECTRICITY if mpan else (models.UtilityType.GAS,)
        meter_point = (
            models.MeterPoint.objects.select_related("property")
            .filter(
                identifier=identifier,
                utility_type__in=kinds,
                property__account_id__in=ctx.viewer_account_ids(),
            )
            .first()
        )
        if meter_point is None:
            raise core.KrakenError(error_codes.UNAUTHORIZED)
        return meter_point


class PropertyType:
    @staticmethod
    def resolve_electricityMeterPoints(prop, info):
        return core.then(
            dataloaders.meter_points_of_property(info, prop.pk),
            lambda mps: [mp for mp in mps if mp.utility_type in ELECTRICITY],
        )

    @staticmethod
    def resolve_gasMeterPoints(prop, info):
        return core.then(
            dataloaders.meter_points_of_property(info, prop.pk),
            lambda mps: [mp for mp in mps if mp.utility_type == models.UtilityType.GAS],
        )


def _meters(meter_point, info, id=None, includeInactive=None):
    now = core.context(info).now

    def pick(meters):
        out = []
        for m in meters:
            m.meter_point = meter_point
            active = m.installed_from <= now and (m.installed_to is None or now < m.installed_to)
            if (id is None or core.encode_pk(m.pk) == str(id) or str(m.pk) == str(id)) and (
                includeInactive or active
            ):
                out.append(m)
        return out

    return core.then(dataloaders.meters_of_meter_point(info, meter_point.pk), pick)


class _MeterPoint:
    resolve_id = staticmethod(lambda mp, info: core.encode_pk(mp.pk))
    resolve_status = staticmethod(lambda mp, info: mp.status)
    resolve_supplyEndDate = staticmethod(lambda mp, info: mp.supply_to.date() if mp.supply_to else None)
    resolve_meters = staticmethod(_meters)


class ElectricityMeterPointType(_MeterPoint):
    resolve_mpan = staticmethod(lambda mp, info: mp.identifier)
    resolve_gspGroupId = staticmethod(lambda mp, info: mp.gsp_group_id or None)
    resolve_profileClass = staticmethod(lambda mp, info: mp.profile_class)


class GasMeterPointType(_MeterPoint):
    resolve_mprn = staticmethod(lambda mp, info: mp.identifier)


class _Meter:
    resolve_id = staticmethod(lambda m, info: core.model_id(meter_type(m), m.pk))
    resolve_nodeId = staticmethod(lambda m, info: core.model_id(meter_type(m), m.pk))
    resolve_serialNumber = staticmethod(lambda m, info: m.serial_number)
    resolve_installationDate = staticmethod(lambda m, info: m.installed_from.date())
    resolve_activeFrom = staticmethod(lambda m, info: m.installed_from.date())
    resolve_activeTo = staticmethod(lambda m, info: m.installed_to.date() if m.installed_to else None)
    resolve_meterPoint = staticmethod(lambda m, info: m.meter_point)
    resolve_isDigital = staticmethod(lambda m, info: m.is_smart)
    resolve_fuelType = staticmethod(
        lambda m, info: "electricity" if meter_type(m) == "ElectricityMeterType" else "gas"
    )

    @staticmethod
    def resolve_registers(meter, info):
        return dataloaders.registers_of_meter(info, meter.pk)

    @staticmethod
    def resolve_readings(meter, info, **kwargs):
        return dataloaders.readings_of_meter(info, meter.pk, core.page_args(**kwargs))


class ElectricityMeterType(_Meter):
    resolve_meterType = staticmethod(lambda m, info: m.meter_type or None)


class GasMeterType(_Meter):
    pass


class _Register:
    resolve_id = staticmethod(lambda r, info: core.encode_pk(r.pk))
    resolve_identifier = staticmethod(lambda r, info: r.identifier)
    resolve_digits = staticmethod(lambda r, info: r.digits)
    resolve_name = staticmethod(lambda r, info: r.rate_band)
    resolve_unitRateType = staticmethod(lambda r, info: r.rate_band)


class ElectricityMeterRegisterType(_Register):
    resolve_multiplier = staticmethod(lambda r, info: float(r.multiplier))


class GasMeterRegisterType(_Register):
    pass


class _Reading:
    resolve_id = staticmethod(lambda r, info: core.encode_pk(r.pk))
    resolve_readAt = staticmethod(lambda r, info: r.read_at)
    resolve_readingSource = staticmethod(lambda r, info: r.source)
    resolve_source = staticmethod(lambda r, info: r.source)

    @staticmethod
    def resolve_registers(reading, info):
        return [
            {
                "identifier": reading.register.identifier,
                "name": reading.register.rate_band,
                "value": str(reading.value),
            }
        ]


class ElectricityMeterReadingType(_Reading):
    pass


class GasMeterReadingType(_Reading):
    pass


TYPE_RESOLVERS = {models.MeterPoint: meter_point_type, models.Meter: meter_type}
