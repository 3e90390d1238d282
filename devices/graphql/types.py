"""Fields of smart devices (the SmartFlex and older KrakenFlex shapes), dispatches and saving
sessions, and the views of the device catalogue and heat pump controllers.

Each class is named after the contract type it resolves; `kernel.graphql.binding.bind` attaches its
`resolve_<field>` functions to the generated graphene class. A field nobody resolves is null.
Values a device or controller has not reported are null; nothing here is made up.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from accounts import queries as accounts_queries
from accounts.graphql import access
from devices import models, queries
from devices.graphql import dataloaders
from kernel import graphql as gql
from metering import queries as metering_queries

DEVICE_TYPES = {
    models.DeviceKind.ELECTRIC_VEHICLES: "SmartFlexVehicle",
    models.DeviceKind.CHARGE_POINTS: "SmartFlexChargePoint",
    models.DeviceKind.BATTERIES: "SmartFlexBattery",
    models.DeviceKind.HEAT_PUMPS: "SmartFlexHeatPump",
    models.DeviceKind.INVERTERS: "SmartFlexInverter",
}
STATUS_TYPES = {
    models.DeviceKind.ELECTRIC_VEHICLES: "SmartFlexVehicleStatus",
    models.DeviceKind.CHARGE_POINTS: "SmartFlexChargePointStatus",
}
# Kraken files charge points under the vehicles it charges.
KRAKEN_DEVICE_TYPES = {models.DeviceKind.CHARGE_POINTS: "ELECTRIC_VEHICLES"}


def device_type(device: models.Device) -> str:
    return DEVICE_TYPES.get(device.kind, "SmartFlexDevice")


def device_id(device: models.Device) -> str:
    """A device's id: the Relay global id of its SmartFlex type and its public id (a UUID)."""
    return gql.global_id(device_type(device), str(device.public_id))


def public_id_of(value: str) -> str:
    """The public id (UUID) a `deviceId` argument names: a device's global id (`device_id`), or its
    public id as the KrakenFlex types give it (`krakenflexDeviceId`). Anything else is returned as
    it is, for the device lookup to refuse."""
    parsed = gql.parse_global_id(str(value))
    if parsed is not None and parsed[0] in (*DEVICE_TYPES.values(), "SmartFlexDevice"):
        return parsed[1]
    return str(value)


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _int(value: Decimal | None) -> int | None:
    return int(value) if value is not None else None


# --- SmartFlex devices and dispatches ------------------------------------------------------------


def _status(device: models.Device) -> dict:
    if device.kind in STATUS_TYPES:
        # Vehicles and charge points are the devices onboarded with a test charge.
        return gql.view(
            STATUS_TYPES[device.kind],
            current=str(device.status),
            isSuspended=device.is_suspended,
            currentState=str(device.state),
            testDispatchFailureReason=queries.test_dispatch_failure_reason(device),
        )
    return gql.view(
        "SmartFlexDeviceStatus",
        current=str(device.status),
        isSuspended=device.is_suspended,
        currentState=str(device.state),
    )


def _smartflex_preferences(prefs: queries.ChargingPreferences) -> dict | None:
    if prefs.weekday is None or prefs.weekend is None:
        return None
    return gql.view(
        "SmartFlexVehicleChargingPreferences",
        weekdayTargetTime=prefs.weekday.time,
        weekdayTargetSoc=int(prefs.weekday.max_value),
        weekendTargetTime=prefs.weekend.time,
        weekendTargetSoc=int(prefs.weekend.max_value),
        minimumSoc=_int(prefs.minimum_soc),
        maximumSoc=_int(prefs.maximum_soc),
    )


def _charging_preferences(device, info):
    return gql.then(dataloaders.charging_preferences(info, device.pk), _smartflex_preferences)


class _Device:
    resolve_id = gql.plain(lambda d, info: device_id(d))
    resolve_name = gql.plain(lambda d, info: d.name or None)
    resolve_deviceType = gql.plain(lambda d, info: KRAKEN_DEVICE_TYPES.get(d.kind, d.kind))
    resolve_provider = gql.plain(lambda d, info: d.provider)
    resolve_status = staticmethod(lambda d, info: _status(d))
    resolve_alerts = staticmethod(lambda d, info: [])


