import datetime as dt

from django.utils import timezone

from accounts import models as accounts_models
from devices import models
from tests.accounts.factories import AccountUserRoleFactory
from tests.devices.factories import DeviceFactory, DispatchFactory
from tests.graphql.conftest import error_code

SMART_CONTROL = """mutation($id: ID!, $action: SmartControlAction!) {
  updateDeviceSmartControl(input: {deviceId: $id, action: $action}) {
    id status { isSuspended currentState } } }"""
BOOST = """mutation($n: String!) { triggerBoostCharge(input: {accountNumber: $n}) {
  krakenflexDevice { krakenflexDeviceId status suspended vehicleMake } } }"""
CANCEL_BOOST = """mutation($n: String!) { deleteBoostCharge(input: {accountNumber: $n}) {
  krakenflexDevice { krakenflexDeviceId } } }"""
SET_PREFERENCES = """mutation($input: VehicleChargingPreferencesInput) {
  setVehicleChargePreferences(input: $input) { krakenflexDevice { krakenflexDeviceId } } }"""
PREFERENCES = """query($n: String!) {
  vehicleChargingPreferences(accountNumber: $n) { weekdayTargetTime weekdayTargetSoc weekendTargetTime weekendTargetSoc }
  devices(accountNumber: $n) { ... on SmartFlexVehicle { chargingPreferences { weekdayTargetSoc weekendTargetTime } } } }"""
SET_BATTERY = """mutation($n: String!, $soc: Int!) {
  setBatteryChargingPreferences(input: {accountNumber: $n, minimumSocPercentage: $soc}) {
    krakenflexDevice { deviceType chargingPreferences { minimumSocPercentage maximumSocPercentage } } } }"""


def boosts(device):
    return models.Dispatch.objects.filter(device=device, source=models.DispatchSource.BOOST)


class TestUpdateDeviceSmartControl:
    def test_suspends_and_cancels_the_planned_dispatches(self, authed, account):
        device = DeviceFactory(account=account)
        planned = DispatchFactory(device=device, start_at=timezone.now() + dt.timedelta(hours=2))

        data = authed.ok(SMART_CONTROL, {"id": str(device.public_id), "action": "SUSPEND"})

        assert data["updateDeviceSmartControl"]["status"] == {
            "isSuspended": True,
            "currentState": "SMART_CONTROL_OFF",
        }
        planned.refresh_from_db()
        assert planned.status == models.DispatchStatus.CANCELLED
        assert accounts_models.AuditEntry.objects.filter(
            action="DEVICE_SMART_CONTROL_SUSPENDED", object_id=str(device.pk)
        ).exists()

    def test_is_idempotent(self, authed, account):
        device = DeviceFactory(account=account)

        for _ in range(2):
            authed.ok(SMART_CONTROL, {"id": str(device.public_id), "action": "SUSPEND"})
        data = authed.ok(SMART_CONTROL, {"id": str(device.public_id), "action": "UNSUSPEND"})

        assert data["updateDeviceSmartControl"]["status"]["currentState"] == "SMART_CONTROL_CAPABLE"
        assert accounts_models.AuditEntry.objects.filter(object_id=str(device.pk)).count() == 2

    def test_refuses_another_accounts_device_without_changing_it(self, authed):
        device = DeviceFactory(account=AccountUserRoleFactory().account)

        _, body = authed(SMART_CONTROL, {"id": str(device.public_id), "action": "SUSPEND"})

        assert error_code(body) == "KT-CT-4301"
        device.refresh_from_db()
        assert device.is_suspended is False


class TestBoostCharge:
    def test_plans_one_boost_however_often_it_is_asked_for(self, authed, account):
        device = DeviceFactory(account=account, max_power_kw=7)

        first = authed.ok(BOOST, {"n": account.number})
        authed.ok(BOOST, {"n": account.number})

        assert first["triggerBoostCharge"]["krakenflexDevice"] == {
            "krakenflexDeviceId": str(device.public_id),
            "status": "LIVE",
            "suspended": False,
            "vehicleMake": "Tesla",
        }
        assert boosts(device).count() == 1
        assert boosts(device).get().delta_kwh == 7
        device.refresh_from_db()
        assert device.state == models.DeviceState.BOOSTING

    def test_is_refused_while_smart_control_is_suspended(self, authed, account):
        DeviceFactory(account=account, is_suspended=True)

        _, body = authed(BOOST, {"n": account.number})

        assert error_code(body) == "KT-CT-4356"

    def test_cancelling_ends_the_boost_and_returns_to_smart_control(self, authed, account):
        device = DeviceFactory(account=account)
        authed.ok(BOOST, {"n": account.number})

        authed.ok(CANCEL_BOOST, {"n": account.number})
        authed.ok(CANCEL_BOOST, {"n": account.number})

        device.refresh_from_db()
        assert device.state == models.DeviceState.SMART_CONTROL_CAPABLE
        assert not boosts(device).filter(status=models.DispatchStatus.PLANNED).exists()

    def test_account_without_a_vehicle_gets_kt_ct_4301(self, authed, account):
        _, body = authed(BOOST, {"n": account.number})

        assert error_code(body) == "KT-CT-4301"


class TestSetVehicleChargePreferences:
    def test_writes_every_day_and_reads_back_in_both_shapes(self, authed, account):
        device = DeviceFactory(account=account)
        prefs = {
            "accountNumber": account.number,
            "weekdayTargetTime": "07:30",
            "weekdayTargetSoc": 80,
            "weekendTargetTime": "10:00",
            "weekendTargetSoc": 90,
        }

        authed.ok(SET_PREFERENCES, {"input": prefs})
        authed.ok(SET_PREFERENCES, {"input": prefs})
        data = authed.ok(PREFERENCES, {"n": account.number})

        assert data["vehicleChargingPreferences"] == {
            "weekdayTargetTime": "07:30",
            "weekdayTargetSoc": 80,
            "weekendTargetTime": "10:00",
            "weekendTargetSoc": 90,
        }
        assert data["devices"][0]["chargingPreferences"] == {
            "weekdayTargetSoc": 80,
            "weekendTargetTime": "10:00:00",
        }
        assert models.DevicePreferenceSchedule.objects.filter(preferences__device=device).count() == 7

    def test_refuses_a_target_out_of_range_with_the_input_path(self, authed, account):
        DeviceFactory(account=account)

        _, body = authed(
            SET_PREFERENCES,
            {
                "input": {
                    "accountNumber": account.number,
                    "weekdayTargetTime": "07:30",
                    "weekdayTargetSoc": 120,
                    "weekendTargetTime": "25:00",
                    "weekendTargetSoc": 90,
                }
            },
        )

        extensions = body["errors"][0]["extensions"]
        assert extensions["errorCode"] == "KT-CT-4321"
        assert extensions["validationErrors"][0]["inputPath"] == ["input", "weekendTargetTime"]
        assert not models.DevicePreferences.objects.exists()


class TestSetBatteryChargingPreferences:
    def test_sets_the_minimum_state_of_charge(self, authed, account):
        DeviceFactory(account=account, kind=models.DeviceKind.BATTERIES, provider=models.Provider.GIVENERGY)

        data = authed.ok(SET_BATTERY, {"n": account.number, "soc": 20})

        assert data["setBatteryChargingPreferences"]["krakenflexDevice"] == {
            "deviceType": "BATTERIES",
            "chargingPreferences": {"minimumSocPercentage": 20, "maximumSocPercentage": 100},
        }
