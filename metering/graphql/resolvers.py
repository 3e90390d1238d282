"""Resolvers of meter points, meters, registers and readings; the `meterPoints`, meter readings,
`smartMeterTelemetry` and `octoplusAccountInfo` roots and the meter reading mutations."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts import models as accounts_models
from accounts import queries as accounts_queries
from accounts.graphql import access
from kernel import graphql as gql
from kernel.graphql import error_codes
from metering import models, operations, queries
from metering.graphql import dataloaders

ELECTRICITY = (models.UtilityType.ELECTRICITY, models.UtilityType.EMBEDDED_ELECTRICITY)


def meter_point_type(meter_point: models.MeterPoint) -> str:
    return "ElectricityMeterPointType" if meter_point.utility_type in ELECTRICITY else "GasMeterPointType"


def meter_type(meter: models.Meter) -> str:
    return "ElectricityMeterType" if meter.meter_point.utility_type in ELECTRICITY else "GasMeterType"


class _MeterPointRoots:
    @staticmethod
    def resolve_meterPoints(root, info, mpan=None, mprn=None):
        ctx = gql.context(info)
        ctx.viewer()
        identifier = mpan or mprn
        if not identifier or (mpan and mprn):
            raise gql.KrakenError(error_codes.INVALID_DATA, description="Give exactly one of mpan and mprn.")
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
            raise gql.KrakenError(error_codes.UNAUTHORIZED)
        return meter_point


class PropertyType:
    @staticmethod
    def resolve_electricityMeterPoints(prop, info):
        return gql.then(
            dataloaders.meter_points_of_property(info, prop.pk),
            lambda mps: [mp for mp in mps if mp.utility_type in ELECTRICITY],
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
            active = m.installed_from <= now and (m.installed_to is None or now < m.installed_to)
            if (id is None or gql.encode_pk(m.pk) == str(id) or str(m.pk) == str(id)) and (
                includeInactive or active
            ):
                out.append(m)
        return out

    return gql.then(dataloaders.meters_of_meter_point(info, meter_point.pk), pick)


class _MeterPoint:
    resolve_id = staticmethod(lambda mp, info: gql.encode_pk(mp.pk))
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
    resolve_id = staticmethod(lambda m, info: gql.model_id(meter_type(m), m.pk))
    resolve_nodeId = staticmethod(lambda m, info: gql.model_id(meter_type(m), m.pk))
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
        return dataloaders.readings_of_meter(info, meter.pk, gql.page_args(**kwargs))


class ElectricityMeterType(_Meter):
    resolve_meterType = staticmethod(lambda m, info: m.meter_type or None)


class GasMeterType(_Meter):
    pass


class _Register:
    resolve_id = staticmethod(lambda r, info: gql.encode_pk(r.pk))
    resolve_identifier = staticmethod(lambda r, info: r.identifier)
    resolve_digits = staticmethod(lambda r, info: r.digits)
    resolve_name = staticmethod(lambda r, info: r.rate_band)
    resolve_unitRateType = staticmethod(lambda r, info: r.rate_band)


class ElectricityMeterRegisterType(_Register):
    resolve_multiplier = staticmethod(lambda r, info: float(r.multiplier))


class GasMeterRegisterType(_Register):
    pass


class _Reading:
    resolve_id = staticmethod(lambda r, info: gql.encode_pk(r.pk))
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


# --- readings, meter reading submission, telemetry, Octoplus eligibility -------------------------

# Kraken's reading event types mapped onto where our readings come from.
EVENT_SOURCES = {
    "CUSTOMER": (models.ReadingSource.CUSTOMER,),
    "SMART_METER": (models.ReadingSource.SMART,),
    "ESTIMATE": (models.ReadingSource.ESTIMATED,),
    "DATA_COLLECTOR": (models.ReadingSource.METER_READER, models.ReadingSource.INDUSTRY),
    "PRE_SUPPLIER": (models.ReadingSource.IMPORT,),
    "CHANGE_OF_SUPPLY": (),
    "METER_EXCHANGE": (),
    "PREPAY": (),
}
TELEMETRY_BUCKETS = {
    "TEN_SECONDS": timedelta(seconds=10),
    "ONE_MINUTE": timedelta(minutes=1),
    "FIVE_MINUTES": timedelta(minutes=5),
    "HALF_HOURLY": timedelta(minutes=30),
    "HOURLY": timedelta(hours=1),
}
MAX_TELEMETRY_WINDOW = timedelta(days=31)
DEFAULT_TELEMETRY_WINDOW = timedelta(hours=1)


def _name(value):
    return getattr(value, "name", value)


def _meter_readings(info, accountNumber, meterId, eventTypes, kwargs, *, electricity: bool):
    account = access.viewer_account(info, accountNumber)
    args = gql.page_args(**kwargs)
    type_name = "ElectricityMeterType" if electricity else "GasMeterType"
    pk = gql.parse_model_id(str(meterId), type_name) or gql.decode_pk(str(meterId))
    try:
        if pk is None:
            raise queries.NotFound(str(meterId))
        meter = queries.meter_of_accounts(meter_id=pk, account_ids={account.pk}, electricity=electricity)
    except queries.NotFound as exc:
        raise gql.KrakenError(error_codes.UNAUTHORIZED) from exc
    sources = None
    if eventTypes:
        sources = {source for event in eventTypes for source in EVENT_SOURCES[_name(event)]}
    return gql.paginate(queries.readings_of_meter(meter=meter, sources=sources), args=args)


def _read_at(read_date: date) -> datetime:
    """A customer's reading on a date counts from the start of that day, local time."""
    return datetime.combine(read_date, time(0), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _submit(info, *, identifier, read_date, values, serial_number, electricity: bool) -> dict:
    ctx = gql.context(info)
    viewer = ctx.viewer()
    if not identifier or read_date is None:
        raise gql.KrakenError(
            error_codes.INVALID_DATA, description="The meter point and readAt are required."
        )
    read_at = _read_at(read_date)
    try:
        meter_point = queries.meter_point_of_accounts(
            identifier=identifier, account_ids=ctx.viewer_account_ids(), electricity=electricity
        )
        meter = queries.meter_on(meter_point=meter_point, at=read_at, serial_number=serial_number)
    except queries.NotFound as exc:
        raise gql.KrakenError(error_codes.UNAUTHORIZED) from exc
    try:
        stored = operations.submit_customer_reading(
            meter=meter, read_at=read_at, values=values, now=ctx.now, submitted_by=viewer
        )
    except operations.InvalidReadings as exc:
        fields: dict[str, list] = {}
        for error in exc.errors:
            fields.setdefault(error.field, []).append(
                {"__typename": "SerializerErrorType", "message": error.message, "code": "invalid"}
            )
        return {"readingErrors": [{"field": f, "errors": e} for f, e in fields.items()], "id": None}
    return {"readingErrors": [], "id": gql.encode_pk(stored[0].pk)}


class _ReadingRoots:
    @staticmethod
    def resolve_electricityMeterReadings(root, info, accountNumber, meterId, eventTypes=None, **kwargs):
        return _meter_readings(info, accountNumber, meterId, eventTypes, kwargs, electricity=True)

    @staticmethod
    def resolve_gasMeterReadings(root, info, accountNumber, meterId, eventTypes=None, **kwargs):
        return _meter_readings(info, accountNumber, meterId, eventTypes, kwargs, electricity=False)

    @staticmethod
    def resolve_smartMeterTelemetry(root, info, deviceId, start=None, end=None, grouping=None):
        ctx = gql.context(info)
        ctx.viewer()
        try:
            device = queries.smart_meter_device_of_accounts(
                device_id=deviceId, account_ids=ctx.viewer_account_ids()
            )
        except queries.NotFound as exc:
            raise gql.KrakenError(error_codes.UNAUTHORIZED) from exc
        end = end or ctx.now
        start = start or end - DEFAULT_TELEMETRY_WINDOW
        if not start < end or end - start > MAX_TELEMETRY_WINDOW:
            raise gql.KrakenError(
                error_codes.INVALID_DATA, description="start must be before end, at most 31 days apart."
            )
        samples = list(queries.telemetry(device=device, start=start, end=end))
        base = queries.telemetry_before(device=device, at=start)
        bucket = TELEMETRY_BUCKETS.get(_name(grouping)) if grouping is not None else None
        return telemetry_view(samples, base=base, start=start, bucket=bucket)

    @staticmethod
    def resolve_octoplusAccountInfo(root, info, accountNumber):
        account = access.viewer_account(info, accountNumber)
        viewer = gql.context(info).viewer()
        enrolled = accounts_queries.is_loyalty_point_user(account=account)
        reasons = []
        if enrolled:
            reasons.append("ALREADY_SIGNED_UP")
        if not account.properties.exists():
            reasons.append("NO_PROPERTIES")
        elif not models.Meter.objects.filter(
            meter_point__property__account=account, meter_point__utility_type__in=ELECTRICITY, is_smart=True
        ).exists():
            reasons.append("NO_ELIGIBLE_METERS")
        if not accounts_queries.has_active_direct_debit(account=account):
            reasons.append("NO_DIRECT_DEBIT")
        return {
            "isOctoplusEnrolled": enrolled,
            "isLoyaltyPointsUser": account.user_roles.filter(
                user=viewer, role=accounts_models.AccountUserRoleType.LOYALTY_POINT_USER
            ).exists(),
            "octoplusEligibility": {
                "isEligible": not reasons,
                "ineligibilityReason": reasons[0] if reasons else None,
                "ineligibilityReasons": reasons,
            },
        }


def telemetry_view(samples, *, base, start: datetime, bucket: timedelta | None) -> list[dict]:
    """Raw samples, or one row per `bucket` (starting at `start`) with the cumulative register at the
    bucket's last sample, the mean demand and the energy used since the previous row. Cost is not
    computed here (tariffs live in billing), so the cost fields stay null."""
    rows = []
    previous = base.consumption_kwh if base is not None else None
    if bucket is None:
        groups = [(s.read_at, [s]) for s in samples]
    else:
        grouped: dict[datetime, list] = {}
        for s in samples:
            grouped.setdefault(start + (s.read_at - start) // bucket * bucket, []).append(s)
        groups = sorted(grouped.items())
    for read_at, group in groups:
        last = group[-1].consumption_kwh
        demands = [s.demand_w for s in group if s.demand_w is not None]
        rows.append(
            {
                "readAt": read_at,
                "consumption": last,
                "demand": sum(demands) / len(demands) if demands else None,
                "consumptionDelta": last - previous if previous is not None else None,
            }
        )
        previous = last
    return rows


class Query(_MeterPointRoots, _ReadingRoots):
    pass


class Mutation:
    @staticmethod
    def resolve_registerSmartDevice(root, info, input):
        ctx = gql.context(info)
        details = operations.SmartDeviceDetails(
            device_id=input.deviceId,
            device_type=input.deviceType,
            device_manufacturer=input.deviceManufacturer,
            device_model=input.deviceModel,
            supplier_mpid=input.supplierMpid,
            install_code=input.installCode,
            map_mpid=input.mapMpid or "",
            smets_chts_version=input.smetsChtsVersion or "",
            esme_variant=input.esmeVariant or "",
            serial_number=input.serialNumber or "",
            firmware_version=input.firmwareVersion or "",
        )
        try:
            registration = operations.register_smart_device(
                details=details, registered_by=ctx.viewer(), now=ctx.now
            )
        except operations.RegistrationNotPermitted as exc:
            raise gql.KrakenError(error_codes.UNAUTHORIZED) from exc
        except operations.InvalidSmartDevice as exc:
            raise gql.KrakenError(
                error_codes.INVALID_DATA,
                description=str(exc),
                validation_errors=[
                    {"message": e.message, "inputPath": ["input", e.field]} for e in exc.errors
                ],
            ) from exc
        except operations.SmartDeviceAlreadyRegistered as exc:
            raise gql.KrakenError(
                error_codes.INVALID_DATA,
                description="The device is registered already with other details.",
                validation_errors=[{"message": "Registered already.", "inputPath": ["input", "deviceId"]}],
            ) from exc
        return {"requestReference": registration.request_reference}

    @staticmethod
    def resolve_createElectricityMeterReading(
        root, info, mpan=None, readAt=None, readings=None, serialNumber=None
    ):
        values = [(r.registerId, r.reading) for r in readings or []]
        return _submit(
            info,
            identifier=mpan,
            read_date=readAt,
            values=values,
            serial_number=serialNumber,
            electricity=True,
        )

    @staticmethod
    def resolve_createGasMeterReading(root, info, mprn=None, readAt=None, reading=None, serialNumber=None):
        return _submit(
            info,
            identifier=mprn,
            read_date=readAt,
            values=[(None, reading)],
            serial_number=serialNumber,
            electricity=False,
        )
