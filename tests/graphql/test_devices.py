import datetime as dt

from django.utils import timezone

from devices import models
from kernel.graphql import ids as gql_ids
from tests.devices.factories import DeviceFactory, DispatchFactory
from tests.graphql.conftest import error_code

DEVICES = """query($n: String!) { devices(accountNumber: $n) {
  __typename id deviceType provider name status { current currentState isSuspended }
  ... on SmartFlexVehicle { make model chargingPreferences { weekdayTargetSoc weekdayTargetTime weekendTargetSoc } } } }"""
DISPATCHES = """query($n: String!) {
  plannedDispatches(accountNumber: $n) { start end delta meta { source } }
  completedDispatches(accountNumber: $n) { start end delta } }"""


class TestDevices:
    def test_lists_the_accounts_devices_with_status_and_preferences(self, authed, account):
        vehicle = DeviceFactory(account=account)
        prefs = models.DevicePreferences.objects.create(device=vehicle)
        for day, soc in ((models.DayOfWeek.MONDAY, 80), (models.DayOfWeek.SATURDAY, 90)):
            prefs.schedules.create(day_of_week=day, time=dt.time(7, 30), max_value=soc)
        DeviceFactory(account=account, kind=models.DeviceKind.BATTERIES, provider=models.Provider.GIVENERGY)

        devices = authed.ok(DEVICES, {"n": account.number})["devices"]

        assert [d["__typename"] for d in devices] == ["SmartFlexVehicle", "SmartFlexBattery"]
        assert devices[0]["id"] == gql_ids.global_id("SmartFlexVehicle", str(vehicle.public_id))
        assert devices[0]["status"] == {
            "current": "LIVE",
            "currentState": "SMART_CONTROL_CAPABLE",
            "isSuspended": False,
        }
        assert devices[0]["chargingPreferences"] == {
            "weekdayTargetSoc": 80,
            "weekdayTargetTime": "07:30:00",
            "weekendTargetSoc": 90,
        }


class TestDispatches:
    def test_split_planned_future_and_completed(self, authed, account):
        device = DeviceFactory(account=account)
        soon = timezone.now() + dt.timedelta(hours=1)
        DispatchFactory(device=device, start_at=soon, status=models.DispatchStatus.PLANNED)
        DispatchFactory(
            device=device, start_at=soon - dt.timedelta(days=1), status=models.DispatchStatus.COMPLETED
        )

        data = authed.ok(DISPATCHES, {"n": account.number})

        assert (
            len(data["plannedDispatches"]) == 1 and data["plannedDispatches"][0]["meta"]["source"] == "SMART"
        )
        assert len(data["completedDispatches"]) == 1
        assert data["completedDispatches"][0]["delta"] == "7.000"

    def test_account_without_devices_gets_kt_ct_4301(self, authed, account):
        status, body = authed(DISPATCHES, {"n": account.number})

        assert status == 200
        assert error_code(body) == "KT-CT-4301"