class _Made(_Device):
    resolve_make = gql.plain(lambda d, info: d.vendor)
    resolve_model = gql.plain(lambda d, info: d.model)


class SmartFlexVehicle(_Made):
    resolve_chargingPreferences = staticmethod(_charging_preferences)


class SmartFlexChargePoint(_Made):
    resolve_chargingPreferences = staticmethod(_charging_preferences)


class SmartFlexBattery(_Made):
    pass


class SmartFlexHeatPump(_Made):
    resolve_powerInKw = gql.plain(lambda d, info: d.max_power_kw)


class SmartFlexInverter(_Made):
    pass


class SmartFlexDevice(_Device):
    pass


class UpsideDispatchType:
    resolve_start = gql.plain(lambda d, info: d.start_at)
    resolve_end = gql.plain(lambda d, info: d.end_at)
    resolve_startDt = gql.plain(lambda d, info: d.start_at.isoformat())
    resolve_endDt = gql.plain(lambda d, info: d.end_at.isoformat())
    resolve_deltaKwh = gql.plain(lambda d, info: int(d.delta_kwh))
    resolve_delta = gql.plain(lambda d, info: d.delta_kwh)
    resolve_meta = staticmethod(
        lambda d, info: gql.view("UpsideDispatchMetaType", source=d.source, location=d.location or None)
    )


# The type of a planned SmartFlex dispatch: SMART, BOOST (a bump charge) or TEST; null for a
# dispatch someone placed by hand.
FLEX_DISPATCH_TYPES = {
    models.DispatchSource.SMART: "SMART",
    models.DispatchSource.BOOST: "BOOST",
    models.DispatchSource.BUMP: "BOOST",
    models.DispatchSource.TEST: "TEST",
}


def flex_dispatch_view(d: models.Dispatch) -> dict:
    return gql.view(
        "SmartFlexDispatch",
        start=d.start_at,
        end=d.end_at,
        type=FLEX_DISPATCH_TYPES.get(d.source),
        energyAddedKwh=d.delta_kwh,
    )


# --- KrakenFlex (legacy single-device) types -----------------------------------------------------


def vehicle_preferences_view(prefs: queries.ChargingPreferences) -> dict | None:
    """VehicleChargingPreferencesType from the weekday and weekend schedules."""
    weekday, weekend = prefs.weekday, prefs.weekend
    if weekday is None and weekend is None:
        return None
    return gql.view(
        "VehicleChargingPreferencesType",
        weekdayTargetTime=weekday.time.strftime("%H:%M") if weekday else None,
        weekdayTargetSoc=int(weekday.max_value) if weekday else None,
        weekendTargetTime=weekend.time.strftime("%H:%M") if weekend else None,
        weekendTargetSoc=int(weekend.max_value) if weekend else None,
        minimumSocPercentage=_int(prefs.minimum_soc),
        maximumSocPercentage=_int(prefs.maximum_soc),
    )


UNAUTHENTICATED_STATES = (models.DeviceState.AUTHENTICATION_PENDING, models.DeviceState.AUTHENTICATION_FAILED)


def _if_kind(kind: str, read):
    """A resolver of a KrakenFlexDeviceType field that only devices of `kind` have."""
    return gql.plain(lambda d, info: read(d) if d.kind == kind else None)


def _charge_point(device: models.Device, variant_field: str, device_field: str):
    """A charge point's make, model or power: the device's own when it is a charge point, else
    the catalogue entry of the charge point registered with the vehicle (None without one)."""
    if device.kind == models.DeviceKind.CHARGE_POINTS:
        return getattr(device, device_field) or None
    variant = device.charge_point_variant
    return getattr(variant, variant_field) if variant is not None else None


