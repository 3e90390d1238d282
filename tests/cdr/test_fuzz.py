"""Fuzzing the CDR door `/cds-au/v1/` (issue 13, item 7): hypothesis injects NUL characters, lone
surrogates, control characters, huge and negative numbers and impossible dates into the query
parameters, the account id and the headers of valid calls. Hostile text is always the standard's
4xx error list (with the x-fapi-interaction-id played back or minted); a number the standard allows
may also be a documented 200; never a 500, and nothing is written."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdr import models
from tests import fuzzing as F
from tests.cdr import factories
from tests.cdr.conftest import assert_valid

pytestmark = pytest.mark.django_db
LIST = "/cds-au/v1/energy/accounts"
QUERY = ("page", "page-size", "open-status")
NUMERIC_HEADERS = ("x-v", "x-min-v")
TEXT_HEADERS = ("x-fapi-interaction-id", "x-fapi-customer-ip-address", "x-cds-client-headers", "Accept")


@pytest.fixture(scope="module", autouse=True)
def _write_tally():
    yield
    F.write_tally()


@pytest.fixture
def caller(cds, customer):
    consent = factories.grant(customer=customer, accounts=[factories.au_account(customer=customer)])
    return cds(factories.token_for(consent))


def _encoded(text: str) -> str:
    return urllib.parse.quote(text.encode("utf-8", "surrogatepass"), safe="")


def _number(data) -> str:
    """A number as it travels in a URL or a header: beyond bigint, negative, or 5,000 digits long
    (more than Python converts to an int by default)."""
    return data.draw(
        st.one_of(
            F.huge_number().map(str),
            F.negative_number().map(str),
            st.sampled_from(["9" * 5000, "-" + "9" * 5000]),
        ),
        label="number",
    )


def _hostile_url_value(data, *, door: str) -> tuple[str, str]:
    """A hostile class (text or number) and a value of it as it travels in a URL."""
    kind = data.draw(st.sampled_from([*F.TEXT_CLASSES, F.HUGE_NUMBER, F.NEGATIVE_NUMBER]), label="class")
    F.tally(door, kind)
    if kind in (F.HUGE_NUMBER, F.NEGATIVE_NUMBER):
        return kind, _number(data)
    return kind, _encoded(data.draw(F.hostile_text(kind)))


def _assert_answered(response, *, must_refuse: bool) -> None:
    assert response.status_code < 500, response.content[:300]
    assert response["x-fapi-interaction-id"]
    if must_refuse or response.status_code >= 400:
        assert 400 <= response.status_code < 500, response.content[:300]
        assert_valid(response, schema="error")


def _rows() -> tuple[int, int]:
    return models.Consent.objects.count(), models.ServicePointIdentifier.objects.count()


class TestQueryParameters:
    @F.FUZZ_SETTINGS
    @given(data=st.data())
    def test_hostile_values_are_the_standards_4xx(self, caller, data):
        name = data.draw(st.sampled_from(QUERY), label="parameter")
        kind, value = _hostile_url_value(data, door="cdr query parameters")
        caller.get(LIST)  # servicePointIds assigned before the hostile call
        before = _rows()

        response = caller.get(f"{LIST}?{name}={value}")

        refused = kind != F.SURROGATE  # a broken UTF-8 query string arrives as U+FFFD
        _assert_answered(response, must_refuse=refused and (name != "open-status" or kind in F.TEXT_CLASSES))
        assert _rows() == before


class TestAccountId:
    @F.FUZZ_SETTINGS
    @given(data=st.data())
    def test_hostile_ids_are_an_invalid_energy_account(self, caller, data):
        _, value = _hostile_url_value(data, door="cdr account id")

        response = caller.get(f"{LIST}/{value}")

        _assert_answered(response, must_refuse=True)
        assert response.status_code == 404


class TestHeaders:
    @F.FUZZ_SETTINGS
    @given(data=st.data())
    def test_hostile_header_values_are_the_standards_4xx(self, caller, data):
        kind = data.draw(
            st.sampled_from([F.NUL, F.CONTROL, F.HUGE_NUMBER, F.NEGATIVE_NUMBER, F.IMPOSSIBLE_DATE]),
            label="class",
        )
        F.tally("cdr headers", kind)
        if kind == F.IMPOSSIBLE_DATE:
            name = "x-fapi-auth-date"
            day = data.draw(st.integers(29, 99))
            value = data.draw(
                st.sampled_from([f"Mon, {day} Feb 2026 10:00:00 GMT", "Thu, 12 Jun 2025 25:61:00 GMT"])
            )
        elif kind in (F.HUGE_NUMBER, F.NEGATIVE_NUMBER):
            name, value = data.draw(st.sampled_from(NUMERIC_HEADERS)), _number(data)
        else:
            name = data.draw(st.sampled_from((*TEXT_HEADERS, *NUMERIC_HEADERS, "x-fapi-auth-date")))
            value = data.draw(F.hostile_text(kind))

        response = caller.get(LIST, **{name: value})

        # A huge x-min-v (at least x-v) counts as absent, as the standard says: a documented 200.
        _assert_answered(response, must_refuse=not (name == "x-min-v" and not value.startswith("-")))
