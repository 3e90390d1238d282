"""Resolvers of smart devices (SmartFlex and the older KrakenFlex shapes), their charging
preferences, dispatches, smart control, boost charges and saving sessions: the `devices`,
`plannedDispatches`, `completedDispatches`, `registeredKrakenflexDevice`,
`vehicleChargingPreferences` and `savingSessions` roots and the device and saving-session
mutations."""

from __future__ import annotations

import uuid
from datetime import datetime

from accounts.graphql import access
from devices import models, operations, queries
from devices.graphql import dataloaders
from kernel import graphql as gql
from kernel.graphql import error_codes
from metering import queries as metering_queries

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
    account = access.viewer_account(info, account_number)
    return models.Device.objects.filter(account=account, retired_at__isnull=True).order_by("created_at", "id")


def _dispatches(info, account_number: str, status: str):
    devices = _devices_of(info, account_number)
    if not devices.exists():
        raise gql.KrakenError(error_codes.NO_DEVICE)
    rows = models.Dispatch.objects.filter(device__in=devices, status=status).order_by("start_at", "id")
    now = gql.context(info).now
    if status == models.DispatchStatus.PLANNED:
        rows = rows.filter(end_at__gt=now)
    return list(rows)


class Query:
    @staticmethod
    def resolve_devices(root, info, accountNumber, propertyId=None, deviceId=None):
        rows = _devices_of(info, accountNumber)
        if propertyId is not None:
            number = str(propertyId).strip()
            if not number.isdigit() or len(number) > 10:
                return []
            rows = rows.filter(property__public_id=int(number))
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

    @staticmethod
    def resolve_registeredKrakenflexDevice(root, info, accountNumber):
        account = access.viewer_account(info, accountNumber)
        try:
            return queries.charging_device(account=account)
        except queries.NoDevice:
            return None

    @staticmethod
    def resolve_vehicleChargingPreferences(root, info, accountNumber):
        account = access.viewer_account(info, accountNumber)
        try:
            device = queries.charging_device(account=account)
        except queries.NoDevice:
            return None
        return _vehicle_preferences(device, info)

    @staticmethod
    def resolve_savingSessions(root, info, accountNumber=None):
        gql.context(info).viewer()
        return {"accountNumber": accountNumber}


