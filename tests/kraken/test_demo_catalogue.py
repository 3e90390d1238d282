import datetime as dt
from collections.abc import Iterator

import pytest

from accounts import models as accounts_models
from accounts import queries as accounts_queries
from billing import models as billing_models
from kraken import demo, demo_catalogue
from metering import models as metering_models
from tests.shared_data import loaded_once

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
REGIONS = {group.value for group in metering_models.GspGroup}


@pytest.mark.django_db
class TestCatalogue:
    def test_offers_every_kind_of_tariff_in_all_14_regions(self):
        demo_catalogue.load_catalogue(now=NOW, dynamic_days=2)

        flexible = billing_models.Tariff.objects.filter(product__code="VAR-22-11-01")
        for prefix in ("E-1R", "E-2R", "G-1R"):
            assert set(flexible.filter(code__startswith=prefix).values_list("region", flat=True)) == REGIONS

    def test_keeps_a_price_history_with_direct_debit_and_other_prices(self):
        demo_catalogue.load_catalogue(now=NOW, dynamic_days=2)

        rates = billing_models.TariffRate.objects.filter(tariff__code="E-1R-VAR-22-11-01-C").order_by(
            "active_from"
        )
        assert rates.count() == 2 * len(demo_catalogue.FLEXIBLE_PERIODS)
        assert {rate.payment_method for rate in rates} == {"DIRECT_DEBIT", "NON_DIRECT_DEBIT"}
        assert [rate.active_to for rate in rates if rate.active_to is None] == [None, None]
        standing = billing_models.StandingCharge.objects.filter(tariff__code="E-1R-VAR-22-11-01-C")
        assert standing.count() == 2 * len(demo_catalogue.FLEXIBLE_PERIODS)
        tariff = billing_models.Tariff.objects.get(code="E-1R-VAR-22-11-01-C")
        assert tariff.standing_charge == standing.get(active_to=None, payment_method="DIRECT_DEBIT").value

    def test_agile_has_half_hourly_prices_up_to_tomorrow(self):
        demo_catalogue.load_catalogue(now=NOW, dynamic_days=2)

        rates = billing_models.TariffRate.objects.filter(tariff__code="E-1R-AGILE-24-10-01-A")
        assert rates.count() == 2 * 48
        assert rates.filter(active_to__isnull=True).count() == 1

    def test_a_second_load_adds_nothing(self):
        assert demo_catalogue.load_catalogue(now=NOW, dynamic_days=2) == len(demo_catalogue.CATALOGUE)
        count = billing_models.TariffRate.objects.count()

        assert demo_catalogue.load_catalogue(now=NOW, dynamic_days=2) == 0
        assert billing_models.TariffRate.objects.count() == count


@pytest.mark.django_db
class TestDemoCustomer:
    @pytest.fixture(scope="class")
    @classmethod
    def loaded(cls, django_db_setup, django_db_blocker) -> Iterator[demo_catalogue.Summary]:
        def load() -> demo_catalogue.Summary:
            demo.load_demo_data(now=NOW, account_count=3)
            return demo_catalogue.load(now=NOW)

        yield from loaded_once(django_db_blocker, load)

    def test_has_an_api_key_that_is_printed(self, loaded):
        user = accounts_models.User.objects.get(email=demo.DEMO_CUSTOMER_EMAIL)

        assert loaded.api_key == accounts_queries.live_api_key(user=user)
        assert accounts_queries.user_of_api_key(api_key=loaded.api_key) == user

    def test_has_at_least_90_days_of_half_hours_on_each_smart_meter(self, loaded):
        meters = metering_models.Meter.objects.filter(
            meter_point__property__account__user_roles__user__email=demo.DEMO_CUSTOMER_EMAIL
        )

        assert meters.exists()
        for meter in meters:
            assert meter.is_smart
            assert meter.interval_readings.count() >= 90 * 48
            assert meter.smart_devices.filter(device_type__in=["ESME", "GSME"]).exists()

    def test_the_demo_postcodes_have_their_region(self, loaded):
        from metering import queries

        address = accounts_models.Address.objects.filter(
            properties__account__user_roles__user__email=demo.DEMO_CUSTOMER_EMAIL
        ).first()

        assert queries.gsp_groups_of_postcode(postcode=address.postcode) == ["_A"]

    def test_a_second_load_writes_nothing_and_keeps_the_key(self, loaded):
        readings = metering_models.IntervalReading.objects.count()

        again = demo_catalogue.load(now=NOW + dt.timedelta(days=1))

        assert (again.products, again.directory_rows, again.interval_rows) == (0, 0, 0)
        assert again.api_key == loaded.api_key
        assert metering_models.IntervalReading.objects.count() == readings
