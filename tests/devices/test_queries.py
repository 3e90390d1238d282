import datetime as dt
from decimal import Decimal

from devices import models, queries

START = dt.datetime(2024, 1, 10, 17, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=1)


class TestSavingSessionEventStatus:
    def test_is_upcoming_then_ongoing_until_the_exclusive_end_then_done(self):
        event = models.SavingSessionEvent(start_at=START, end_at=END)

        statuses = [
            queries.saving_session_event_status(event=event, at=moment)
            for moment in (START - dt.timedelta(seconds=1), START, END - dt.timedelta(seconds=1), END)
        ]

        assert statuses == ["UPCOMING", "ONGOING", "ONGOING", "DONE"]


class TestSavingResult:
    def test_is_the_energy_saved_against_the_baseline_exactly(self):
        participation = models.SavingSessionParticipation(
            baseline_kwh=Decimal("3.000"), consumption_kwh=Decimal("2.000"), results_set_at=END
        )

        result = queries.saving_result(participation)

        assert result.energy_saved_kwh == Decimal("1.000")
        assert result.percentage_saved == Decimal(1) / Decimal(3) * 100

    def test_is_unknown_until_the_results_are_set(self):
        participation = models.SavingSessionParticipation(
            baseline_kwh=Decimal("3"), consumption_kwh=Decimal("2")
        )

        assert queries.saving_result(participation) == queries.SavingResult(None, None)

    def test_has_no_percentage_for_a_zero_baseline(self):
        participation = models.SavingSessionParticipation(
            baseline_kwh=Decimal(0), consumption_kwh=Decimal(0), results_set_at=END
        )

        assert queries.saving_result(participation) == queries.SavingResult(Decimal(0), None)


class TestChargingPreferences:
    def test_picks_the_weekday_and_weekend_schedules_and_the_soc_bounds(self):
        monday = models.DevicePreferenceSchedule(
            day_of_week=models.DayOfWeek.MONDAY, min_value=Decimal(20), max_value=Decimal(80)
        )
        saturday = models.DevicePreferenceSchedule(
            day_of_week=models.DayOfWeek.SATURDAY, min_value=Decimal(10), max_value=Decimal(90)
        )

        prefs = queries.charging_preferences([monday, saturday])

        assert prefs == queries.ChargingPreferences(
            weekday=monday, weekend=saturday, minimum_soc=Decimal(10), maximum_soc=Decimal(90)
        )

    def test_has_no_bounds_without_schedules(self):
        assert queries.charging_preferences([]) == queries.ChargingPreferences(None, None, None, None)
