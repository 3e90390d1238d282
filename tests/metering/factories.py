import factory

from metering import models
from tests.accounts.factories import EPOCH, PropertyFactory


class MeterPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.MeterPoint

    property = factory.SubFactory(PropertyFactory)
    utility_type = models.UtilityType.ELECTRICITY
    market = models.Market.GB
    identifier = factory.Sequence(lambda n: f"{1900000000000 + n}")
    gsp_group_id = "_A"
    profile_class = 1
    supply_from = EPOCH


class MeterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Meter

    meter_point = factory.SubFactory(MeterPointFactory)
    serial_number = factory.Sequence(lambda n: f"21L{n:07d}")
    meter_type = "S2A"
    is_smart = True
    installed_from = EPOCH


class RegisterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Register

    meter = factory.SubFactory(MeterFactory)
    identifier = "1"


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Reading

    register = factory.SubFactory(RegisterFactory)
    read_at = EPOCH
    value = 1000
    source = models.ReadingSource.SMART


class SmartMeterDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SmartMeterDevice

    meter = factory.SubFactory(MeterFactory)
    device_id = factory.Sequence(lambda n: f"00-AA-00-00-00-00-{n // 256 % 256:02X}-{n % 256:02X}")
    paired_at = EPOCH


class GridSupplyPointPostcodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.GridSupplyPointPostcode

    postcode = "SW1A"
    gsp_group_id = models.GspGroup.C


def half_hours(meter, *, start, values, recorded_at=EPOCH) -> int:
    """Write consecutive half hours of `meter` from `start` (aware, on the half hour) with COPY;
    `values` are Decimals (or strings). Returns how many."""
    from decimal import Decimal

    from metering import operations

    unit = meter.registers.values_list("unit", flat=True).first() or models.RegisterUnit.KWH
    rows = [
        operations.IntervalRow(
            meter.pk,
            start + index * operations.HALF_HOUR,
            Decimal(value),
            unit,
            models.IntervalQuality.ACTUAL,
            models.ReadingSource.SMART,
            recorded_at,
        )
        for index, value in enumerate(values)
    ]
    operations.copy_interval_readings(rows=rows)
    return len(rows)
