import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from devices import models
from kernel.graphql import ids
from tests.accounts.factories import AccountUserRoleFactory
from tests.devices.factories import DeviceFactory, DispatchFactory
from tests.graphql.conftest import error_code

PLANNED = """query($id: String!) { flexPlannedDispatches(deviceId: $id) { start end type energyAddedKwh } }"""
UPDATE_BOOST = """mutation($id: String!, $action: UpdateBoostChargeAction!) {
  updateBoostCharge(input: {deviceId: $id, action: $action}) { id status { currentState } } }"""


def device_id(device) -> str:
    return ids.global_id("SmartFlexVehicle", str(device.public_id))


def hours(n: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=n)


class TestFlexPlannedDispatches:
    def test_lists_the_plan_that_has_not_ended_in_time_order(self, authed, account):
        device = DeviceFactory(account=account)
        later = DispatchFactory(device=device, start_at=hours(5), delta_kwh=Decimal("6.500"))
        sooner = DispatchFactory(device=device, start_at=hours(2), source=models.DispatchSource.BUMP)
        running = DispatchFactory(device=device, start_at=hours(-0.5), source=models.DispatchSource.TEST)
        DispatchFactory(device=device, start_at=hours(-3))  # ended
        DispatchFactory(device=device, start_at=hours(3), status=models.DispatchStatus.COMPLETED)
        DispatchFactory(device=device, start_at=hours(4), status=models.DispatchStatus.CANCELLED)

        rows = authed.ok(PLANNED, {"id": device_id(device)})["flexPlannedDispatches"]

        assert [(r["start"], r["type"]) for r in rows] == [
            (running.start_at.isoformat(), "TEST"),
            (sooner.start_at.isoformat(), "BOOST"),
            (later.start_at.isoformat(), "SMART"),
        ]
        assert rows[2]["end"] == later.end_at.isoformat()
        assert rows[2]["energyAddedKwh"] == "6.500"

    def test_a_manual_dispatch_has_no_type(self, authed, account):
        device = DeviceFactory(account=account)
        DispatchFactory(device=device, start_at=hours(1), source=models.DispatchSource.MANUAL)

        rows = authed.ok(PLANNED, {"id": device_id(device)})["flexPlannedDispatches"]

        assert rows[0]["type"] is None

    def test_is_an_empty_list_without_a_plan(self, authed, account):
        device = DeviceFactory(account=account)

        assert authed.ok(PLANNED, {"id": device_id(device)}) == {"flexPlannedDispatches": []}

    def test_takes_the_public_id_of_the_krakenflex_types_too(self, authed, account):
        device = DeviceFactory(account=account)
        DispatchFactory(device=device, start_at=hours(1))

        rows = authed.ok(PLANNED, {"id": str(device.public_id)})["flexPlannedDispatches"]

        assert len(rows) == 1

    @pytest.mark.parametrize("whose", ["another user's", "unknown", "malformed"])
    def test_refuses_a_device_that_is_not_the_viewers_with_kt_ct_1111(self, authed, account, whose):
        other = DeviceFactory(account=AccountUserRoleFactory().account)
        DispatchFactory(device=other, start_at=hours(1))
        value = {
            "another user's": device_id(other),
            "unknown": ids.global_id("SmartFlexVehicle", "4d1a44a4-3a1c-4a23-9a6a-3c8f2a7d1e00"),
            "malformed": "not-a-device",
        }[whose]

        status, body = authed(PLANNED, {"id": value})

        assert status == 200 and body["data"]["flexPlannedDispatches"] is None
        assert error_code(body) == "KT-CT-1111"

    def test_a_device_not_live_has_no_plan_to_fetch_kt_ct_4340(self, authed, account):
        device = DeviceFactory(account=account, status=models.DeviceLifecycleStatus.ONBOARDING)

        _, body = authed(PLANNED, {"id": device_id(device)})

        assert error_code(body) == "KT-CT-4340"


class TestUpdateBoostCharge:
    def test_boost_plans_a_bump_charge_now_and_returns_the_device(self, authed, account):
        device = DeviceFactory(account=account, max_power_kw=Decimal("7.4"))

        data = authed.ok(UPDATE_BOOST, {"id": device_id(device), "action": "BOOST"})

        assert data["updateBoostCharge"] == {"id": device_id(device), "status": {"currentState": "BOOSTING"}}
        plan = authed.ok(PLANNED, {"id": device_id(device)})["flexPlannedDispatches"]
        assert [p["type"] for p in plan] == ["BOOST"]

    def test_cancel_ends_the_bump_charge(self, authed, account):
        device = DeviceFactory(account=account)
        authed.ok(UPDATE_BOOST, {"id": device_id(device), "action": "BOOST"})

        data = authed.ok(UPDATE_BOOST, {"id": device_id(device), "action": "CANCEL"})

        assert data["updateBoostCharge"]["status"]["currentState"] == "SMART_CONTROL_CAPABLE"
        assert authed.ok(PLANNED, {"id": device_id(device)})["flexPlannedDispatches"] == []

    def test_a_device_that_charges_no_vehicle_cannot_boost_kt_ct_4356(self, authed, account):
        battery = DeviceFactory(account=account, kind=models.DeviceKind.BATTERIES)

        _, body = authed(
            UPDATE_BOOST, {"id": ids.global_id("SmartFlexBattery", str(battery.public_id)), "action": "BOOST"}
        )

        assert error_code(body) == "KT-CT-4356"
        assert not models.Dispatch.objects.filter(device=battery).exists()

    def test_a_suspended_device_cannot_boost(self, authed, account):
        device = DeviceFactory(account=account, is_suspended=True)

        _, body = authed(UPDATE_BOOST, {"id": device_id(device), "action": "BOOST"})

        assert error_code(body) == "KT-CT-4356"

    def test_a_device_not_live_cannot_cancel_kt_ct_4354(self, authed, account):
        device = DeviceFactory(account=account, status=models.DeviceLifecycleStatus.ONBOARDING)

        _, body = authed(UPDATE_BOOST, {"id": device_id(device), "action": "CANCEL"})

        assert error_code(body) == "KT-CT-4354"

    def test_another_users_device_is_not_found_kt_ct_4301(self, authed):
        other = DeviceFactory(account=AccountUserRoleFactory().account)

        _, body = authed(UPDATE_BOOST, {"id": device_id(other), "action": "BOOST"})

        assert error_code(body) == "KT-CT-4301"
        assert not models.Dispatch.objects.filter(device=other).exists()


class TestADisabledRoot:
    def test_answers_kt_ct_1113_and_its_siblings_still_resolve(self, authed, account, settings):
        settings.GRAPHQL_DISABLED_FIELDS = ["Query.flexPlannedDispatches"]
        device = DeviceFactory(account=account)

        status, body = authed(
            "query($id: String!) { flexPlannedDispatches(deviceId: $id) { start } krakenVersion { number } }",
            {"id": device_id(device)},
        )

        assert status == 200 and body["data"]["flexPlannedDispatches"] is None
        assert body["data"]["krakenVersion"]["number"]
        assert body["errors"][0]["extensions"]["errorCode"] == "KT-CT-1113"
        assert body["errors"][0]["path"] == ["flexPlannedDispatches"]
