"""The devices app's `Mutation` fields: smart control, boost charges, charging preferences and
saving sessions. Each parses its input, calls one operation and maps its exceptions to Kraken
error codes."""

from __future__ import annotations

from accounts.graphql import access
from devices import models, operations, queries
from devices.graphql import types
from kernel import graphql as gql
from kernel.graphql import error_codes
from metering import queries as metering_queries


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


def _viewers_device(info, device_id: str) -> models.Device:
    """The viewer's device a `deviceId` names. Raises KrakenError KT-CT-4301 for any other."""
    ctx = gql.context(info)
    try:
        return queries.get_device(
            public_id=types.public_id_of(device_id), account_ids=ctx.viewer_account_ids()
        )
    except queries.NoDevice as exc:
        raise gql.KrakenError(error_codes.NO_DEVICE) from exc


def _invalid_preferences(exc: operations.InvalidPreferences) -> gql.KrakenError:
    return gql.invalid_input(str(exc), errors=[(exc.field, str(exc))])


class Mutation:
    @staticmethod
    def resolve_updateDeviceSmartControl(root, info, input):
        ctx = gql.context(info)
        viewer = ctx.viewer()
        device = _viewers_device(info, input.deviceId)
        suspended = gql.enum_name(input.action) == "SUSPEND"
        return operations.set_smart_control(device=device, suspended=suspended, now=ctx.now, actor=viewer)

    @staticmethod
    def resolve_updateBoostCharge(root, info, input):
        """Start (BOOST) or cancel (CANCEL) a bump charge on one of the viewer's devices; returns the
        device. KT-CT-4301 for a device that is not the viewer's, KT-CT-4356 when a boost cannot be
        performed now, KT-CT-4354 when it cannot be cancelled."""
        ctx = gql.context(info)
        viewer = ctx.viewer()
        device = _viewers_device(info, input.deviceId)
        try:
            if gql.enum_name(input.action) == "BOOST":
                operations.trigger_boost_charge(device=device, now=ctx.now, actor=viewer)
            else:
                operations.cancel_boost_charge(device=device, now=ctx.now, actor=viewer)
        except operations.BoostNotAvailable as exc:
            raise gql.KrakenError(error_codes.BOOST_NOT_AVAILABLE) from exc
        except operations.BoostNotCancellable as exc:
            raise gql.KrakenError(error_codes.BOOST_CANCEL_FAILED) from exc
        return queries.get_device_by_id(id=device.pk)

    @staticmethod
    def resolve_triggerBoostCharge(root, info, input=None):
        ctx = gql.context(info)
        if input is None:
            raise gql.invalid_input("accountNumber is required.")
        device = _charging_device(info, input.accountNumber)
        try:
            operations.trigger_boost_charge(device=device, now=ctx.now, actor=ctx.viewer())
        except operations.BoostNotAvailable as exc:
            raise gql.KrakenError(error_codes.BOOST_NOT_AVAILABLE) from exc
        return gql.view(
            "PerformBoostCharge", possibleErrors=[], krakenflexDevice=queries.get_device_by_id(id=device.pk)
        )

    @staticmethod
    def resolve_deleteBoostCharge(root, info, input=None):
        ctx = gql.context(info)
        if input is None:
            raise gql.invalid_input("accountNumber is required.")
        device = _charging_device(info, input.accountNumber)
        try:
            device = operations.cancel_boost_charge(device=device, now=ctx.now, actor=ctx.viewer())
        except operations.BoostNotCancellable as exc:
            raise gql.KrakenError(error_codes.BOOST_CANCEL_FAILED) from exc
        return gql.view("DeleteBoostCharge", possibleErrors=[], krakenflexDevice=device)

    @staticmethod
    def resolve_setVehicleChargePreferences(root, info, input=None):
        ctx = gql.context(info)
        if input is None:
            raise gql.invalid_input("input is required.")
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
        return gql.view("SetVehicleChargingPreferences", possibleErrors=[], krakenflexDevice=device)

    @staticmethod
    def resolve_setBatteryChargingPreferences(root, info, input=None):
        ctx = gql.context(info)
        if input is None:
            raise gql.invalid_input("input is required.")
        device = _device_of_kind(info, input.accountNumber, models.DeviceKind.BATTERIES)
        try:
            device = operations.set_battery_charging_preferences(
                device=device, minimum_soc=input.minimumSocPercentage, now=ctx.now, actor=ctx.viewer()
            )
        except operations.InvalidPreferences as exc:
            raise _invalid_preferences(exc) from exc
        return gql.view("SetBatteryChargingPreferences", possibleErrors=[], krakenflexDevice=device)

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
            raise gql.invalid_input(
                "No such electricity meter point on the account.", errors=[("mpan", "Unknown MPAN.")]
            ) from exc
        except operations.AlreadyEnrolled as exc:
            raise gql.invalid_input("The account already joined with another meter point.") from exc
        return gql.view(
            "JoinSavingSessionsCampaign",
            possibleErrors=[],
            account=gql.view("SavingSessionsAccountReturnType", number=account.number),
        )

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
            raise gql.invalid_input(
                "No saving session has this code.", errors=[("eventCode", "Unknown event.")]
            ) from exc
        except operations.NotEnrolled as exc:
            raise gql.invalid_input("Join the saving sessions campaign first.") from exc
        except operations.EventClosed as exc:
            raise gql.invalid_input("This saving session has already started.") from exc
        codes = [p.event.code for p in queries.saving_session_participations(account=account)]
        return gql.view("JoinSavingSessionsEvent", possibleErrors=[], joinedEventCodes=codes)
