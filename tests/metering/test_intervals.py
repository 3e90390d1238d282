import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from kernel import ranges
from metering import models, operations, queries
from tests.metering.factories import MeterFactory, RegisterFactory

UTC = dt.UTC
START = dt.datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
RECORDED = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def half_hours(start, count, consumption="0.250", quality=models.IntervalQuality.ACTUAL):
    return [
        operations.IntervalValue(start + i * operations.HALF_HOUR, Decimal(consumption), quality)
        for i in range(count)
    ]


def record(meter, values):
    return operations.record_interval_readings(
        meter=meter, values=values, source=models.ReadingSource.SMART, recorded_at=RECORDED
    )


@pytest.fixture
def meter(db):
    register = RegisterFactory()
    return register.meter


@pytest.mark.django_db
class TestRecordIntervalReadings:
    def test_stores_each_half_hour_in_its_months_partition(self, meter):
        written = record(meter, half_hours(dt.datetime(2026, 10, 31, 23, 0, tzinfo=UTC), 4))

        assert written == 4
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tableoid::regclass::text, count(*) FROM metering_interval_reading "
                "WHERE meter_id = %s GROUP BY 1 ORDER BY 1",
                [meter.pk],
            )
            assert cursor.fetchall() == [
                ("metering_interval_reading_y2026m10", 2),
                ("metering_interval_reading_y2026m11", 2),
            ]

    def test_creates_a_missing_months_partition_before_writing(self, meter):
        far = dt.datetime(2031, 3, 1, 0, 0, tzinfo=UTC)

        record(meter, half_hours(far, 2))

        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('metering_interval_reading_y2031m03') IS NOT NULL")
            assert cursor.fetchone()[0]
        assert (
            queries.interval_readings(
                meter_ids=[meter.pk], period=ranges.Period(far, far + dt.timedelta(hours=1))
            ).count()
            == 2
        )

    def test_takes_the_unit_of_the_meters_registers(self, meter):
        record(meter, half_hours(START, 1))

        assert models.IntervalReading.objects.get(meter=meter).unit == models.RegisterUnit.KWH

    def test_lets_an_actual_replace_an_estimate(self, meter):
        record(meter, half_hours(START, 2, "0.100", models.IntervalQuality.ESTIMATE))

        record(meter, half_hours(START, 2, "0.300"))

        rows = queries.interval_readings(
            meter_ids=[meter.pk], period=ranges.Period(START, START + dt.timedelta(hours=1))
        )
        assert [(r.consumption, r.quality) for r in rows] == [(Decimal("0.300"), "ACTUAL")] * 2

    def test_never_lets_an_estimate_replace_an_actual(self, meter):
        record(meter, half_hours(START, 1, "0.300"))

        written = record(meter, half_hours(START, 1, "9.000", models.IntervalQuality.ESTIMATE))

        assert written == 0
        assert models.IntervalReading.objects.get(meter=meter).consumption == Decimal("0.300")

    def test_lets_a_feed_resend_a_day(self, meter):
        record(meter, half_hours(START, 48, "0.200"))

        written = record(meter, half_hours(START, 48, "0.250"))

        assert written == 48
        assert models.IntervalReading.objects.filter(meter=meter).count() == 48

    @pytest.mark.parametrize(
        "value, reason",
        [
            (
                operations.IntervalValue(START.replace(minute=15), Decimal("1")),
                "not the start of a half hour",
            ),
            (operations.IntervalValue(START.replace(tzinfo=None), Decimal("1")), "needs a time zone"),
            (operations.IntervalValue(START, Decimal("-0.001")), "out of range"),
            (operations.IntervalValue(START, Decimal("NaN")), "out of range"),
            (operations.IntervalValue(START, Decimal("1e12")), "out of range"),
            (operations.IntervalValue(START, 0.5), "must be a Decimal"),
            (operations.IntervalValue(START, Decimal("1"), "GUESS"), "unknown quality"),
        ],
    )
    def test_refuses_a_bad_half_hour_and_writes_nothing(self, meter, value, reason):
        good = half_hours(START + dt.timedelta(days=1), 3)

        with pytest.raises(operations.InvalidIntervals) as refused:
            record(meter, [*good, value])

        assert reason in str(refused.value)
        assert not models.IntervalReading.objects.filter(meter=meter).exists()

    def test_refuses_a_half_hour_given_twice(self, meter):
        with pytest.raises(operations.InvalidIntervals, match="given twice"):
            record(meter, half_hours(START, 1) + half_hours(START, 1))


@pytest.mark.django_db
class TestCopyIntervalReadings:
    def test_writes_fresh_data_in_bulk(self, meter):
        rows = [
            operations.IntervalRow(
                meter.pk, START + i * operations.HALF_HOUR, Decimal("0.5"), "KWH", "ACTUAL", "SMART", RECORDED
            )
            for i in range(96)
        ]

        operations.copy_interval_readings(rows=rows)

        assert models.IntervalReading.objects.filter(meter=meter).count() == 96

    def test_refuses_a_half_hour_already_held(self, meter):
        record(meter, half_hours(START, 1))
        row = operations.IntervalRow(meter.pk, START, Decimal("0.5"), "KWH", "ACTUAL", "SMART", RECORDED)

        with pytest.raises(IntegrityError), transaction.atomic():
            operations.copy_interval_readings(rows=[row])

    def test_the_database_refuses_a_misaligned_half_hour(self, meter):
        row = operations.IntervalRow(
            meter.pk, START + dt.timedelta(minutes=10), Decimal("0.5"), "KWH", "ACTUAL", "SMART", RECORDED
        )

        with pytest.raises(IntegrityError), transaction.atomic():
            operations.copy_interval_readings(rows=[row])


@pytest.mark.django_db
class TestIntervalReadings:
    def test_reads_the_half_hours_starting_in_the_period_in_order(self):
        meter = MeterFactory()
        other = MeterFactory()
        record(meter, half_hours(START, 6))
        record(other, half_hours(START, 6))

        rows = list(
            queries.interval_readings(
                meter_ids=[meter.pk],
                period=ranges.Period(START + operations.HALF_HOUR, START + dt.timedelta(hours=2)),
            )
        )

        assert [r.interval_start for r in rows] == [START + i * operations.HALF_HOUR for i in (1, 2, 3)]
        assert {r.meter_id for r in rows} == {meter.pk}

    def test_refuses_an_open_ended_period(self):
        with pytest.raises(ValueError):
            queries.interval_readings(meter_ids=[1], period=ranges.Period(START))
