"""The six tariff charge lists (spec/REST.md §4.3)."""

import datetime as dt
from decimal import Decimal

import pytest

from billing import models
from tests.accounts.factories import EPOCH
from tests.billing.factories import ProductFactory, TariffFactory, TariffRateFactory, priced_product

BASE = "/v1/products/VAR-22-11-01"
E1R = f"{BASE}/electricity-tariffs/E-1R-VAR-22-11-01-A"
E2R = f"{BASE}/electricity-tariffs/E-2R-VAR-22-11-01-A"
G1R = f"{BASE}/gas-tariffs/G-1R-VAR-22-11-01-A"
UTC = dt.UTC


@pytest.fixture
def flexible(db):
    return priced_product(regions=("_A",))


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.django_db
class TestChargeLists:
    @pytest.mark.parametrize(
        ("path", "values"),
        [
            (f"{E1R}/standard-unit-rates/", [21, 22, 20, 21]),
            (f"{E2R}/day-unit-rates/", [26, 27, 25, 26]),
            (f"{E2R}/night-unit-rates/", [16, 17, 15, 16]),
            (f"{E1R}/standing-charges/", [41, 43, 40, 42]),
            (f"{G1R}/standard-unit-rates/", [5.25, 5.5, 5, 5.25]),
            (f"{G1R}/standing-charges/", [41, 43, 40, 42]),
        ],
    )
    def test_lists_the_whole_history_newest_first_direct_debit_before_other_methods(
        self, client, flexible, path, values
    ):
        body = client.get(path).json()

        assert body["count"] == 4 and body["next"] is None and body["previous"] is None
        assert [charge["value_exc_vat"] for charge in body["results"]] == values
        assert [charge["payment_method"] for charge in body["results"]] == [
            "DIRECT_DEBIT",
            "NON_DIRECT_DEBIT",
        ] * 2

    def test_each_charge_has_its_values_and_utc_validity(self, client, flexible):
        assert results(client.get(f"{E1R}/standard-unit-rates/"))[2:] == [
            {
                "value_exc_vat": 20,
                "value_inc_vat": 21,
                "valid_from": "2024-01-01T00:00:00Z",
                "valid_to": "2024-07-01T00:00:00Z",
                "payment_method": "DIRECT_DEBIT",
            },
            {
                "value_exc_vat": 21,
                "value_inc_vat": 22.05,
                "valid_from": "2024-01-01T00:00:00Z",
                "valid_to": "2024-07-01T00:00:00Z",
                "payment_method": "NON_DIRECT_DEBIT",
            },
        ]

    def test_a_window_keeps_every_charge_overlapping_it(self, client):
        tariff = TariffFactory(code="E-1R-AGILE-A", product__code="AGILE")
        start = dt.datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
        for slot in range(4):
            TariffRateFactory(
                tariff=tariff,
                unit_rate=Decimal(10 + slot),
                active_from=start + slot * dt.timedelta(minutes=30),
                active_to=start + (slot + 1) * dt.timedelta(minutes=30),
            )

        charges = results(
            client.get(
                "/v1/products/AGILE/electricity-tariffs/E-1R-AGILE-A/standard-unit-rates/"
                "?period_from=2024-05-01T02:45:00Z&period_to=2024-05-01T03:15:00Z"
            )
        )

        assert [(c["valid_from"], c["payment_method"]) for c in charges] == [
            ("2024-05-01T03:00:00Z", None),
            ("2024-05-01T02:30:00Z", None),
        ]

    def test_an_instant_window_finds_the_price_then(self, client, flexible):
        charges = results(
            client.get(
                f"{E1R}/standard-unit-rates/?period_from=2024-03-01T12:00:00&period_to=2024-03-01T12:00:01"
            )
        )

        assert [c["value_exc_vat"] for c in charges] == [20, 21]

    def test_a_window_from_a_moment_on_keeps_the_open_ended_charges(self, client, flexible):
        charges = results(client.get(f"{E1R}/standing-charges/?period_from=2030-01-01"))

        assert [c["valid_to"] for c in charges] == [None, None]

    def test_a_future_window_with_nothing_published_is_empty(self, client):
        tariff = TariffFactory(code="E-1R-FIXED-A", product__code="FIXED")
        TariffRateFactory(tariff=tariff, active_from=EPOCH, active_to=EPOCH.replace(month=2))

        body = client.get(
            "/v1/products/FIXED/electricity-tariffs/E-1R-FIXED-A/standard-unit-rates/?period_from=2030-01-01"
        ).json()

        assert body == {"count": 0, "next": None, "previous": None, "results": []}

    def test_a_single_rate_tariff_has_no_day_rates(self, client, flexible):
        assert client.get(f"{E1R}/day-unit-rates/").json()["count"] == 0

    def test_a_tariff_without_standing_charge_history_has_one_open_ended_charge(self, client):
        product = ProductFactory(code="PLAIN", available_from=EPOCH)
        TariffFactory(code="E-1R-PLAIN-A", product=product, standing_charge=Decimal("45.1200"))
        path = "/v1/products/PLAIN/electricity-tariffs/E-1R-PLAIN-A/standing-charges/"

        assert results(client.get(path)) == [
            {
                "value_exc_vat": 45.12,
                "value_inc_vat": 47.376,
                "valid_from": "2024-01-01T00:00:00Z",
                "valid_to": None,
                "payment_method": None,
            }
        ]
        assert results(client.get(f"{path}?period_from=2023-01-01&period_to=2023-06-01")) == []

    def test_order_by_is_ignored(self, client, flexible):
        newest = results(client.get(f"{E1R}/standard-unit-rates/"))

        assert results(client.get(f"{E1R}/standard-unit-rates/?order_by=period")) == newest

    def test_answers_cacheably_to_any_origin(self, client, flexible):
        response = client.get(f"{E1R}/standard-unit-rates/")

        assert response["Cache-Control"] == "max-age=300"
        assert "Authorization" in response["Vary"]
        assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.django_db
