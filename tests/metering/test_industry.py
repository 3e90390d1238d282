import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError

from metering import models, operations
from tests.metering.factories import MeterFactory, MeterPointFactory, RegisterFactory

NOW = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)


@pytest.mark.django_db
class TestRecordIndustryDetails:
    def test_sets_the_ldz_and_how_registers_record_creating_the_missing_ones(self):
        gas = MeterFactory(meter_point=MeterPointFactory(utility_type="GAS", identifier="7123456"))
        existing = RegisterFactory(meter=MeterFactory(serial_number="E1"), identifier="1")

        changed = operations.record_industry_details(
            details=[
                operations.MeterPointDetails(
                    meter_point_id=gas.meter_point_id,
                    ldz="EA",
                    registers=(operations.RegisterDetails(meter_id=gas.pk, identifier="1", unit="M3"),),
                ),
                operations.MeterPointDetails(
                    meter_point_id=existing.meter.meter_point_id,
                    gsp_group_id="_C",
                    registers=(
                        operations.RegisterDetails(
                            meter_id=existing.meter_id, identifier="1", rate_band="DAY"
                        ),
                    ),
                ),
            ],
            recorded_at=NOW,
        )

        assert changed == 2
        assert models.MeterPoint.objects.get(pk=gas.meter_point_id).ldz == "EA"
        assert gas.registers.get().unit == "M3"
        existing.refresh_from_db()
        assert (existing.rate_band, existing.meter.meter_point.gsp_group_id) == ("DAY", "_C")


@pytest.mark.django_db
class TestCopyReadings:
    def test_writes_readings_and_the_database_refuses_a_duplicate(self):
        register = RegisterFactory()
        row = operations.ReadingRow(register.pk, NOW, Decimal("1234.500"), "SMART", "ACTUAL")

        operations.copy_readings(rows=[row], recorded_at=NOW)

        assert register.readings.get().value == Decimal("1234.500")
        with pytest.raises(IntegrityError):
            operations.copy_readings(rows=[row], recorded_at=NOW)
