"""Fuzzing the imports door (issue 13, item 7): hypothesis injects NUL characters, lone surrogates,
control characters, huge and negative numbers, impossible dates and deep nesting into valid requests
of every imports endpoint (bodies, keys, URL parts, query parameters). Every answer is a 4xx in the
endpoint's documented envelope, never a 500 nor the database's text, and no row is written. Example
counts are bounded (tests/fuzzing.py) to keep `make test` fast; what was sent is tallied per door."""

from __future__ import annotations

import copy
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts import models as account_models
from billing import models as billing_models
from imports import models
from tests import fuzzing as F
from tests.imports import payloads

V1 = "/v1/data-import"
V2 = "/v2/data-import/accounts"
PROCESS = {
    "import_supplier_code": "EDF",
    "external_account_number": "EXT-0001",
    "operations_team_name": "Migration",
}
KEYS = {"import_supplier": "EDF", "external_account_number": "EXT-0001"}
# The integers of the reference payload that a column bounds (a negative one is refused there).
BOUNDED_INTEGERS = {"profile_class", "number_of_digits"}
CLASSES = (*F.TEXT_CLASSES, F.HUGE_NUMBER, F.NEGATIVE_NUMBER, F.IMPOSSIBLE_DATE, F.DEEP_NESTING)


@pytest.fixture(scope="module", autouse=True)
def _write_tally():
    yield
    F.write_tally()


def _reachable(document, kind: str) -> list[tuple]:
    """The places of `document` a hostile value of `kind` is refused at, whatever the field."""
    places = []
    for path, value in F.paths(document):
        leaf = not isinstance(value, dict | list)
        if kind in F.TEXT_CLASSES or kind in (F.HUGE_NUMBER, F.DEEP_NESTING):
            places.append(path)
        elif kind == F.NEGATIVE_NUMBER and leaf and (isinstance(value, str) or path[-1] in BOUNDED_INTEGERS):
            places.append(path)
        elif kind == F.IMPOSSIBLE_DATE and isinstance(value, str) and _is_date_like(value):
            places.append(path)
    return places


def _is_date_like(value: str) -> bool:
    return len(value) >= 10 and value[4] == "-" and value[7] == "-" and value[:4].isdigit()


def _value(data, kind: str, current):
    if kind in F.TEXT_CLASSES:
        return data.draw(F.hostile_text(kind))
    if kind == F.HUGE_NUMBER:
        return data.draw(F.huge_number().filter(lambda n: abs(n) >= 2**63))
    if kind == F.NEGATIVE_NUMBER:
        return data.draw(F.negative_number())
    if kind == F.IMPOSSIBLE_DATE:
        return data.draw(F.impossible_instant() if "T" in current else F.impossible_date())
    return data.draw(F.deep_nesting())


def inject(data, document: dict, *, door: str) -> dict:
    """`document` with one hostile value (or hostile key) drawn and put in a place it is refused."""
    kind = data.draw(st.sampled_from([k for k in CLASSES if _reachable(document, k)]), label="class")
    F.tally(door, kind)
    hostile = copy.deepcopy(document)
    path = data.draw(st.sampled_from(_reachable(document, kind)), label="path")
    parent = hostile
    for part in path[:-1]:
        parent = parent[part]
    if kind in F.TEXT_CLASSES and isinstance(path[-1], str) and data.draw(st.booleans(), label="in a key"):
        parent[data.draw(F.hostile_text(kind))] = parent.pop(path[-1])
    else:
        parent[path[-1]] = _value(data, kind, parent[path[-1]])
    return hostile


def post(client, path: str, document) -> object:
    return client.post(path, data=F.to_json(document), content_type="application/json")


def written() -> dict:
    """Row counts of what an import request may write."""
    return {
        model.__name__: model.objects.count()
        for model in (
            models.AccountImportProcess,
            account_models.Account,
            account_models.AccountNote,
            account_models.LedgerEntry,
            account_models.PaymentMethod,
            billing_models.Bill,
            models.RegistrationFlow,
        )
    }


