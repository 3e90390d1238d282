from decimal import Decimal

import factory

from billing import models
from tests.accounts.factories import EPOCH, AccountFactory
from tests.metering.factories import MeterPointFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Product

    code = factory.Sequence(lambda n: f"VAR-{n}")
    display_name = "Flexible"
    full_name = "Flexible Octopus"
    tax_rate = Decimal("0.05")
    available_from = EPOCH


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Tariff

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"E-1R-VAR-{n}-A")
    utility_type = "ELECTRICITY"
    region = "_A"
    standing_charge = Decimal("45.0000")


class TariffRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TariffRate

    tariff = factory.SubFactory(TariffFactory)
    band = models.RateBand.STANDARD
    unit_rate = Decimal("24.5000")
    active_from = EPOCH


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Agreement

    account = factory.SubFactory(AccountFactory)
    meter_point = factory.SubFactory(MeterPointFactory, property__account=factory.SelfAttribute("...account"))
    tariff = factory.SubFactory(TariffFactory)
    active_from = EPOCH


class BillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Bill

    account = factory.SubFactory(AccountFactory)
    period_start = EPOCH
    period_end = factory.LazyAttribute(lambda o: o.period_start.replace(month=2))
    currency = "GBP"
    subtotal = 10000
    tax = 500
    total = 10500
    issued_at = factory.LazyAttribute(lambda o: o.period_end)
