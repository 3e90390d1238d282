"""Fields of meter points, meters, registers and readings, and the meter points of a property.

Each class is named after the contract type it resolves; `kernel.graphql.binding.bind` attaches its
`resolve_<field>` functions to the generated graphene class. A field nobody resolves is null.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from accounts import queries as accounts_queries
from accounts.graphql import dataloaders as accounts_loaders
from kernel import graphql as gql
from metering import facts, models, queries
from metering.graphql import dataloaders


def meter_point_type(meter_point: models.MeterPoint) -> str:
    if queries.is_electricity(meter_point.utility_type):
        return "ElectricityMeterPointType"
    return "GasMeterPointType"


def meter_type(meter: models.Meter) -> str:
    return (
        "ElectricityMeterType" if queries.is_electricity(meter.meter_point.utility_type) else "GasMeterType"
    )


@dataclass(frozen=True)
class _DeviceNetwork:
    """The home area network of a property's smart meters: every smart metering device paired with
    a meter at the property (the contract's SmartMeterDeviceNetworkType)."""

    property_id: int


class SmartMeterDeviceNetworkType:
    resolve_id = gql.plain(
        lambda network, info: gql.model_id("SmartMeterDeviceNetworkType", network.property_id)
    )

    @staticmethod
    def resolve_smartDevices(network, info, statuses=None):
        wanted = {gql.enum_name(s) for s in statuses or []}
        return gql.then(
            dataloaders.smart_devices_of_property(info, network.property_id),
            lambda devices: [d for d in devices if not wanted or d.status in wanted],
        )


class PropertyType:
    @staticmethod
    def resolve_smartDeviceNetworks(prop, info):
        """The property's smart meter network, when a smart metering device is paired there."""
        return gql.then(
            dataloaders.smart_devices_of_property(info, prop.pk),
            lambda devices: [_DeviceNetwork(property_id=prop.pk)] if devices else [],
        )

    @staticmethod
    def resolve_electricityMeterPoints(prop, info):
        return _meter_points_at(prop, info, queries.is_electricity)

    @staticmethod
    def resolve_gasMeterPoints(prop, info):
        return _meter_points_at(prop, info, lambda utility_type: utility_type == models.UtilityType.GAS)


def _meter_points_at(prop, info, wanted) -> list:
    """The property's meter points of the wanted utility, each knowing its property."""

    def pick(meter_points):
        found = [mp for mp in meter_points if wanted(mp.utility_type)]
        for mp in found:
            mp.property = prop
        return found

    return gql.then(dataloaders.meter_points_of_property(info, prop.pk), pick)


def _meters(meter_point, info, id=None, includeInactive=None):
    now = gql.context(info).now

    def pick(meters):
        out = []
        for m in meters:
            m.meter_point = meter_point
            if (id is None or gql.decode_int(id) == m.pk) and (
                includeInactive or queries.is_installed(meter=m, at=now)
            ):
                out.append(m)
        return out

    return gql.then(dataloaders.meters_of_meter_point(info, meter_point.pk), pick)


# A non-null industry code the platform holds no record of (`facts.UNKNOWN`).
_unknown = gql.plain(lambda root, info: facts.UNKNOWN)


def _devices_of_point(read):
    """A resolver of a meter point field derived from its smart metering devices (`facts`)."""
    return staticmethod(
        lambda mp, info: gql.then(dataloaders.smart_devices_of_meter_point(info, mp.pk), read)
    )


def _meters_of_point(read):
    """A resolver of a meter point field derived from its meters and the request's clock."""

    def resolve(mp, info):
        now = gql.context(info).now
        return gql.then(dataloaders.meters_of_meter_point(info, mp.pk), lambda meters: read(meters, now))

    return staticmethod(resolve)


class _MeterPoint:
    """Fields of both meter point types. Industry facts the platform holds no record of answer
    null, or `facts.UNKNOWN` where the contract makes them non-null; what the platform never does
    (read disputes, withdrawals) answers False."""

    resolve_id = gql.plain(lambda mp, info: gql.model_id(meter_point_type(mp), mp.pk))
    resolve_status = gql.plain(lambda mp, info: mp.status)
    resolve_statusUpdatedAt = gql.plain(lambda mp, info: mp.status_updated_at)
    resolve_currentSupplierMpid = gql.plain(lambda mp, info: mp.supplier_mpid or None)
    resolve_supplyEndDate = gql.plain(lambda mp, info: mp.supply_to.date() if mp.supply_to else None)
    resolve_targetSsd = gql.plain(lambda mp, info: mp.supply_from.date())
    resolve_meters = staticmethod(_meters)
    resolve_requiresEnrolment = gql.plain(lambda mp, info: mp.status == models.MeterPointStatus.PENDING)
    resolve_requiresWithdrawal = gql.plain(lambda mp, info: False)
    resolve_hasOpenOpeningReadDispute = gql.plain(lambda mp, info: False)
    resolve_hasOpenClosingReadDispute = gql.plain(lambda mp, info: False)
    resolve_smartStartDate = _meters_of_point(lambda meters, now: facts.smart_start_date(meters))


class ElectricityMeterPointType(_MeterPoint):
    resolve_mpan = gql.plain(lambda mp, info: mp.identifier)
    resolve_gspGroupId = gql.plain(lambda mp, info: queries.gsp_group_of(mp) or None)
    resolve_profileClass = gql.plain(lambda mp, info: mp.profile_class)
    resolve_measurementClass = gql.plain(lambda mp, info: facts.measurement_class(mp.profile_class))
    resolve_ssc = _unknown
    resolve_energisationStatus = _meters_of_point(facts.energisation_status)
    resolve_dccServiceFlag = _devices_of_point(facts.dcc_service_flag)
    resolve_dccEffectiveFrom = _devices_of_point(facts.dcc_effective_from)
    resolve_smsOperator = _devices_of_point(facts.sms_operator)
    resolve_smsOperatorEffectiveFrom = _devices_of_point(facts.dcc_effective_from)
    resolve_ihdStatus = _devices_of_point(facts.ihd_status)
    resolve_ihdEffectiveFrom = _devices_of_point(
        lambda devices: d.paired_at.date() if (d := facts.in_home_display(devices)) else None
    )

    @staticmethod
    def resolve_lastValidatedReadingDate(mp, info):
        return dataloaders.latest_reading_date(info, mp.pk)


class GasMeterPointType(_MeterPoint):
    resolve_mprn = gql.plain(lambda mp, info: mp.identifier)
    resolve_nominationType = _unknown
    resolve_nominationShipperReference = _unknown
    resolve_mrfType = _unknown
    resolve_meterReadBatchFrequency = _unknown
    resolve_exitZone = _unknown
    # The local distribution zone whose calorific values price the gas (UNKNOWN when not known).
    resolve_ldz = gql.plain(lambda mp, info: mp.ldz or facts.UNKNOWN)
    resolve_supplyPointCategory = _unknown
    resolve_igtIdentifier = _unknown
    # Class 4 (non-daily metered): the only gas supply class the platform supplies.
    resolve_supplyClass = gql.plain(lambda mp, info: 4)
    resolve_formulaYearSmpAq = gql.plain(lambda mp, info: mp.estimated_annual_consumption)
    resolve_marketCategory = gql.plain(
        lambda mp, info: facts.gas_market_category(mp.estimated_annual_consumption)
    )

    @staticmethod
    def resolve_marketSectorCode(mp, info):
        """D (domestic) or I (industrial and commercial), from the account supplied there."""
        return gql.then(
            accounts_loaders.account(info, mp.property.account_id),
            lambda account: "I" if accounts_queries.is_business(account=account) else "D",
        )


def _with_devices(read):
    """A resolver of a meter field derived from its smart metering devices."""
    return staticmethod(lambda m, info: gql.then(dataloaders.smart_devices_of_meter(info, m.pk), read))


def _with_registers(read):
    """A resolver of a meter field derived from its registers."""
    return staticmethod(lambda m, info: gql.then(dataloaders.registers_of_meter(info, m.pk), read))


class _Meter:
    resolve_id = gql.plain(lambda m, info: gql.model_id(meter_type(m), m.pk))
    resolve_nodeId = gql.plain(lambda m, info: gql.model_id(meter_type(m), m.pk))
    resolve_serialNumber = gql.plain(lambda m, info: m.serial_number)
    resolve_installationDate = gql.plain(lambda m, info: m.installed_from.date())
    resolve_activeFrom = gql.plain(lambda m, info: m.installed_from.date())
    resolve_activeTo = gql.plain(lambda m, info: m.installed_to.date() if m.installed_to else None)
    # The platform keeps no separate record-creation time for a meter: it is on record from its
    # installation.
    resolve_createdAt = gql.plain(lambda m, info: m.installed_from)
    resolve_meterPoint = staticmethod(lambda m, info: m.meter_point)
    resolve_isDigital = gql.plain(lambda m, info: m.is_smart)
    resolve_updatedAt = gql.plain(lambda m, info: m.updated_at)
    # Only a meter in prepayment mode takes top-ups, and only a smart one takes them remotely.
    resolve_isReadyForTopup = gql.plain(lambda m, info: m.is_prepay and m.is_smart)
    # A smart meter records every half hour; the platform keeps what it sends.
    resolve_hasAndAllowsHhReadings = gql.plain(lambda m, info: m.is_smart)
    resolve_isTradPrepay = gql.plain(
        lambda m, info: facts.is_traditional_prepay(m) or (m.is_prepay and not m.is_smart)
    )
    resolve_fuelType = gql.plain(
        lambda m, info: "electricity" if meter_type(m) == "ElectricityMeterType" else "gas"
    )
    resolve_consumptionUnits = _with_registers(lambda registers: facts.unit_name(facts.unit_of(registers)))

    @staticmethod
    def resolve_registers(meter, info):
        return dataloaders.registers_of_meter(info, meter.pk)

    @staticmethod
    def resolve_smartDevices(meter, info):
        return dataloaders.smart_devices_of_meter(info, meter.pk)

    @staticmethod
    def resolve_readings(meter, info, **kwargs):
        return dataloaders.readings_of_meter(info, meter.pk, gql.page_args(**kwargs))

    @staticmethod
    def resolve_consumption(meter, info, startAt, grouping, timezone, **kwargs):
        try:
            tz = queries.time_zone(timezone)
            bucket = CONSUMPTION_GROUPINGS[gql.enum_name(grouping)]
        except (queries.UnknownTimeZone, KeyError) as exc:
            raise gql.invalid_input(
                "timezone must be an IANA time zone and grouping HALF_HOUR or longer (interval data "
                "is half-hourly).",
                errors=[("timezone" if isinstance(exc, queries.UnknownTimeZone) else "grouping", str(exc))],
            ) from exc
        page = dataloaders.consumption_of_meter(
            info, meter.pk, start=startAt, grouping=bucket, tz=tz, args=gql.page_args(**kwargs)
        )
        return gql.then(page, lambda page: gql.map_nodes(page, consumption_view))


# Kraken's consumption groupings over the half-hourly interval data (None: the half hours as they
# are). There is nothing finer than a half hour to group by quarter hours.
CONSUMPTION_GROUPINGS = {
    "HALF_HOUR": None,
    "HOUR": queries.ConsumptionGrouping.HOUR,
    "DAY": queries.ConsumptionGrouping.DAY,
    "WEEK": queries.ConsumptionGrouping.WEEK,
    "MONTH": queries.ConsumptionGrouping.MONTH,
    "QUARTER": queries.ConsumptionGrouping.QUARTER,
}


def consumption_view(bucket: queries.ConsumptionBucket) -> dict:
    return gql.view("ConsumptionType", value=bucket.consumption, startAt=bucket.start, endAt=bucket.end)


def _paired(meter, info, *, export: bool) -> list:
    """The meters on the other direction's meter point sharing this meter's serial number."""

    def pick(meters):
        return [m for m in meters if m.meter_point.is_export == export]

    return gql.then(dataloaders.paired_meters(info, meter.pk), pick)


class ElectricityMeterType(_Meter):
    resolve_meterType = gql.plain(lambda m, info: m.meter_type or None)
    resolve_makeAndType = _with_devices(facts.make_and_type)

    @staticmethod
    def resolve_smartImportElectricityMeter(meter, info):
        return _paired_device(meter, info, models.SmartDeviceType.ESME, export=False)

    @staticmethod
    def resolve_smartExportElectricityMeter(meter, info):
        return _paired_device(meter, info, models.SmartDeviceType.ESME, export=True)

    @staticmethod
    def resolve_importMeter(meter, info):
        if not meter.meter_point.is_export:
            return None
        return gql.then(_paired(meter, info, export=False), lambda found: found[0] if found else None)

    @staticmethod
    def resolve_exportMeters(meter, info, **kwargs):
        args = gql.page_args(**kwargs)
        if meter.meter_point.is_export:
            return gql.paginate_list([], args=args)
        return gql.then(_paired(meter, info, export=True), lambda found: gql.paginate_list(found, args=args))


class GasMeterType(_Meter):
    # The meter's own make and model are those its gas smart metering equipment reports; other
    # non-null asset details the platform holds no record of answer `facts.UNKNOWN`.
    resolve_modelName = _with_devices(
        lambda devices: (d.model if (d := facts.dcc_meter(devices)) else "") or facts.UNKNOWN
    )
    resolve_manufacturerCode = _with_devices(
        lambda devices: (d.manufacturer if (d := facts.dcc_meter(devices)) else "") or facts.UNKNOWN
    )
    resolve_meterType = gql.plain(lambda m, info: m.meter_type or facts.UNKNOWN)
    resolve_location = _unknown
    resolve_locationDescription = _unknown
    resolve_instructions = _unknown
    resolve_linkCode = _unknown
    resolve_collarFitted = _unknown
    resolve_bypassFitted = _unknown
    resolve_owner = _unknown
    resolve_currentMeterAssetManager = _unknown
    # The number of the meter's units is not recorded: 0.
    resolve_units = gql.plain(lambda m, info: 0)
    resolve_imperial = _with_registers(lambda registers: facts.is_imperial(facts.unit_of(registers)))
    resolve_readingFactor = _with_registers(lambda registers: registers[0].multiplier if registers else None)

    @staticmethod
    def resolve_mechanism(meter, info):
        return gql.then(
            dataloaders.smart_devices_of_meter(info, meter.pk),
            lambda devices: facts.gas_mechanism(meter, devices),
        )

    @staticmethod
    def resolve_status(meter, info):
        return facts.gas_meter_status(meter, gql.context(info).now)

    @staticmethod
    def resolve_operationalStatusDate(meter, info):
        return facts.gas_meter_status_date(meter, gql.context(info).now)

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
    resolve_deviceNetwork = staticmethod(
        lambda device, info: _DeviceNetwork(property_id=device.meter.meter_point.property_id)
    )


class _Register:
    resolve_identifier = gql.plain(lambda r, info: r.identifier)
    resolve_digits = gql.plain(lambda r, info: r.digits)
    resolve_name = gql.plain(lambda r, info: r.rate_band)
    resolve_unitRateType = gql.plain(lambda r, info: r.rate_band)


class ElectricityMeterRegisterType(_Register):
    @staticmethod
    def resolve_eac(register, info):
        """The register's own estimated annual consumption (its time pattern's), else the meter
        point's when this is its meter's only register."""
        if register.estimated_annual_consumption is not None:
            return register.estimated_annual_consumption
        meter_point = register.meter.meter_point
        return gql.then(
            dataloaders.registers_of_meter(info, register.meter_id),
            lambda registers: (
                Decimal(meter_point.estimated_annual_consumption)
                if len(registers) == 1 and meter_point.estimated_annual_consumption is not None
                else None
            ),
        )

    resolve_id = gql.plain(lambda r, info: gql.model_id("ElectricityMeterRegisterType", r.pk))
    resolve_timePatternRegime = gql.plain(lambda r, info: r.time_pattern_regime or None)
    resolve_multiplier = gql.plain(lambda r, info: float(r.multiplier))


class GasMeterRegisterType(_Register):
    resolve_id = gql.plain(lambda r, info: gql.model_id("GasMeterRegisterType", r.pk))


class _Reading:
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
                digits=reading.register.digits,
                # The platform quarantines no reading: a reading it holds is a reading it uses.
                isQuarantined=False,
            )
        ]


class ElectricityMeterReadingType(_Reading):
    resolve_id = gql.plain(lambda r, info: gql.model_id("ElectricityMeterReadingType", r.pk))


class GasMeterReadingType(_Reading):
    resolve_id = gql.plain(lambda r, info: gql.model_id("GasMeterReadingType", r.pk))


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
