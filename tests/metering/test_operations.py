import datetime as dt
from decimal import Decimal

import pytest

from accounts import models as accounts_models
from metering import models, operations
from tests.metering.factories import ReadingFactory, RegisterFactory

NOW = dt.datetime(2026, 11, 5, 18, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def submit(meter, values, read_at=NOW - DAY):
    return operations.submit_customer_reading(meter=meter, read_at=read_at, values=values, now=NOW)


def refusal(meter, values, read_at=NOW - DAY):
    with pytest.raises(operations.InvalidReadings) as refused:
        submit(meter, values, read_at)
    return [(e.field, e.message) for e in refused.value.errors]


@pytest.mark.django_db
class TestSubmitCustomerReading:
    def test_records_the_reading_with_an_audit_row_on_the_meters_account(self):
        register = RegisterFactory()

        [reading] = submit(register.meter, [(None, 1234)])

        assert (reading.value, reading.source, reading.quality) == (Decimal(1234), "CUSTOMER", "ACTUAL")
        account_id = register.meter.meter_point.property.account_id
        assert accounts_models.AuditEntry.objects.filter(
            account_id=account_id, action="METER_READING_SUBMITTED"
        ).exists()

    def test_the_same_reading_again_returns_the_stored_one(self):
        register = RegisterFactory()
        [first] = submit(register.meter, [(None, 1234)])

        [again] = submit(register.meter, [(None, 1234)])

        assert again.pk == first.pk
        assert models.Reading.objects.filter(register=register).count() == 1

    def test_refuses_another_value_for_an_instant_already_read(self):
        register = RegisterFactory()
        submit(register.meter, [(None, 1234)])

        errors = refusal(register.meter, [(None, 1300)])

        assert errors == [("reading", "Register 1 already has a reading then.")]

    def test_refuses_a_reading_in_the_future(self):
        register = RegisterFactory()

        errors = refusal(register.meter, [(None, 5)], read_at=NOW + dt.timedelta(minutes=1))

        assert errors == [("readAt", "A reading cannot be in the future.")]

    def test_refuses_a_value_lower_than_an_earlier_actual_reading(self):
        register = RegisterFactory()
        ReadingFactory(register=register, read_at=NOW - 10 * DAY, value=2000)

        errors = refusal(register.meter, [(None, 1999)])

        assert errors[0][0] == "reading" and "cannot be lower" in errors[0][1]
        assert models.Reading.objects.filter(register=register).count() == 1

    def test_ignores_an_earlier_estimate_when_checking_the_order(self):
        register = RegisterFactory()
        ReadingFactory(
            register=register, read_at=NOW - 10 * DAY, value=2000, quality=models.ReadingQuality.ESTIMATE
        )

        [reading] = submit(register.meter, [(None, 1999)])

        assert reading.value == Decimal(1999)

    @pytest.mark.parametrize(
        "values, expected",
        [
            ([], ("readings", "Give at least one register reading.")),
            ([(None, -1)], ("reading", "A reading must be a number zero or above.")),
            ([(None, 100000)], ("reading", "Register 1 has 5 digits.")),
            ([("9", 10)], ("registerId", "Meter {serial} has no register '9'.")),
        ],
    )
    def test_refuses_an_impossible_submission_and_writes_nothing(self, values, expected):
        register = RegisterFactory()

        errors = refusal(register.meter, values)

        assert errors == [(expected[0], expected[1].format(serial=register.meter.serial_number))]
        assert not models.Reading.objects.exists()

    def test_a_two_register_meter_needs_the_register_named(self):
        day = RegisterFactory(identifier="DAY", rate_band="DAY")
        RegisterFactory(meter=day.meter, identifier="NIGHT", rate_band="NIGHT")

        assert refusal(day.meter, [(None, 10)])[0][0] == "registerId"
        assert [r.register.identifier for r in submit(day.meter, [("DAY", 10), ("NIGHT", 20)])] == [
            "DAY",
            "NIGHT",
        ]

    def test_one_bad_register_refuses_the_whole_submission(self):
        day = RegisterFactory(identifier="DAY", rate_band="DAY")
        night = RegisterFactory(meter=day.meter, identifier="NIGHT", rate_band="NIGHT")
        ReadingFactory(register=night, read_at=NOW - 10 * DAY, value=500)

        refusal(day.meter, [("DAY", 10), ("NIGHT", 20)])

        assert not models.Reading.objects.filter(register=day).exists()
