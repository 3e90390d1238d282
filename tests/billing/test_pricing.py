import datetime as dt
from decimal import Decimal

import pytest

from billing import models, pricing
from kernel import ranges
from tests.billing.factories import TariffFactory, TariffRateFactory

JAN = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
FEB = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)


class TestPrice:
    def test_adds_tax_exactly_without_rounding(self):
        result = pricing.price(amount=Decimal("24.5678"), tax_rate=Decimal("0.05"))

        assert result == pricing.Price(before_tax=Decimal("24.5678"), with_tax=Decimal("25.796190"))


class TestIsAvailable:
    def test_holds_from_the_start_until_the_exclusive_end(self):
        product = models.Product(available_from=JAN, available_to=FEB)

        assert pricing.is_available(product=product, at=JAN)
        assert not pricing.is_available(product=product, at=FEB)

    def test_never_holds_for_a_product_that_ends_before_it_starts(self):
        product = models.Product(available_from=FEB, available_to=JAN)

        assert not pricing.is_available(product=product, at=FEB)


class TestCheckRateWindow:
    def test_accepts_up_to_31_days(self):
        pricing.check_rate_window(start=JAN, end=JAN + dt.timedelta(days=31))

    @pytest.mark.parametrize("end", [JAN, JAN - dt.timedelta(days=1), JAN + dt.timedelta(days=31, seconds=1)])
    def test_refuses_an_empty_backwards_or_too_long_window(self, end):
        with pytest.raises(pricing.InvalidRateWindow):
            pricing.check_rate_window(start=JAN, end=end)


@pytest.mark.django_db
class TestTariffPrices:
    def test_prices_the_standing_charge_and_the_rates_in_force(self):
        tariff = TariffFactory(standing_charge=Decimal("40"))
        TariffRateFactory(tariff=tariff, unit_rate=Decimal("20"), active_from=JAN, active_to=FEB)
        TariffRateFactory(tariff=tariff, unit_rate=Decimal("22"), active_from=FEB)

        prices = pricing.tariff_prices(tariff=tariff, at=FEB)

        assert prices.standing_charge == pricing.Price(before_tax=Decimal("40"), with_tax=Decimal("42.00"))
        assert prices.unit_rates == (
            pricing.RatePrice(
                band="STANDARD",
                period=ranges.Period(FEB),
                price=pricing.Price(before_tax=Decimal("22"), with_tax=Decimal("23.10")),
            ),
        )