class KrakenFlexDeviceType:
    resolve_krakenflexDeviceId = gql.plain(lambda d, info: str(d.public_id))
    resolve_provider = gql.plain(lambda d, info: d.provider)
    resolve_status = gql.plain(lambda d, info: str(d.status))
    resolve_suspended = gql.plain(lambda d, info: d.is_suspended)
    resolve_createdAt = gql.plain(lambda d, info: d.created_at)
    # The device holds its provider's token once its authentication completed.
    resolve_hasToken = gql.plain(lambda d, info: d.state not in UNAUTHENTICATED_STATES)
    resolve_vehicleMake = _if_kind(models.DeviceKind.ELECTRIC_VEHICLES, lambda d: d.vendor)
    resolve_vehicleModel = _if_kind(models.DeviceKind.ELECTRIC_VEHICLES, lambda d: d.model)
    resolve_vehicleBatterySizeInKwh = _if_kind(
        models.DeviceKind.ELECTRIC_VEHICLES, lambda d: d.battery_capacity_kwh
    )
    resolve_chargePointMake = gql.plain(lambda d, info: _charge_point(d, "make", "vendor"))
    resolve_chargePointModel = gql.plain(lambda d, info: _charge_point(d, "model", "model"))
    resolve_chargePointPowerInKw = gql.plain(lambda d, info: _charge_point(d, "power_kw", "max_power_kw"))
    resolve_testDispatchFailureReason = gql.plain(lambda d, info: queries.test_dispatch_failure_reason(d))


def _battery_preferences(prefs: queries.ChargingPreferences) -> dict | None:
    if prefs.minimum_soc is None:
        return None
    return gql.view(
        "BatteryChargingPreferencesType",
        minimumSocPercentage=int(prefs.minimum_soc),
        maximumSocPercentage=int(prefs.maximum_soc),
    )


class BatteryDeviceType:
    resolve_krakenflexDeviceId = gql.plain(lambda d, info: str(d.public_id))
    resolve_deviceType = gql.plain(lambda d, info: d.kind)
    resolve_provider = gql.plain(lambda d, info: d.provider)

    @staticmethod
    def resolve_deviceStatus(d, info):
        return gql.view(
            "DeviceStatusType",
            status=str(d.status),
            suspended=d.is_suspended,
            # A battery charges and discharges at its rated power.
            maxImportInKw=_float(queries.rated_power_kw(d)),
            maxExportInKw=_float(queries.rated_power_kw(d)),
            pluggedIn=queries.is_connected(d),
        )

    @staticmethod
    def resolve_chargingPreferences(d, info):
        return gql.then(dataloaders.charging_preferences(info, d.pk), _battery_preferences)

    @staticmethod
    def resolve_params(d, info):
        variant = d.variant
        return (
            gql.view("BatteryParamsType", variantId=str(variant.variant_id)) if variant is not None else None
        )


class HeatPumpDeviceType:
    resolve_krakenflexDeviceId = gql.plain(lambda d, info: str(d.public_id))
    resolve_deviceType = gql.plain(lambda d, info: d.kind)
    resolve_provider = gql.plain(lambda d, info: d.provider)

    @staticmethod
    def resolve_params(d, info):
        variant = d.variant
        return (
            gql.view("HeatPumpParamsType", heatPumpId=str(variant.variant_id))
            if variant is not None
            else None
        )


# --- Saving sessions -----------------------------------------------------------------------------


class SavingSessionsType:
    @staticmethod
    def resolve_account(root, info, accountNumber):
        return access.viewer_account(info, accountNumber)

    @staticmethod
    def resolve_events(root, info, getDevEvents=False):
        return list(queries.saving_session_events(include_dev_events=bool(getDevEvents)))

    @staticmethod
    def resolve_eventCount(root, info, getDevEvents=False):
        return queries.saving_session_event_count(include_dev_events=bool(getDevEvents))

    @staticmethod
    def resolve_nationalAggregatedStats(root, info):
        """Energy saved and when. The "equivalent in words" phrases and tooltip stay null: no data,
        they are campaign copy the platform holds no source for."""
        saved = queries.saving_sessions_energy_saved_kwh()
        return (
            None
            if saved is None
            else gql.view(
                "SavingSessionsNationalAggregatedStatsType",
                energySavedInKwh=saved,
                lastUpdatedAt=queries.saving_sessions_results_updated_at(),
            )
        )


