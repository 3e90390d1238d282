"""Fuzzing the customer REST API v1 (issue 13, item 7): hypothesis injects NUL characters, lone
surrogates, control characters, huge and negative numbers and impossible dates into the path segments
(product and tariff codes, MPANs, MPRNs, serials, account numbers) and the query parameters of every
endpoint. Every answer is JSON in the API's documented shape (spec/REST.md): a parameter the endpoint
reads and cannot accept is a 400 keyed by its name, a page that cannot be is 404 "Invalid page.", a
path naming nothing is 404 {"detail"}, and a value the API documents as lenient (booleans, page_size,
unknown parameters) is a 200; never a 500, and nothing is written."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts import models as account_models
from metering import models as metering_models
from tests import fuzzing as F
from tests.kraken.test_rest_v1 import supply  # noqa: F401 - the endpoints' valid paths

pytestmark = pytest.mark.django_db
DATES = {"period_from", "period_to", "available_at", "tariffs_active_at"}
CHOICES = {"group_by", "order_by"}
TEXT = {"brand"}
# Read as given, an unreadable value as absent or as matching nothing (a postcode never a 400).
LENIENT = {"is_green", "is_variable", "is_business", "page_size", "postcode", "other"}
# The parameters each endpoint reads (the others it ignores, like any unknown parameter).
READS = {
    "products": {"page", "available_at", "brand", "is_green", "is_variable", "is_business"},
    "product": {"tariffs_active_at"},
    "standard rates": {"page", "page_size", "period_from", "period_to"},
    "standing": {"page", "page_size", "period_from", "period_to"},
    "gas rates": {"page", "page_size", "period_from", "period_to"},
    "consumption": {"page", "page_size", "period_from", "period_to", "group_by", "order_by"},
    "grid supply points": {"page", "postcode"},
    "meter point": set(),
    "account": set(),
}
QUERY_CLASSES = (*F.TEXT_CLASSES, F.HUGE_NUMBER, F.NEGATIVE_NUMBER, F.IMPOSSIBLE_DATE)


@pytest.fixture(scope="module", autouse=True)
def _write_tally():
    yield
    F.write_tally()


def _encoded(text: str) -> str:
    """As a client sends it: percent-encoded UTF-8 (a lone surrogate as the bytes UTF-8 would give it,
    which no valid UTF-8 holds)."""
    return urllib.parse.quote(text.encode("utf-8", "surrogatepass"), safe="")


def _hostile(data, kind: str) -> str:
    if kind in F.TEXT_CLASSES:
        return _encoded(data.draw(F.hostile_text(kind)))
    if kind == F.HUGE_NUMBER:
        return data.draw(st.one_of(F.huge_number().map(str), st.just("9" * 5000)))
    if kind == F.NEGATIVE_NUMBER:
        return str(data.draw(F.negative_number()))
    return data.draw(st.one_of(F.impossible_date(), F.impossible_instant().map(_encoded)))


def _with_parameter(path: str, name: str, value: str) -> str:
    base, _, query = path.partition("?")
    kept = [part for part in query.split("&") if part and not part.startswith(f"{name}=")]
    return f"{base}?{'&'.join([*kept, f'{name}={value}'])}"


def _rows() -> tuple[int, ...]:
    return (
        account_models.AuditEntry.objects.count(),
        account_models.APIKey.objects.count(),
        metering_models.IntervalReading.objects.count(),
    )


def assert_json(response) -> dict:
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"] == "application/json", response.content[:300]
    body = response.json()
    assert isinstance(body, dict)
    return body


def assert_not_found(response) -> None:
    body = assert_json(response)
    assert response.status_code == 404, body
    assert set(body) == {"detail"} and isinstance(body["detail"], str)


class TestQueryParameters:
    @F.FUZZ_SETTINGS
    @given(data=st.data())
    def test_a_hostile_value_is_refused_in_the_documented_shape_or_read_leniently(self, client, supply, data):  # noqa: F811
        endpoint = data.draw(st.sampled_from(sorted(READS)), label="endpoint")
        name = data.draw(st.sampled_from(sorted(READS[endpoint] | {"other"})), label="parameter")
        kind = data.draw(st.sampled_from(QUERY_CLASSES), label="class")
        F.tally(f"rest {endpoint} query", kind)
        before = _rows()

        response = client.get(
            _with_parameter(supply.paths[endpoint], name, _hostile(data, kind)), **supply.customer.auth
        )

        body = assert_json(response)
        # A broken UTF-8 query string arrives as U+FFFD, which is storable: a value like any other.
        storable = kind == F.SURROGATE or kind not in F.TEXT_CLASSES
        if name == "page":
            assert (response.status_code, body) == (404, {"detail": "Invalid page."})
        elif name in DATES | CHOICES or (name in TEXT and not storable):
            assert response.status_code == 400, body
            assert list(body) == [name] and all(isinstance(message, str) for message in body[name])
        elif name in TEXT:
            assert response.status_code in (200, 400), body
        else:
            assert name in LENIENT and response.status_code == 200, body
        assert _rows() == before


PATH_TEMPLATES = {
    "product": "/v1/products/{x}/",
    "tariff": "/v1/products/VAR-22-11-01/electricity-tariffs/{x}/standard-unit-rates/",
    "gas tariff": "/v1/products/VAR-22-11-01/gas-tariffs/{x}/standing-charges/",
    "mpan": "/v1/electricity-meter-points/{x}/",
    "consumption mpan": "/v1/electricity-meter-points/{x}/meters/S-1/consumption/",
    "consumption serial": "/v1/electricity-meter-points/{mpan}/meters/{x}/consumption/",
    "gas consumption mprn": "/v1/gas-meter-points/{x}/meters/S-1/consumption/",
    "account": "/v1/accounts/{x}/",
}


class TestPathSegments:
    @F.FUZZ_SETTINGS
    @given(data=st.data())
    def test_a_hostile_segment_names_nothing_and_is_a_json_404(self, client, supply, data):  # noqa: F811
        segment = data.draw(st.sampled_from(sorted(PATH_TEMPLATES)), label="segment")
        kind = data.draw(st.sampled_from([*F.TEXT_CLASSES, F.HUGE_NUMBER, F.NEGATIVE_NUMBER]), label="class")
        F.tally(f"rest {segment} path", kind)
        value = _hostile(data, kind)
        if kind in F.TEXT_CLASSES and data.draw(st.booleans(), label="valid around it"):
            value = "A-1" + value + "1"
        mpan = supply.paths["meter point"].rstrip("/").rsplit("/", 1)[-1]
        before = _rows()

        response = client.get(PATH_TEMPLATES[segment].format(x=value, mpan=mpan), **supply.customer.auth)

        if segment == "consumption serial" and kind not in F.TEXT_CLASSES:
            # A serial the customer's own meter point does not have: an empty page (spec/REST.md).
            assert (response.status_code, assert_json(response)["count"]) == (200, 0)
        else:
            assert_not_found(response)
        assert _rows() == before


class TestTextFilters:
    @pytest.mark.parametrize("value", ["a%00", "a%07b", "%1BOCTOPUS", "OCTO%7FPUS"])
    def test_unstorable_text_in_a_brand_is_a_400_at_the_parameter(self, client, value):
        response = client.get(f"/v1/products/?brand={value}")

        assert response.status_code == 400
        assert list(response.json()) == ["brand"]

    def test_an_unmatched_api_path_is_a_json_404_and_others_keep_django_s_page(self, client):
        api = client.get("/v1/products/%00/")
        elsewhere = client.get("/no-such-page/%00/")

        assert (api.status_code, api.json()) == (404, {"detail": "Not found."})
        assert elsewhere.status_code == 404 and elsewhere["Content-Type"].startswith("text/html")
