"""A smart supply priced on several tariffs for the tests of `smartTariffComparison` and agreements'
`lineItems`: February 2025's consumption as half hours and register reads."""

import datetime as dt
from decimal import Decimal

from billing import models
from kernel import ranges
from metering import operations as metering_operations
from tests.accounts.factories import EPOCH
from tests.billing.factories import AgreementFactory, ProductFactory, TariffFactory, TariffRateFactory
from tests.metering.factories import MeterFactory, ReadingFactory, RegisterFactory, half_hours

NOW = dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC)
FEBRUARY = ranges.Period(dt.datetime(2025, 2, 1, tzinfo=dt.UTC), dt.datetime(2025, 3, 1, tzinfo=dt.UTC))


def flat_tariff(*, standing, rate, region="_A", **product):
    tariff = TariffFactory(
        product=ProductFactory(**product), region=region, standing_charge=Decimal(standing)
    )
    TariffRateFactory(tariff=tariff, unit_rate=Decimal(rate))
    return tariff


def time_of_use_tariff():
    """Off peak 00:30-04:30 at 7.5p, 30p otherwise; 45p a day."""
    tariff = TariffFactory(
        product=ProductFactory(code="GO-1"), code="E-1R-GO-1-A", standing_charge=Decimal(45)
    )
    TariffRateFactory(
        tariff=tariff,
        band=models.RateBand.OFF_PEAK,
        unit_rate=Decimal("7.5"),
        start_time=dt.time(0, 30),
        end_time=dt.time(4, 30),
    )
    TariffRateFactory(tariff=tariff, band=models.RateBand.STANDARD, unit_rate=Decimal(30))
    return tariff


def smart_supply(account, tariff, *, usage=True):
    """A smart meter on `tariff` since 2024 which used 1 kWh in each off-peak half hour of February
    and 0.1 kWh in every other (336 kWh: 224 off peak, 112 not), read 1000 then 1336."""
    agreement = AgreementFactory(account=account, tariff=tariff, active_from=EPOCH)
    meter = MeterFactory(meter_point=agreement.meter_point, installed_from=EPOCH)
    register = RegisterFactory(meter=meter)
    if usage:
        ReadingFactory(register=register, read_at=FEBRUARY.start, value=1000)
        ReadingFactory(register=register, read_at=FEBRUARY.end, value=1336)
        metering_operations.ensure_interval_partitions(months=[(2025, 2)])
        half_hours(
            meter,
            start=FEBRUARY.start,
            values=["1.0" if 1 <= index % 48 <= 8 else "0.1" for index in range(28 * 48)],
            recorded_at=FEBRUARY.end,
        )
    return agreement