def _event_status(event: models.SavingSessionEvent, info) -> str:
    return queries.saving_session_event_status(event=event, at=gql.context(info).now)


class SavingSessionsEventType:
    resolve_id = gql.plain(lambda e, info: gql.encode_int(e.pk))
    resolve_code = gql.plain(lambda e, info: e.code)
    resolve_startAt = gql.plain(lambda e, info: e.start_at)
    resolve_endAt = gql.plain(lambda e, info: e.end_at)
    resolve_rewardPerKwhInOctoPoints = gql.plain(lambda e, info: e.reward_per_kwh_points)
    resolve_devEvent = gql.plain(lambda e, info: e.is_dev_event)
    resolve_status = staticmethod(_event_status)

    @staticmethod
    def resolve_totalParticipants(e, info):
        return dataloaders.participant_count(info, e.pk)


def _meter_point_view(meter_point) -> dict:
    return gql.view(
        "EligibleMetersPointsType", mpan=meter_point.identifier, address=str(meter_point.property.address)
    )


def _enrolment(info, account) -> models.SavingSessionEnrolment | None:
    """The account's enrolment, read once per request (savingSessions.account is a single account)."""
    return gql.context(info).remembered(
        ("saving_session_enrolment", account.pk), lambda: queries.saving_session_enrolment(account=account)
    )


def _joined_event(p: models.SavingSessionParticipation, outcome: queries.EventOutcome | None, info) -> dict:
    result = queries.saving_result(p)
    saved = result.energy_saved_kwh
    return gql.view(
        "SavingSessionsAccountJoinedEventsType",
        eventId=gql.encode_int(p.event_id),
        startAt=p.event.start_at,
        endAt=p.event.end_at,
        rewardGivenInOctoPoints=p.points_awarded,
        energySavedInKwh=_float(result.energy_saved_kwh),
        status=p.result_status,
        resultsStatus=p.result_status,
        eventStatus=_event_status(p.event, info),
        percentageSaved=_float(result.percentage_saved),
        baselineConsumptionDeltaKwh=_float(p.baseline_kwh),
        consumptionDeltaKwh=_float(p.consumption_kwh),
        resultsSetAt=p.results_set_at,
        co2SavedInGrams=_float(
            queries.co2_saved_grams(energy_saved_kwh=saved) if saved is not None else None
        ),
        avgCustomerRemunerationPounds=_float(outcome.average_reward_pounds) if outcome else None,
        netReductionPctRank=_float(outcome.reduction_rank_percentage) if outcome else None,
    )


class SavingSessionsAccountType:
    @staticmethod
    def resolve_hasJoinedCampaign(account, info):
        return _enrolment(info, account) is not None

    @staticmethod
    def resolve_canJoinCampaign(account, info):
        if _enrolment(info, account) is not None:
            return False
        return metering_queries.has_electricity_meter_point(account_id=account.pk)

    @staticmethod
    def resolve_eligibleMeterPoints(account, info):
        return [
            _meter_point_view(mp)
            for mp in metering_queries.electricity_meter_points_of_account(account_id=account.pk)
        ]

    @staticmethod
    def resolve_signedUpMeterPoint(account, info):
        enrolment = _enrolment(info, account)
        return _meter_point_view(enrolment.meter_point) if enrolment else None

    resolve_isBusinessAccount = gql.plain(lambda account, info: accounts_queries.is_business(account=account))

    # The platform has no tester accounts: every account takes part as a customer.
    resolve_isTesterAccount = gql.plain(lambda account, info: False)

    @staticmethod
    def resolve_joinedEvents(account, info):
        participations = list(queries.saving_session_participations(account=account))
        outcomes = queries.saving_session_outcomes(
            account=account, event_ids=[p.event_id for p in participations]
        )
        return [_joined_event(p, outcomes.get(p.event_id), info) for p in participations]

    @staticmethod
    def resolve_eventStreak(account, info):
        """Each event in order, with the account's streak at it: how many events in a row it had
        joined, this one included (0 when it did not join this one). dispatchNotice stays null:
        no data, the platform does not record when an event was announced."""
        joined = {p.event_id for p in queries.saving_session_participations(account=account)}
        rows, streak = [], 0
        for e in queries.saving_session_events(include_dev_events=False):
            streak = streak + 1 if e.pk in joined else 0
            rows.append(
                gql.view(
                    "SavingSessionsAccountEventStreakType",
                    eventStartDate=e.start_at,
                    isOptedIntoEvent=e.pk in joined,
                    streakPoints=streak,
                )
            )
        return rows


