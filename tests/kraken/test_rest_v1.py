"""What every endpoint of the customer REST API v1 shares (spec/REST.md §1, §2, §5): both slash
forms without a redirect, CORS, method and rate limits, hostile input, constant query counts, and
the OpenAPI schema."""

import dataclasses
import datetime as dt

import pytest

from tests.accounts.factories import PropertyFactory
from tests.billing.factories import AgreementFactory, priced_product
from tests.metering.factories import (
    GridSupplyPointPostcodeFactory,
    MeterFactory,
    MeterPointFactory,
    RegisterFactory,
    half_hours,
)

START = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


@dataclasses.dataclass
class Supply:
    customer: object
    paths: dict[str, str]


def add_home(customer, *, meter_points: int, days: int):
    """A property with `meter_points` smart electricity meter points with `days` of half hours
    each, and agreements; returns the first meter."""
    prop = PropertyFactory(account=customer.account)
    first = None
    for _ in range(meter_points):
        point = MeterPointFactory(property=prop)
        meter = MeterFactory(meter_point=point)
        RegisterFactory(meter=meter)
        AgreementFactory(account=customer.account, meter_point=point)
        half_hours(meter, start=START, values=["0.5"] * (48 * days))
        first = first or meter
    return first


@pytest.fixture
def supply(customer) -> Supply:
    priced_product(regions=("_A",))
    GridSupplyPointPostcodeFactory()
    meter = add_home(customer, meter_points=1, days=2)
    point = meter.meter_point.identifier
    consumption = f"/v1/electricity-meter-points/{point}/meters/{meter.serial_number}/consumption/"
    return Supply(
        customer=customer,
        paths={
            "products": "/v1/products/",
            "product": "/v1/products/VAR-22-11-01/?tariffs_active_at=2024-08-01T00:00:00Z",
            "standard rates": "/v1/products/VAR-22-11-01/electricity-tariffs/E-1R-VAR-22-11-01-A/standard-unit-rates/",
            "day rates": "/v1/products/VAR-22-11-01/electricity-tariffs/E-2R-VAR-22-11-01-A/day-unit-rates/",
            "night rates": "/v1/products/VAR-22-11-01/electricity-tariffs/E-2R-VAR-22-11-01-A/night-unit-rates/",
            "standing": "/v1/products/VAR-22-11-01/electricity-tariffs/E-1R-VAR-22-11-01-A/standing-charges/",
            "gas rates": "/v1/products/VAR-22-11-01/gas-tariffs/G-1R-VAR-22-11-01-A/standard-unit-rates/",
            "gas standing": "/v1/products/VAR-22-11-01/gas-tariffs/G-1R-VAR-22-11-01-A/standing-charges/",
            "meter point": f"/v1/electricity-meter-points/{point}/",
            "consumption": consumption,
            "grouped consumption": f"{consumption}?group_by=day",
            "grid supply points": "/v1/industry/grid-supply-points/?postcode=SW1A1AA",
            "account": f"/v1/accounts/{customer.account.number}/",
        },
    )


ENDPOINTS = [
    "products",
    "product",
    "standard rates",
    "day rates",
    "night rates",
    "standing",
    "gas rates",
    "gas standing",
    "meter point",
    "consumption",
    "grouped consumption",
    "grid supply points",
    "account",
]


HOSTILE_QUERIES = [
    "period_from=%00&period_to=%00",
    "period_from=%ED%A0%80",
    "page=99999999999999999999999&page_size=99999999999999999999",
    "group_by=%00&order_by=%F0%9F%92%A5",
    "is_green=%00&available_at=99999-01-01&tariffs_active_at=-1",
    "postcode=%00%00&brand=%00",
    "period_from=0001-01-01T00:00:00%2B14:00",
]


def without_slash(path: str) -> str:
    base, _, query = path.partition("?")
    return base.rstrip("/") + (f"?{query}" if query else "")


