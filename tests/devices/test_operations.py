import datetime as dt
from decimal import Decimal

import pytest

from accounts import models as accounts_models
from devices import models, operations
from tests.devices.factories import DeviceFactory, DispatchFactory
from tests.graphql.factories import SavingSessionEnrolmentFactory, SavingSessionEventFactory
from tests.metering.factories import MeterPointFactory

NOW = dt.datetime(2026, 11, 5, 18, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def audit_actions(account):
    return list(
        accounts_models.AuditEntry.objects.filter(account=account)
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.mark.django_db
class TestSetSmartControl:
    def test_suspending_cancels_the_dispatches_planned_from_now_on_and_keeps_the_past(self):
        device = DeviceFactory()
        past = DispatchFactory(device=device, start_at=NOW - 3 * HOUR, end_at=NOW - 2 * HOUR)
        running = DispatchFactory(device=device, start_at=NOW - HOUR, end_at=NOW + HOUR)
        future = DispatchFactory(device=device, start_at=NOW + 2 * HOUR, end_at=NOW + 3 * HOUR)

        device = operations.set_smart_control(device=device, suspended=True, now=NOW)

        assert (device.is_suspended, device.state) == (True, models.DeviceState.SMART_CONTROL_OFF)
        past.refresh_from_db()
        running.refresh_from_db()
        future.refresh_from_db()
        assert past.status == models.DispatchStatus.PLANNED
        assert running.status == models.DispatchStatus.CANCELLED
        assert future.status == models.DispatchStatus.CANCELLED
        assert audit_actions(device.account) == ["DEVICE_SMART_CONTROL_SUSPENDED"]

    def test_asking_for_the_current_setting_changes_nothing_and_leaves_no_audit_row(self):
        device = DeviceFactory()

        operations.set_smart_control(device=device, suspended=False, now=NOW)

        assert audit_actions(device.account) == []

    def test_resuming_gives_back_smart_control(self):
        device = DeviceFactory(is_suspended=True, state=models.DeviceState.SMART_CONTROL_OFF)

        device = operations.set_smart_control(device=device, suspended=False, now=NOW)

        assert device.state == models.DeviceState.SMART_CONTROL_CAPABLE


class TestParseTargetTime:
    @pytest.mark.parametrize("value, expected", [("06:30", dt.time(6, 30)), ("23:59:00", dt.time(23, 59))])
    def test_reads_a_time_of_day(self, value, expected):
        assert operations.parse_target_time(value, field="t") == expected

    @pytest.mark.parametrize("value", ["24:00", "6:30", "06:60", "06:30:15", "", "noon"])
    def test_refuses_anything_else_naming_the_field(self, value):
        with pytest.raises(operations.InvalidPreferences) as refused:
            operations.parse_target_time(value, field="weekdayTargetTime")

        assert refused.value.field == "weekdayTargetTime"


@pytest.mark.django_db
class TestSetVehicleChargePreferences:
    def test_writes_a_schedule_for_every_day(self):
        device = DeviceFactory()

        operations.set_vehicle_charge_preferences(
            device=device,
            weekday_target_time=dt.time(7, 0),
            weekday_target_soc=80,
            weekend_target_time=dt.time(9, 30),
            weekend_target_soc=100,
            now=NOW,
        )

        schedules = {s.day_of_week: (s.time, s.max_value) for s in device.preferences.schedules.all()}
        assert schedules[models.DayOfWeek.MONDAY] == (dt.time(7, 0), Decimal(80))
        assert schedules[models.DayOfWeek.SUNDAY] == (dt.time(9, 30), Decimal(100))
        assert len(schedules) == 7

    @pytest.mark.parametrize("soc", [9, 101])
    def test_refuses_a_target_outside_10_to_100_percent_and_writes_nothing(self, soc):
        device = DeviceFactory()

        with pytest.raises(operations.InvalidPreferences) as refused:
            operations.set_vehicle_charge_preferences(
                device=device,
                weekday_target_time=dt.time(7, 0),
                weekday_target_soc=soc,
                weekend_target_time=dt.time(7, 0),
                weekend_target_soc=80,
                now=NOW,
            )

        assert refused.value.field == "weekdayTargetSoc"
        assert not models.DevicePreferences.objects.filter(device=device).exists()


@pytest.mark.django_db
class TestSetBatteryChargingPreferences:
    def test_refuses_a_minimum_above_a_days_maximum(self):
        device = DeviceFactory(kind=models.DeviceKind.BATTERIES)
        operations.set_vehicle_charge_preferences(
            device=device,
            weekday_target_time=dt.time(7, 0),
            weekday_target_soc=60,
            weekend_target_time=dt.time(7, 0),
            weekend_target_soc=60,
            now=NOW,
        )

        with pytest.raises(operations.InvalidPreferences, match="above the monday maximum"):
            operations.set_battery_charging_preferences(device=device, minimum_soc=70, now=NOW)

    def test_sets_the_minimum_of_every_day(self):
        device = DeviceFactory(kind=models.DeviceKind.BATTERIES)

        operations.set_battery_charging_preferences(device=device, minimum_soc=20, now=NOW)

        assert {s.min_value for s in device.preferences.schedules.all()} == {Decimal(20)}


@pytest.mark.django_db
class TestTriggerBoostCharge:
    def test_plans_a_boost_from_now_for_the_boost_duration_at_full_power(self, settings):
        settings.SMART_BOOST_CHARGE_MINUTES = 90
        device = DeviceFactory(max_power_kw=Decimal("7.40"))

        boost = operations.trigger_boost_charge(device=device, now=NOW)

        assert (boost.start_at, boost.end_at) == (NOW, NOW + dt.timedelta(minutes=90))
        assert boost.delta_kwh == Decimal("11.100")
        assert boost.source == models.DispatchSource.BOOST
        device.refresh_from_db()
        assert device.state == models.DeviceState.BOOSTING

    def test_a_second_call_while_boosting_returns_the_running_boost(self):
        device = DeviceFactory()
        first = operations.trigger_boost_charge(device=device, now=NOW)

        second = operations.trigger_boost_charge(device=device, now=NOW + dt.timedelta(minutes=5))

        assert second.pk == first.pk
        assert audit_actions(device.account) == ["DEVICE_BOOST_TRIGGERED"]

    @pytest.mark.parametrize(
        "changes",
        [{"is_suspended": True}, {"status": models.DeviceLifecycleStatus.PENDING_LIVE}],
    )
    def test_is_refused_for_a_suspended_or_not_live_device(self, changes):
        device = DeviceFactory(**changes)

        with pytest.raises(operations.BoostNotAvailable):
            operations.trigger_boost_charge(device=device, now=NOW)

        assert not device.dispatches.exists()


@pytest.mark.django_db
class TestCancelBoostCharge:
    def test_ends_a_running_boost_now_and_cancels_one_not_started(self):
        device = DeviceFactory(state=models.DeviceState.BOOSTING)
        running = DispatchFactory(
            device=device, source=models.DispatchSource.BOOST, start_at=NOW - HOUR, end_at=NOW + HOUR
        )
        later = DispatchFactory(
            device=device, source=models.DispatchSource.BOOST, start_at=NOW + HOUR, end_at=NOW + 2 * HOUR
        )

        device = operations.cancel_boost_charge(device=device, now=NOW)

        running.refresh_from_db()
        later.refresh_from_db()
        assert (running.end_at, running.status) == (NOW, models.DispatchStatus.COMPLETED)
        assert later.status == models.DispatchStatus.CANCELLED
        assert device.state == models.DeviceState.SMART_CONTROL_CAPABLE

    def test_without_a_boost_changes_nothing(self):
        device = DeviceFactory()

        operations.cancel_boost_charge(device=device, now=NOW)

        assert audit_actions(device.account) == []


@pytest.mark.django_db
class TestJoinSavingSessions:
    def test_joining_again_with_the_same_meter_point_returns_the_enrolment(self):
        meter_point = MeterPointFactory()
        account = meter_point.property.account
        first = operations.join_saving_sessions_campaign(account=account, meter_point=meter_point, now=NOW)

        again = operations.join_saving_sessions_campaign(account=account, meter_point=meter_point, now=NOW)

        assert again.pk == first.pk

    def test_joining_with_another_meter_point_is_refused(self):
        enrolment = SavingSessionEnrolmentFactory()
        other = MeterPointFactory(property__account=enrolment.account)

        with pytest.raises(operations.AlreadyEnrolled):
            operations.join_saving_sessions_campaign(account=enrolment.account, meter_point=other, now=NOW)

    def test_an_event_needs_the_campaign_first(self):
        event = SavingSessionEventFactory(start_at=NOW + HOUR)
        meter_point = MeterPointFactory()

        with pytest.raises(operations.NotEnrolled):
            operations.join_saving_session_event(account=meter_point.property.account, event=event, now=NOW)

    def test_an_event_that_has_started_can_no_longer_be_joined(self):
        enrolment = SavingSessionEnrolmentFactory()
        event = SavingSessionEventFactory(start_at=NOW)

        with pytest.raises(operations.EventClosed):
            operations.join_saving_session_event(account=enrolment.account, event=event, now=NOW)

    def test_joining_an_event_twice_returns_the_first_participation(self):
        enrolment = SavingSessionEnrolmentFactory()
        event = SavingSessionEventFactory(start_at=NOW + HOUR)
        first = operations.join_saving_session_event(account=enrolment.account, event=event, now=NOW)

        second = operations.join_saving_session_event(account=enrolment.account, event=event, now=NOW)

        assert second.pk == first.pk
        assert audit_actions(enrolment.account).count("SAVING_SESSION_EVENT_JOINED") == 1