# --- Device catalogue and heat pump controllers (views of the roots in queries.py) ---------------


def by_make(type_name: str, variants, model_view) -> list[dict]:
    """One `type_name` view per make, with the views of its models in catalogue order."""
    makes: dict[str, list] = defaultdict(list)
    for v in variants:
        makes[v.make].append(model_view(v))
    return [gql.view(type_name, make=make, models=rows) for make, rows in makes.items()]


def vehicle_model(v: models.DeviceVariant) -> dict:
    return gql.view(
        "ElectricVehicleModelType",
        vehicleId=v.variant_id,
        model=v.model,
        year=v.year,
        availableFrom=v.available_from_year,
        availableTo=v.available_to_year,
        batterySize=v.battery_capacity_kwh,
        supportedProviders=list(v.supported_providers),
        isIntegrationLive=v.is_integration_live,
    )


def charge_point_model(v: models.DeviceVariant) -> dict:
    return gql.view(
        "ChargePointVariantModelType",
        variantId=v.variant_id,
        model=v.model,
        powerInKw=v.power_kw,
        amperage=v.amperage,
        isIntegrationLive=v.is_integration_live,
    )


def heat_pump_model(v: models.DeviceVariant) -> dict:
    return gql.view(
        "HeatPumpVariantModelsType",
        heatPumpId=str(v.variant_id),
        model=v.model,
        powerInKw=v.power_kw,
        isDeprecated=v.is_deprecated,
    )


def battery_model(v: models.DeviceVariant) -> dict:
    return gql.view(
        "BatteryVariantModelsType",
        variantId=str(v.variant_id),
        model=v.model,
        couplingType=v.coupling_type or None,
        batteryCapacityInKwh=v.battery_capacity_kwh,
        maxPowerInKw=v.power_kw,
        isIntegrationLive=v.is_integration_live,
        isDeprecated=v.is_deprecated,
    )


def controller_status(c: models.HeatPumpController) -> dict:
    """ControllerStatus: each sensor's connectivity and readings, each zone's telemetry."""
    return gql.view(
        "ControllerStatus",
        sensors=[
            gql.view(
                "SensorStatus",
                code=s.code,
                connectivity=gql.view("SensorConnectivity", online=s.is_online, retrievedAt=s.reported_at),
                telemetry=gql.view(
                    "SensorTelemetry",
                    temperatureInCelsius=_float(s.temperature_celsius),
                    humidityPercentage=s.humidity_percentage,
                    rssi=s.rssi,
                    # no data: deprecated in the contract, and no mapping from dBm is documented.
                    rssiPercentage=None,
                    voltage=_float(s.voltage),
                    retrievedAt=s.reported_at,
                ),
            )
            for s in c.sensor_list
        ],
        zones=[
            gql.view(
                "ZoneStatus",
                zone=z.zone,
                telemetry=gql.view(
                    "ZoneTelemetry",
                    setpointInCelsius=_float(z.setpoint_celsius),
                    mode=z.mode or None,
                    relaySwitchedOn=z.relay_switched_on,
                    heatDemand=z.heat_demand,
                    retrievedAt=z.reported_at,
                ),
            )
            for z in c.zone_list
        ],
    )


