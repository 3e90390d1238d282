import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts import models as accounts_models
from devices import models, operations
from metering import models as metering_models
from metering import operations as metering_operations
from tests.accounts.factories import AccountUserRoleFactory
from tests.metering.factories import MeterFactory, MeterPointFactory

LONDON = ZoneInfo("Europe/London")
# A Wednesday evening; the ten weekdays before it make the baseline.
EVENT_START = dt.datetime(2025, 1, 29, 17, 30, tzinfo=LONDON)
HALF_HOUR = dt.timedelta(minutes=30)


def _enrolled(usage, *, days=20):
    role = AccountUserRoleFactory()
    point = MeterPointFactory(property__account=role.account)
    meter = MeterFactory(meter_point=point)
    start = (EVENT_START - dt.timedelta(days=days)).replace(hour=0, minute=0).astimezone(dt.UTC)
    values = []
    moment = start
    while moment < EVENT_START + dt.timedelta(hours=2):
        kwh = usage(moment)
        if kwh is not None:
            values.append(metering_operations.IntervalValue(moment, Decimal(kwh)))
        moment += HALF_HOUR
    metering_operations.record_interval_readings(
        meter=meter,
        values=values,
        source=metering_models.ReadingSource.SMART,
        recorded_at=EVENT_START + dt.timedelta(days=1),
    )
    models.SavingSessionEnrolment.objects.create(account=role.account, meter_point=point, joined_at=start)
    return role


@pytest.mark.django_db
class TestSettleSavingSession:
    def _event(self):
        return models.SavingSessionEvent.objects.create(
            code="EVT-1",
            start_at=EVENT_START,
            end_at=EVENT_START + dt.timedelta(hours=1),
            reward_per_kwh_points=1800,
        )

    def test_pays_points_for_the_kwh_saved_against_the_baseline_once(self):
        event = self._event()
        during = {EVENT_START.astimezone(dt.UTC), (EVENT_START + HALF_HOUR).astimezone(dt.UTC)}
        role = _enrolled(lambda m: "0.200" if m in during else "0.900")
        models.SavingSessionParticipation.objects.create(
            event=event, account=role.account, joined_at=EVENT_START
        )
        after = EVENT_START + dt.timedelta(days=2)

        settled = operations.settle_saving_session(event=event, now=after)
        again = operations.settle_saving_session(event=event, now=after)

        # Baseline 2 x 0.9 = 1.8 kWh, used 0.4 kWh: 1.4 kWh saved x 1,800 = 2,520 points.
        participation = models.SavingSessionParticipation.objects.get()
        assert (settled, again) == (1, 0)
        assert (participation.result_status, participation.points_awarded) == ("SUCCESS", 2520)
        assert (participation.baseline_kwh, participation.consumption_kwh) == (
            Decimal("1.800"),
            Decimal("0.400"),
        )
        entry = accounts_models.LoyaltyPointLedgerEntry.objects.get(user=role.user)
        assert (entry.points, entry.reason) == (2520, "SAVING_SESSION_REWARD")

    def test_without_the_event_s_half_hours_the_result_is_missing_readings_and_pays_nothing(self):
        event = self._event()
        role = _enrolled(lambda m: None if m >= EVENT_START else "0.500")
        models.SavingSessionParticipation.objects.create(
            event=event, account=role.account, joined_at=EVENT_START
        )

        operations.settle_saving_session(event=event, now=EVENT_START + dt.timedelta(days=2))

        assert models.SavingSessionParticipation.objects.get().result_status == "MISSING_READINGS"
        assert not accounts_models.LoyaltyPointLedgerEntry.objects.exists()

    def test_refuses_an_event_that_has_not_ended(self):
        with pytest.raises(operations.EventNotOver):
            operations.settle_saving_session(event=self._event(), now=EVENT_START)