class TestChargePages:
    @pytest.fixture
    def agile(self, db):
        tariff = TariffFactory(code="E-1R-AGILE-A", product__code="AGILE")
        start = dt.datetime(2024, 5, 1, tzinfo=UTC)
        models.TariffRate.objects.bulk_create(
            models.TariffRate(
                tariff=tariff,
                unit_rate=Decimal(slot % 30),
                active_from=start + slot * dt.timedelta(minutes=30),
                active_to=start + (slot + 1) * dt.timedelta(minutes=30),
            )
            for slot in range(1600)
        )
        return "/v1/products/AGILE/electricity-tariffs/E-1R-AGILE-A/standard-unit-rates/"

    def test_pages_by_100_by_default(self, client, agile):
        body = client.get(agile).json()

        assert (body["count"], len(body["results"])) == (1600, 100)
        assert body["next"] == f"http://testserver{agile}?page=2"

    def test_page_size_is_clamped_to_1500(self, client, agile):
        body = client.get(f"{agile}?page_size=100000").json()

        assert len(body["results"]) == 1500
        assert body["next"] == f"http://testserver{agile}?page=2&page_size=100000"

    @pytest.mark.parametrize("size", ["0", "-3", "ten"])
    def test_a_page_size_that_is_not_a_positive_integer_means_100(self, client, agile, size):
        assert len(client.get(f"{agile}?page_size={size}").json()["results"]) == 100

    def test_the_last_page_has_no_next_and_a_page_past_it_is_invalid(self, client, agile):
        last = client.get(f"{agile}?page=16").json()
        past = client.get(f"{agile}?page=17")

        assert (len(last["results"]), last["next"]) == (100, None)
        assert last["previous"] == f"http://testserver{agile}?page=15"
        assert (past.status_code, past.json()) == (404, {"detail": "Invalid page."})

    def test_the_pages_join_up_with_nothing_repeated(self, client, agile):
        seen, url = [], f"{agile}?page_size=700"
        while url:
            body = client.get(url).json()
            seen += [charge["valid_from"] for charge in body["results"]]
            url = body["next"]

        assert len(seen) == len(set(seen)) == 1600


@pytest.mark.django_db
class TestChargeErrors:
    def test_an_unknown_product_is_the_product_404(self, client, db):
        response = client.get("/v1/products/NOPE/electricity-tariffs/E-1R-NOPE-A/standard-unit-rates/")

        assert (response.status_code, response.json()) == (
            404,
            {"detail": "No EnergyProduct matches the given query."},
        )

    @pytest.mark.parametrize(
        ("path", "detail"),
        [
            (f"{BASE}/electricity-tariffs/E-1R-VAR-22-11-01-Z/standard-unit-rates/", "No ElectricityTariff"),
            (f"{BASE}/electricity-tariffs/G-1R-VAR-22-11-01-A/standing-charges/", "No ElectricityTariff"),
            (f"{BASE}/gas-tariffs/E-1R-VAR-22-11-01-A/standing-charges/", "No GasTariff"),
        ],
    )
    def test_an_unknown_tariff_on_a_known_product_names_its_fuel(self, client, flexible, path, detail):
        response = client.get(path)

        assert (response.status_code, response.json()) == (
            404,
            {"detail": f"{detail} matches the given query."},
        )

    @pytest.mark.parametrize(
        ("query", "errors"),
        [
            ("period_to=2024-01-01", {"period_from": ["This field is required when providing a period_to."]}),
            (
                "period_from=2024-02-01&period_to=2024-01-01",
                {"period_to": ["Must be later than period_from."]},
            ),
            (
                "period_from=2024-01-01&period_to=2024-01-01",
                {"period_to": ["Must be later than period_from."]},
            ),
            ("period_from=1st%20of%20May", {"period_from": ["Enter a valid date/time."]}),
        ],
    )
    def test_a_bad_window_is_a_400(self, client, flexible, query, errors):
        response = client.get(f"{E1R}/standard-unit-rates/?{query}")

        assert (response.status_code, response.json()) == (400, errors)

    def test_an_unencoded_plus_before_the_offset_is_read_as_one(self, client, flexible):
        response = client.get(f"{E1R}/standard-unit-rates/?period_from=2024-03-01T12:00:00+01:00")

        assert response.status_code == 200 and response.json()["count"] == 4