def _sensor_configuration(s: models.HeatPumpSensor) -> dict:
    if s.sensor_type == models.SensorKind.ZIGBEE:
        return gql.view(
            "ZigbeeSensorConfiguration",
            code=s.code,
            displayName=s.display_name or None,
            type=s.sensor_type,
            id=s.zigbee_id or None,
            firmwareVersion=s.firmware_version or None,
            boostEnabled=s.boost_enabled,
        )
    return gql.view(
        "ADCSensorConfiguration",
        code=s.code,
        displayName=s.display_name or None,
        type=s.sensor_type,
        enabled=s.is_enabled,
    )


ON_OFF = (models.ZoneMode.ON, models.ZoneMode.OFF)


def _zone_information(z: models.HeatPumpZone, sensors: list[dict]) -> dict:
    operation = None
    if z.mode:
        operation = gql.view(
            "ZoneCurrentOperation",
            mode=z.mode,
            setpointInCelsius=_float(z.setpoint_celsius),
            # Zones without a setpoint are only switched on or off.
            action=z.mode if z.setpoint_celsius is None and z.mode in ON_OFF else None,
            # no data: the controller's reports do not say when the current operation ends.
            end=None,
        )
    return gql.view(
        "ZoneInformation",
        configuration=gql.view(
            "ZoneConfiguration",
            code=z.zone,
            zoneType=z.zone_type,
            enabled=z.is_enabled,
            displayName=z.display_name or None,
            primarySensor=z.primary_sensor or None,
            currentOperation=operation,
            previousOperation=None,
            callForHeat=z.call_for_heat,
            heatDemand=z.heat_demand,
            emergency=z.emergency,
            sensors=sensors,
        ),
        schedules=None,
    )


def controller_configuration(c: models.HeatPumpController) -> dict:
    """ControllerAndZoneConfiguration. The access point password is never stored, schedules and
    flow-temperature curves are not held by the product: those stay null."""
    sensors_by_zone: dict[int, list] = defaultdict(list)
    for s in c.sensor_list:
        if s.zone_id is not None:
            sensors_by_zone[s.zone_id].append(_sensor_configuration(s))
    variant = c.device.variant
    return gql.view(
        "ControllerAndZoneConfiguration",
        controller=gql.view(
            "ControllerConfiguration",
            firmwareConfiguration=gql.view(
                "FirmwareConfiguration",
                esp32=c.firmware_esp32 or None,
                efr32=c.firmware_efr32 or None,
                eui=c.euid,
            ),
            state=list(c.states),
            # no data: the controller's access point password is never sent to the platform.
            accessPointPassword=None,
            heatPumpTimezone=c.heat_pump_timezone or None,
            connected=c.is_connected,
            lastReset=c.last_reset_at,
        ),
        zones=[_zone_information(z, sensors_by_zone[z.pk]) for z in c.zone_list],
        heatPump=gql.view(
            "HeatPumpConfiguration",
            serialNumber=c.heat_pump_serial_number or None,
            model=variant.model if variant is not None else c.device.model or None,
            hardwareVersion=c.heat_pump_hardware_version or None,
            faultCodes=list(c.fault_codes),
            weatherCompensation=None,
            heatingFlowTemperature=None,
            manifoldEnabled=c.manifold_enabled,
            hasHeatPumpCompatibleCylinder=c.has_heat_pump_compatible_cylinder,
            maxWaterSetpoint=_float(c.max_water_setpoint_celsius),
            minWaterSetpoint=_float(c.min_water_setpoint_celsius),
        ),
    )


def heat_pump_status(c: models.HeatPumpController) -> dict:
    return gql.view(
        "HeatPumpStatusType",
        isConnected=c.is_connected,
        climateControlStatus=gql.view(
            "ClimateControlDetailsType",
            climateControlEnabled=c.climate_control_enabled,
            targetClimateControlTemperature=c.target_climate_control_celsius,
            currentClimateControlTemperature=c.current_climate_control_celsius,
        ),
        waterTemperatureStatus=gql.view(
            "WaterTemperatureDetailsType",
            waterTemperatureEnabled=c.water_heating_enabled,
            currentWaterTemperature=c.current_water_celsius,
        ),
    )


TYPE_RESOLVERS = {models.Device: device_type}