def assert_drf_error(response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    body = response.json()
    assert isinstance(body, dict) and body
    assert all(isinstance(value, dict | list | str) for value in body.values())


def assert_standardized_error(response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"code", "detail", "errors"}
    assert body["errors"] and all(set(error) == {"attr", "code", "detail"} for error in body["errors"])


def assert_clean(response) -> None:
    """Never the database's text (a raw PostgreSQL error names the relation or the value)."""
    text = response.content.decode(errors="replace")
    assert "violates" not in text and "relation " not in text and "psycopg" not in text


@pytest.fixture
def imported(api, staged):
    response = api.post(f"{V1}/account-import-process/process/", PROCESS, format="json")
    assert response.status_code == 201
    return response


POST_IMPORT = {
    "notes/create/": {
        **KEYS,
        "notes": [{"body": "Called about a bill", "created_at": "2026-06-01T10:00:00Z"}],
    },
    "transactions/create/": {
        **KEYS,
        "transactions": [
            {
                "type": "PAYMENT",
                "transaction_id": "P-1",
                "amount": "12.34",
                "reason": "GENERAL_CREDIT",
                "transaction_date": "2026-06-02",
            }
        ],
    },
    "payment-instruction/create/": {**KEYS, "type": "DIRECT_DEBIT", "vendor": "STRIPE", "reference": "R-99"},
    "historical-statements/create/": {
        **KEYS,
        "statements": [
            {
                "bill_period_from_date": "2022-01-01",
                "bill_period_to_date": "2022-01-31",
                "statement_id": "1",
                "issued_date": "2022-02-02",
                "gross_amount": 100,
                "statement_path": "statements/2024/01.pdf",
            }
        ],
    },
}


class TestAccountDoors:
    @pytest.mark.parametrize("path", ["validate-account/", "account-import-process/create-or-update/"])
    @F.FUZZ_SETTINGS
    @given(data=st.data())
    def test_v1_refuse_hostile_payloads_field_keyed_and_write_nothing(self, api, path, data):
        before = written()

        response = post(api, f"{V1}/{path}", inject(data, payloads.gb_account(), door=f"v1 {path}"))

        assert_drf_error(response)
        assert_clean(response)
        assert written() == before

    @F.FUZZ_SETTINGS
    @given(data=st.data())
    def test_v1_process_refuses_hostile_requests_and_creates_nothing(self, api, staged, data):
        before = written()

        response = post(
            api, f"{V1}/account-import-process/process/", inject(data, PROCESS, door="v1 process")
        )

        assert_drf_error(response)
        assert_clean(response)
        assert written() == before

    @F.FUZZ_SETTINGS
    @given(data=st.data())
    def test_v2_validate_refuses_hostile_payloads_in_the_standardized_envelope(self, api, data):
        body = inject(data, {"payload": payloads.gb_account()}, door="v2 validate")

        response = post(api, f"{V2}/validate/", body)

        assert_standardized_error(response)
        assert_clean(response)

    @F.FUZZ_SETTINGS
    @given(data=st.data())
    def test_v2_schedule_refuses_hostile_requests_and_stages_nothing(self, api, data):
        before = written()
        body = inject(
            data, {"payload": payloads.gb_account(), "task_params": {"is_dry_run": False}}, door="v2 schedule"
        )

        response = post(api, f"{V2}/", body)

        assert_drf_error(response)
        assert_clean(response)
        assert written() == before


class TestPostImportDoors:
    @pytest.mark.parametrize("path", sorted(POST_IMPORT))
    @F.FUZZ_SETTINGS
    @given(data=st.data())
    def test_refuse_hostile_requests_and_write_nothing(self, api, imported, path, data):
        before = written()

        response = post(api, f"{V1}/{path}", inject(data, POST_IMPORT[path], door=f"v1 {path}"))

        assert_drf_error(response)
        assert_clean(response)
        assert written() == before


def _url_part(kind: str) -> st.SearchStrategy[str]:
    """A URL path segment carrying a hostile character, percent-encoded as a client sends it (a lone
    surrogate as the bytes UTF-8 would give it, which no valid UTF-8 holds)."""

    def encode(text: str) -> str:
        return urllib.parse.quote(text.encode("utf-8", "surrogatepass"), safe="")

    return F.hostile_text(kind).map(encode)


URL_DOORS = {
    "v2 status": ("GET", V2 + "/{a}/{b}/", 404, {"detail", "code"}),
    "v1 transfer status": ("GET", V1 + "/account-transfer-status/{a}/{b}/", 404, {"detail"}),
    "v1 meter point statuses": ("GET", V1 + "/meterpoint-statuses-for-account/{a}/{b}/", 404, {"error"}),
    "v1 send registration flows": (
        "POST",
        V1 + "/send-registration-flows/{a}/{b}/",
        404,
        {"external_account_number", "import_supplier_code", "error_detail"},
    ),
}


class TestUrlParts:
    @pytest.mark.parametrize("door", sorted(URL_DOORS))
    @F.FUZZ_SETTINGS
    @given(data=st.data())
    def test_no_row_can_have_answer_the_documented_404(self, api, imported, door, data):
        method, template, status, keys = URL_DOORS[door]
        kind = data.draw(st.sampled_from(F.TEXT_CLASSES))
        F.tally(door, kind)
        hostile = data.draw(_url_part(kind))
        supplier, number = data.draw(
            st.sampled_from([(hostile, "EXT-0001"), ("EDF", hostile), (hostile, hostile)])
        )
        before = written()

        response = getattr(api, method.lower())(template.format(a=supplier, b=number))

        assert response.status_code == status, response.content[:300]
        assert set(response.json()) == keys
        assert written() == before

    @F.FUZZ_SETTINGS
    @given(data=st.data())
    def test_lists_answer_hostile_query_parameters_with_400_and_hostile_codes_with_nothing(
        self, api, imported, data
    ):
        kind = data.draw(st.sampled_from(F.TEXT_CLASSES))
        F.tally("v1 lists", kind)
        name = data.draw(st.sampled_from(["status", "created_after", "limit", "offset", "other"]))
        value = data.draw(_url_part(kind))

        in_query = api.get(f"{V1}/all-account-import-processes/EDF/?{name}={value}")
        in_path = api.get(f"{V1}/pending-account-import-processes/{value}/")

        if kind == F.SURROGATE:
            # Django decodes a query string's broken UTF-8 as U+FFFD, which can be stored: a value
            # like any other (a bad filter is still a 400).
            assert in_query.status_code in (200, 400)
        else:
            assert in_query.status_code == 400 and name in in_query.json()
        assert (in_path.status_code, in_path.json()) == (200, [])