def _status(device: models.Device) -> dict:
    typename = {
        models.DeviceKind.ELECTRIC_VEHICLES: "SmartFlexVehicleStatus",
        models.DeviceKind.CHARGE_POINTS: "SmartFlexChargePointStatus",
    }.get(device.kind, "SmartFlexDeviceStatus")
    return {
        "__typename": typename,
        "current": str(device.status),
        "isSuspended": device.is_suspended,
        "currentState": str(device.state),
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

    return gql.then(dataloaders.schedules_of_device(info, device.pk), build)


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


# --- KrakenFlex (legacy single-device) roots and smart-control mutations --------------------------


def _charging_device(info, account_number: str) -> models.Device:
    """Raises KrakenError KT-CT-4177 (account) or KT-CT-4301 (no vehicle or charge point)."""
    account = access.viewer_account(info, account_number)
    try:
        return queries.charging_device(account=account)
    except queries.NoDevice as exc:
        raise gql.KrakenError(error_codes.NO_DEVICE) from exc


def _device_of_kind(info, account_number: str, kind: str) -> models.Device:
    account = access.viewer_account(info, account_number)
    try:
        return queries.device_of_kind(account=account, kind=kind)
    except queries.NoDevice as exc:
        raise gql.KrakenError(error_codes.NO_DEVICE) from exc


def _invalid_preferences(exc: operations.InvalidPreferences) -> gql.KrakenError:
    return gql.KrakenError(
        error_codes.INVALID_DATA,
        description=str(exc),
        validation_errors=[{"message": str(exc), "inputPath": ["input", exc.field]}],
    )


def _vehicle_preferences(device, info):
    """VehicleChargingPreferencesType from the weekday (Monday) and weekend (Saturday) schedules."""

    def build(schedules):
        by_day = {s.day_of_week: s for s in schedules}
        weekday, weekend = by_day.get(WEEKDAY), by_day.get(WEEKEND)
        if weekday is None and weekend is None:
            return None
        return {
            "weekdayTargetTime": weekday.time.strftime("%H:%M") if weekday else None,
            "weekdayTargetSoc": int(weekday.max_value) if weekday else None,
            "weekendTargetTime": weekend.time.strftime("%H:%M") if weekend else None,
            "weekendTargetSoc": int(weekend.max_value) if weekend else None,
            "minimumSocPercentage": int(min(s.min_value for s in schedules)),
            "maximumSocPercentage": int(max(s.max_value for s in schedules)),
        }

    return gql.then(dataloaders.schedules_of_device(info, device.pk), build)


class Mutation:
    @staticmethod
    def resolve_updateDeviceSmartControl(root, info, input):
        ctx = gql.context(info)
        viewer = ctx.viewer()
        try:
            device = queries.get_device(public_id=input.deviceId, account_ids=ctx.viewer_account_ids())
        except queries.NoDevice as exc:
            raise gql.KrakenError(error_codes.NO_DEVICE) from exc
        suspended = _name(input.action) == "SUSPEND"
        return operations.set_smart_control(device=device, suspended=suspended, now=ctx.now, actor=viewer)

    @staticmethod
    def resolve_triggerBoostCharge(root, info, input=None):
        ctx = gql.context(info)
        if input is None:
            raise gql.KrakenError(error_codes.INVALID_DATA, description="accountNumber is required.")
        device = _charging_device(info, input.accountNumber)
        try:
            operations.trigger_boost_charge(device=device, now=ctx.now, actor=ctx.viewer())
        except operations.BoostNotAvailable as exc:
            raise gql.KrakenError(error_codes.BOOST_NOT_AVAILABLE) from exc
        device.refresh_from_db()
        return {"possibleErrors": [], "krakenflexDevice": device}

    @staticmethod
    def resolve_deleteBoostCharge(root, info, input=None):
        ctx = gql.context(info)
        if input is None:
            raise gql.KrakenError(error_codes.INVALID_DATA, description="accountNumber is required.")
        device = _charging_device(info, input.accountNumber)
        try:
            device = operations.cancel_boost_charge(device=device, now=ctx.now, actor=ctx.viewer())
        except operations.BoostNotCancellable as exc:
            raise gql.KrakenError(error_codes.BOOST_CANCEL_FAILED) from exc
        return {"possibleErrors": [], "krakenflexDevice": device}

    @staticmethod
    def resolve_setVehicleChargePreferences(root, info, input=None):
        ctx = gql.context(info)
        if input is None:
            raise gql.KrakenError(error_codes.INVALID_DATA, description="input is required.")
        device = _charging_device(info, input.accountNumber)
        try:
            device = operations.set_vehicle_charge_preferences(
                device=device,
                weekday_target_time=operations.parse_target_time(
                    input.weekdayTargetTime, field="weekdayTargetTime"
                ),
                weekday_target_soc=input.weekdayTargetSoc,
                weekend_target_time=operations.parse_target_time(
                    input.weekendTargetTime, field="weekendTargetTime"
                ),
                weekend_target_soc=input.weekendTargetSoc,
                now=ctx.now,
                actor=ctx.viewer(),
            )
        except operations.InvalidPreferences as exc:
            raise _invalid_preferences(exc) from exc
        return {"possibleErrors": [], "krakenflexDevice": device}

    @staticmethod
    def resolve_setBatteryChargingPreferences(root, info, input=None):
        ctx = gql.context(info)
        if input is None:
            raise gql.KrakenError(error_codes.INVALID_DATA, description="input is required.")
        device = _device_of_kind(info, input.accountNumber, models.DeviceKind.BATTERIES)
        try:
            device = operations.set_battery_charging_preferences(
                device=device, minimum_soc=input.minimumSocPercentage, now=ctx.now, actor=ctx.viewer()
            )
        except operations.InvalidPreferences as exc:
            raise _invalid_preferences(exc) from exc
        return {"possibleErrors": [], "krakenflexDevice": device}

    @staticmethod
    def resolve_joinSavingSessionsCampaign(root, info, input):
        ctx = gql.context(info)
        account = access.viewer_account(info, input.accountNumber)
        try:
            meter_point = metering_queries.meter_point_of_accounts(
                identifier=input.mpan, account_ids={account.pk}, electricity=True
            )
            operations.join_saving_sessions_campaign(
                account=account, meter_point=meter_point, now=ctx.now, actor=ctx.viewer()
            )
        except metering_queries.NotFound as exc:
            raise gql.KrakenError(
                error_codes.INVALID_DATA,
                description="No such electricity meter point on the account.",
                validation_errors=[{"message": "Unknown MPAN.", "inputPath": ["input", "mpan"]}],
            ) from exc
        except operations.AlreadyEnrolled as exc:
            raise gql.KrakenError(
                error_codes.INVALID_DATA, description="The account already joined with another meter point."
            ) from exc
        return {"possibleErrors": [], "account": {"number": account.number}}

    @staticmethod
    def resolve_joinSavingSessionsEvent(root, info, input):
        ctx = gql.context(info)
        account = access.viewer_account(info, input.accountNumber)
        try:
            event = queries.get_saving_session_event(code=input.eventCode)
            operations.join_saving_session_event(
                account=account, event=event, now=ctx.now, actor=ctx.viewer()
            )
        except models.SavingSessionEvent.DoesNotExist as exc:
            raise gql.KrakenError(
                error_codes.INVALID_DATA,
                description="No saving session has this code.",
                validation_errors=[{"message": "Unknown event.", "inputPath": ["input", "eventCode"]}],
            ) from exc
        except operations.NotEnrolled as exc:
            raise gql.KrakenError(
                error_codes.INVALID_DATA, description="Join the saving sessions campaign first."
            ) from exc
        except operations.EventClosed as exc:
            raise gql.KrakenError(
                error_codes.INVALID_DATA, description="This saving session has already started."
            ) from exc
        codes = [p.event.code for p in queries.saving_session_participations(account=account)]
        return {"possibleErrors": [], "joinedEventCodes": codes}


def _name(value):
    return getattr(value, "name", value)


class KrakenFlexDeviceType:
    resolve_krakenflexDeviceId = staticmethod(lambda d, info: str(d.public_id))
    resolve_provider = staticmethod(lambda d, info: d.provider)
    resolve_status = staticmethod(lambda d, info: str(d.status))
    resolve_suspended = staticmethod(lambda d, info: d.is_suspended)
    resolve_createdAt = staticmethod(lambda d, info: d.created_at)
    resolve_vehicleMake = staticmethod(
        lambda d, info: d.vendor if d.kind == models.DeviceKind.ELECTRIC_VEHICLES else None
    )
    resolve_vehicleModel = staticmethod(
        lambda d, info: d.model if d.kind == models.DeviceKind.ELECTRIC_VEHICLES else None
    )
    resolve_vehicleBatterySizeInKwh = staticmethod(
        lambda d, info: d.battery_capacity_kwh if d.kind == models.DeviceKind.ELECTRIC_VEHICLES else None
    )
    resolve_chargePointMake = staticmethod(
        lambda d, info: d.vendor if d.kind == models.DeviceKind.CHARGE_POINTS else None
    )
    resolve_chargePointModel = staticmethod(
        lambda d, info: d.model if d.kind == models.DeviceKind.CHARGE_POINTS else None
    )
    resolve_chargePointPowerInKw = staticmethod(
        lambda d, info: d.max_power_kw if d.kind == models.DeviceKind.CHARGE_POINTS else None
    )


class BatteryDeviceType:
    resolve_krakenflexDeviceId = staticmethod(lambda d, info: str(d.public_id))
    resolve_deviceType = staticmethod(lambda d, info: d.kind)
    resolve_provider = staticmethod(lambda d, info: d.provider)

    @staticmethod
    def resolve_deviceStatus(d, info):
        return {
            "status": str(d.status),
            "suspended": d.is_suspended,
            "maxImportInKw": float(d.max_power_kw) if d.max_power_kw is not None else None,
        }

    @staticmethod
    def resolve_chargingPreferences(d, info):
        def build(schedules):
            if not schedules:
                return None
            return {
                "minimumSocPercentage": int(min(s.min_value for s in schedules)),
                "maximumSocPercentage": int(max(s.max_value for s in schedules)),
            }

        return gql.then(dataloaders.schedules_of_device(info, d.pk), build)

    @staticmethod
    def resolve_params(d, info):
        variant = d.variant
        return {"variantId": str(variant.variant_id)} if variant is not None else None


class HeatPumpDeviceType:
    resolve_krakenflexDeviceId = staticmethod(lambda d, info: str(d.public_id))
    resolve_deviceType = staticmethod(lambda d, info: d.kind)
    resolve_provider = staticmethod(lambda d, info: d.provider)

    @staticmethod
    def resolve_params(d, info):
        variant = d.variant
        return {"heatPumpId": str(variant.variant_id)} if variant is not None else None


# --- Saving sessions ---------------------------------------------------------------------------


def event_status(event: models.SavingSessionEvent, now: datetime) -> str:
    if now < event.start_at:
        return "UPCOMING"
    return "ONGOING" if now < event.end_at else "DONE"


class SavingSessionsType:
    @staticmethod
    def resolve_account(root, info, accountNumber):
        return access.viewer_account(info, accountNumber)

    @staticmethod
    def resolve_events(root, info, getDevEvents=False):
        return list(queries.saving_session_events(include_dev_events=bool(getDevEvents)))

    @staticmethod
    def resolve_eventCount(root, info, getDevEvents=False):
        return queries.saving_session_events(include_dev_events=bool(getDevEvents)).count()

    @staticmethod
    def resolve_nationalAggregatedStats(root, info):
        saved = queries.saving_sessions_energy_saved_kwh()
        return None if saved is None else {"energySavedInKwh": saved}


class SavingSessionsEventType:
    resolve_id = staticmethod(lambda e, info: e.pk)
    resolve_code = staticmethod(lambda e, info: e.code)
    resolve_startAt = staticmethod(lambda e, info: e.start_at)
    resolve_endAt = staticmethod(lambda e, info: e.end_at)
    resolve_rewardPerKwhInOctoPoints = staticmethod(lambda e, info: e.reward_per_kwh_points)
    resolve_devEvent = staticmethod(lambda e, info: e.is_dev_event)
    resolve_status = staticmethod(lambda e, info: event_status(e, gql.context(info).now))

    @staticmethod
    def resolve_totalParticipants(e, info):
        return dataloaders.participant_count(info, e.pk)


def _meter_point_view(meter_point) -> dict:
    return {"mpan": meter_point.identifier, "address": str(meter_point.property.address)}


def _enrolment(info, account) -> models.SavingSessionEnrolment | None:
    """The account's enrolment, read once per request (savingSessions.account is a single account)."""
    memo = gql.context(info).memo.setdefault("saving_session_enrolments", {})
    if account.pk not in memo:
        memo[account.pk] = queries.saving_session_enrolment(account=account)
    return memo[account.pk]


class SavingSessionsAccountType:
    @staticmethod
    def resolve_hasJoinedCampaign(account, info):
        return _enrolment(info, account) is not None

    @staticmethod
    def resolve_canJoinCampaign(account, info):
        if _enrolment(info, account) is not None:
            return False
        return metering_queries.electricity_meter_points_of_account(account_id=account.pk).exists()

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

    @staticmethod
    def resolve_isBusinessAccount(account, info):
        return account.account_type in ("BUSINESS", "BUSINESS_OCCUPIER", "BUSINESS_VACANT")

    @staticmethod
    def resolve_joinedEvents(account, info):
        now = gql.context(info).now
        return [_joined_event(p, now) for p in queries.saving_session_participations(account=account)]

    @staticmethod
    def resolve_eventStreak(account, info):
        joined = {p.event_id for p in queries.saving_session_participations(account=account)}
        return [
            {"eventStartDate": e.start_at, "isOptedIntoEvent": e.pk in joined}
            for e in queries.saving_session_events(include_dev_events=False)
        ]


def _joined_event(p: models.SavingSessionParticipation, now: datetime) -> dict:
    has_results = (
        p.results_set_at is not None and p.baseline_kwh is not None and p.consumption_kwh is not None
    )
    saved = p.baseline_kwh - p.consumption_kwh if has_results else None
    return {
        "eventId": p.event_id,
        "startAt": p.event.start_at,
        "endAt": p.event.end_at,
        "rewardGivenInOctoPoints": p.points_awarded,
        "energySavedInKwh": float(saved) if saved is not None else None,
        "status": p.result_status,
        "resultsStatus": p.result_status,
        "eventStatus": event_status(p.event, now),
        "percentageSaved": float(saved / p.baseline_kwh * 100)
        if saved is not None and p.baseline_kwh
        else None,
        "baselineConsumptionDeltaKwh": float(p.baseline_kwh) if p.baseline_kwh is not None else None,
        "consumptionDeltaKwh": float(p.consumption_kwh) if p.consumption_kwh is not None else None,
        "resultsSetAt": p.results_set_at,
    }
