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