@pytest.mark.django_db
class TestEveryEndpoint:
    @pytest.mark.parametrize("name", ENDPOINTS)
    def test_answers_the_same_with_and_without_the_trailing_slash(self, client, supply, name):
        path = supply.paths[name]

        with_slash = client.get(path, **supply.customer.auth)
        bare = client.get(without_slash(path), **supply.customer.auth)

        assert (with_slash.status_code, bare.status_code) == (200, 200)
        assert strip_links(bare.json()) == strip_links(with_slash.json())

    @pytest.mark.parametrize("name", ENDPOINTS)
    def test_allows_any_origin_and_answers_a_preflight_without_credentials(self, client, supply, name):
        preflight = client.options(
            supply.paths[name],
            HTTP_ORIGIN="https://app.example",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
        )

        assert preflight.status_code == 200
        assert preflight["Access-Control-Allow-Origin"] == "*"
        assert "authorization" in preflight["Access-Control-Allow-Headers"]
        assert client.get(supply.paths[name], **supply.customer.auth)["Access-Control-Allow-Origin"] == "*"

    @pytest.mark.parametrize("name", ENDPOINTS)
    def test_refuses_other_methods_with_405(self, client, supply, name):
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(supply.paths[name], **supply.customer.auth)

            assert response.status_code == 405
            assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}

    @pytest.mark.parametrize("name", ENDPOINTS)
    def test_hostile_input_is_a_4xx_never_a_500(self, client, supply, name):
        path = supply.paths[name]
        separator = "&" if "?" in path else "?"

        for query in HOSTILE_QUERIES:
            response = client.get(f"{path}{separator}{query}", **supply.customer.auth)

            assert response.status_code in (200, 400, 404), (query, response.content)
            assert isinstance(response.json(), dict)

    def test_hostile_paths_match_nothing_or_are_not_found(self, client, supply):
        for path in ("/v1/products/%00/", "/v1/products/%ED%A0%80/", "/v1/electricity-meter-points/%00/"):
            assert client.get(path).status_code == 404


def strip_links(body):
    """The body without its absolute links, which differ by path."""
    if isinstance(body, dict):
        return {k: strip_links(v) for k, v in body.items() if k not in ("next", "previous")}
    if isinstance(body, list):
        return [strip_links(item) for item in body]
    return body


@pytest.mark.django_db
class TestRateLimit:
    def test_over_the_limit_a_caller_gets_429_with_retry_after(self, client, supply, settings):
        settings.REST_API_RATE_LIMITS = {"anonymous": 3, "authenticated": 5}

        anonymous = [client.get("/v1/products/").status_code for _ in range(4)]
        with_key = [client.get("/v1/products/", **supply.customer.auth).status_code for _ in range(6)]

        assert anonymous == [200, 200, 200, 429]
        assert with_key == [200] * 5 + [429]
        refused = client.get("/v1/products/")
        assert refused.json()["detail"].startswith("Request was throttled.")
        assert 0 < int(refused["Retry-After"]) <= 60


@pytest.mark.django_db
class TestQueryCounts:
    """Each endpoint costs the same number of queries however much the caller holds."""

    @pytest.mark.parametrize(
        ("name", "most"),
        [
            ("products", 3),
            ("product", 2),
            ("standard rates", 4),
            ("standing", 4),
            ("meter point", 2),
            ("consumption", 3),
            ("grouped consumption", 3),
            ("grid supply points", 2),
            ("account", 8),
        ],
    )
    def test_constant_in_the_rows_served(self, client, supply, name, most, django_assert_max_num_queries):
        path = supply.paths[name]
        with django_assert_max_num_queries(most) as small:
            client.get(path, **supply.customer.auth)
        priced_product(code="MORE-1", regions=("_A", "_B", "_C", "_D"))
        for _ in range(3):
            add_home(supply.customer, meter_points=3, days=3)

        with django_assert_max_num_queries(most) as large:
            response = client.get(path, **supply.customer.auth)

        assert response.status_code == 200
        assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
class TestOpenAPISchema:
    def test_documents_every_endpoint_and_the_key_scheme(self, client):
        schema = client.get("/api/schema/?format=json").json()

        paths = set(schema["paths"])
        assert {
            "/v1/products/",
            "/v1/products/{product_code}/",
            "/v1/products/{product_code}/electricity-tariffs/{tariff_code}/standard-unit-rates/",
            "/v1/products/{product_code}/electricity-tariffs/{tariff_code}/day-unit-rates/",
            "/v1/products/{product_code}/electricity-tariffs/{tariff_code}/night-unit-rates/",
            "/v1/products/{product_code}/electricity-tariffs/{tariff_code}/standing-charges/",
            "/v1/products/{product_code}/gas-tariffs/{tariff_code}/standard-unit-rates/",
            "/v1/products/{product_code}/gas-tariffs/{tariff_code}/standing-charges/",
            "/v1/electricity-meter-points/{mpan}/",
            "/v1/electricity-meter-points/{mpan}/meters/{serial_number}/consumption/",
            "/v1/gas-meter-points/{mprn}/meters/{serial_number}/consumption/",
            "/v1/industry/grid-supply-points/",
            "/v1/accounts/{account_number}/",
        } <= paths
        assert schema["components"]["securitySchemes"]["CustomerAPIKey"] == {
            "type": "http",
            "scheme": "basic",
            "description": "The customer's secret API key (sk_live_…) as the username, no password",
        }
        consumption = schema["paths"][
            "/v1/electricity-meter-points/{mpan}/meters/{serial_number}/consumption/"
        ]
        parameters = {p["name"] for p in consumption["get"]["parameters"]}
        assert {"period_from", "period_to", "page", "page_size", "order_by", "group_by"} <= parameters
