import datetime as dt
from decimal import Decimal

from django.utils import timezone

from devices import models
from kernel.graphql import ids as gql_ids
from tests.accounts.factories import PropertyFactory
from tests.devices.factories import DeviceFactory, DispatchFactory
from tests.graphql.conftest import error_code
from tests.graphql.factories import DeviceVariantFactory

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


KRAKENFLEX = """query($n: String!) { registeredKrakenflexDevice(accountNumber: $n) {
  vehicleMake chargePointMake chargePointModel chargePointPowerInKw testDispatchFailureReason } }"""
VEHICLE_STATUS = """query($n: String!) { devices(accountNumber: $n) {
  status { ... on SmartFlexVehicleStatus { testDispatchFailureReason } } } }"""
BATTERY = """query($n: String!, $p: Int!) { batteryDevice(accountNumber: $n, propertyId: $p) {
  deviceStatus { maxImportInKw maxExportInKw pluggedIn } } }"""


class TestRegisteredKrakenflexDevice:
    def test_gives_the_charge_point_registered_with_the_vehicle(self, authed, account):
        charger = DeviceVariantFactory(
            kind=models.DeviceKind.CHARGE_POINTS, make="myenergi", model="zappi", power_kw=Decimal("7.00")
        )
        DeviceFactory(account=account, charge_point_variant=charger)

        data = authed.ok(KRAKENFLEX, {"n": account.number})["registeredKrakenflexDevice"]

        assert data == {
            "vehicleMake": "Tesla",
            "chargePointMake": "myenergi",
            "chargePointModel": "zappi",
            "chargePointPowerInKw": "7.00",
            "testDispatchFailureReason": "NONE",
        }

    def test_a_vehicle_without_a_registered_charge_point_has_none(self, authed, account):
        DeviceFactory(account=account)

        data = authed.ok(KRAKENFLEX, {"n": account.number})["registeredKrakenflexDevice"]

        assert (data["chargePointMake"], data["chargePointModel"], data["chargePointPowerInKw"]) == (
            None,
        ) * 3

    def test_a_charge_point_gives_its_own_make_model_and_power(self, authed, account):
        DeviceFactory(
            account=account,
            kind=models.DeviceKind.CHARGE_POINTS,
            provider=models.Provider.OHME,
            vendor="Ohme",
            model="Home Pro",
            max_power_kw=Decimal("7.40"),
        )

        data = authed.ok(KRAKENFLEX, {"n": account.number})["registeredKrakenflexDevice"]

        assert (data["chargePointMake"], data["chargePointModel"], data["chargePointPowerInKw"]) == (
            "Ohme",
            "Home Pro",
            "7.40",
        )

    def test_reads_the_device_with_its_catalogue_entries_at_once(
        self, authed, account, django_assert_max_num_queries
    ):
        charger = DeviceVariantFactory(kind=models.DeviceKind.CHARGE_POINTS, power_kw=Decimal("7"))
        DeviceFactory(account=account, charge_point_variant=charger, variant=DeviceVariantFactory())

        # Session/token, account access, the device with both catalogue entries.
        with django_assert_max_num_queries(4):
            authed.ok(KRAKENFLEX, {"n": account.number})


class TestTestDispatchFailureReason:
    def test_is_none_once_live_unknown_after_a_failed_test_and_null_before_a_test(self, authed, account):
        DeviceFactory(account=account)
        DeviceFactory(
            account=account,
            status=models.DeviceLifecycleStatus.FAILED_ONBOARDING_TEST,
            state=models.DeviceState.TEST_CHARGE_FAILED,
        )
        DeviceFactory(
            account=account,
            status=models.DeviceLifecycleStatus.ONBOARDING,
            state=models.DeviceState.AUTHENTICATION_COMPLETE,
        )

        devices = authed.ok(VEHICLE_STATUS, {"n": account.number})["devices"]

        assert [d["status"]["testDispatchFailureReason"] for d in devices] == ["NONE", "UNKNOWN", None]


class TestBatteryDeviceStatus:
    def _battery(self, authed, account, **fields):
        prop = PropertyFactory(account=account)
        DeviceFactory(
            account=account,
            property=prop,
            kind=models.DeviceKind.BATTERIES,
            provider=models.Provider.GIVENERGY,
            **fields,
        )
        return authed.ok(BATTERY, {"n": account.number, "p": prop.public_id})["batteryDevice"]["deviceStatus"]

    def test_takes_its_power_from_the_catalogue_when_not_registered(self, authed, account):
        variant = DeviceVariantFactory(kind=models.DeviceKind.BATTERIES, power_kw=Decimal("6"))

        status = self._battery(authed, account, variant=variant)

        assert status == {"maxImportInKw": 6.0, "maxExportInKw": 6.0, "pluggedIn": True}

    def test_prefers_the_registered_power_and_reports_a_lost_connection(self, authed, account):
        variant = DeviceVariantFactory(kind=models.DeviceKind.BATTERIES, power_kw=Decimal("6"))

        status = self._battery(
            authed,
            account,
            variant=variant,
            max_power_kw=Decimal("5"),
            state=models.DeviceState.LOST_CONNECTION,
        )

        assert status == {"maxImportInKw": 5.0, "maxExportInKw": 5.0, "pluggedIn": False}

    def test_does_not_say_before_authentication(self, authed, account):
        status = self._battery(authed, account, state=models.DeviceState.AUTHENTICATION_PENDING)

        assert status == {"maxImportInKw": None, "maxExportInKw": None, "pluggedIn": None}
