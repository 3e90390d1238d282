"""Hostile input at the imports door, case by case (the fuzz tests in test_fuzz.py try the same
classes at random places): every one is a 4xx in the endpoint's documented envelope with a rule-style
code at the offending attr, never a 500, never the database's text, and nothing is written."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from accounts import models as account_models
from imports import models
from tests.accounts.factories import UserFactory
from tests.imports import payloads
from tests.imports.conftest import jwt_client

V1 = "/v1/data-import"
V2 = "/v2/data-import/accounts"
STAGE = f"{V1}/account-import-process/create-or-update/"
PROCESS = {
    "import_supplier_code": "EDF",
    "external_account_number": "EXT-0001",
    "operations_team_name": "Migration",
}
TEXT = {
    "null_characters_not_allowed": "Bob\x00",
    "surrogate_characters_not_allowed": "Bob\ud800",
    "control_characters_not_allowed": "Bob\x07",
}


def send(client, path: str, body) -> object:
    """POST `body` as JSON with non-ASCII escaped, as a client in any language can send it (a lone
    surrogate only exists escaped)."""
    return client.post(path, data=json.dumps(body), content_type="application/json")


def point(payload: dict, index: int = 0) -> dict:
    return payload["supply_addresses"][0]["meter_points"][index]


def nothing_written() -> bool:
    return not models.AccountImportProcess.objects.exists() and not account_models.Account.objects.exists()


class TestTextNoColumnHolds:
    @pytest.mark.parametrize("code, value", TEXT.items())
    @pytest.mark.parametrize("field", ["billing_name", "external_account_number"])
    def test_is_refused_at_its_attr_by_every_v1_door(self, api, code, value, field):
        payload = payloads.gb_account(**{field: value})

        validated = send(api, f"{V1}/validate-account/", payload)
        staged = send(api, STAGE, payload)

        for response in (validated, staged):
            assert response.status_code == 400
            assert response.json()[field][0].startswith(f"{code}: ")
        assert nothing_written()

    @pytest.mark.parametrize("code, value", TEXT.items())
    def test_is_refused_by_v2_validate_in_the_standardized_envelope(self, api, code, value):
        payload = payloads.gb_account()
        payload["customers"][0]["given_name"] = value

        body = send(api, f"{V2}/validate/", {"payload": payload}).json()

        assert body["errors"] == [
            {"attr": "payload.customers.0.given_name", "code": code, "detail": body["errors"][0]["detail"]}
        ]
        assert set(body) == {"code", "detail", "errors"}

    def test_is_refused_by_v2_schedule_field_keyed_and_nothing_is_staged(self, api):
        payload = payloads.gb_account(external_account_number="EXT\x00")

        response = api.post(f"{V2}/", {"payload": payload, "task_params": {}}, format="json")

        assert response.status_code == 400
        assert response.json()["payload"]["external_account_number"][0].startswith(
            "null_characters_not_allowed"
        )
        assert nothing_written()

    def test_in_a_supplier_code_is_refused_before_the_supplier_is_looked_up(self, api):
        for body in (
            payloads.gb_account(import_supplier="EDF\x00"),
            {**PROCESS, "import_supplier_code": "\ud800"},
        ):
            path = STAGE if "import_supplier" in body else f"{V1}/account-import-process/process/"

            response = send(api, path, body)

            assert response.status_code == 400
        assert nothing_written()

    def test_in_a_key_is_refused_without_echoing_the_key(self, api):
        payload = payloads.gb_account()
        payload["metadata"] = [{"key": "k", "value": "v", "bad\x00": 1}]

        response = api.post(STAGE, payload, format="json")

        assert response.status_code == 400
        assert response.json() == {
            "metadata": {
                "0": {"bad\ufffd": ["null_characters_not_allowed: This value key contains a NUL character."]}
            }
        }

    def test_in_the_process_request_is_refused_for_a_staff_jwt_too(self, supplier):
        client = jwt_client(UserFactory(is_staff=True))

        response = client.post(
            f"{V1}/account-import-process/process/",
            {**PROCESS, "external_account_number": "A\x00"},
            format="json",
        )

        assert response.status_code == 400
        assert response.json()["external_account_number"][0].startswith("null_characters_not_allowed")

    @pytest.mark.parametrize(
        "path, body",
        [
            ("notes/create/", {"notes": [{"body": "hi\x00", "created_at": "2026-06-01T10:00:00Z"}]}),
            ("transactions/create/", {"transactions": [{"transaction_id": "\ud800"}]}),
            (
                "payment-instruction/create/",
                {"type": "DIRECT_DEBIT", "vendor": "STRIPE", "reference": "R\x01"},
            ),
            ("historical-statements/create/", {"statements": [{"statement_id": "S\x00"}]}),
        ],
    )
    def test_is_refused_by_the_post_import_doors(self, api, staged, path, body):
        response = send(
            api, f"{V1}/{path}", {"import_supplier": "EDF", "external_account_number": "EXT-0001", **body}
        )

        assert response.status_code == 400
        assert "_characters_not_allowed: " in json.dumps(response.json())
        assert not account_models.Account.objects.exists()


class TestUrlPartsNoRowHas:
    @pytest.mark.parametrize(
        "path, expected",
        [
            (f"{V2}/EDF/A%00B/", {"detail": "The requested resource was not found.", "code": "not_found"}),
            (f"{V2}/%ED%A0%80/X/", {"detail": "The requested resource was not found.", "code": "not_found"}),
            (f"{V1}/account-transfer-status/EDF/A%00B/", {"detail": "No account import process found."}),
            (
                f"{V1}/meterpoint-statuses-for-account/EDF/A%07/",
                {"error": "No meterpoints found for A\ufffd."},
            ),
        ],
    )
    def test_answer_the_documented_404(self, api, path, expected):
        response = api.get(path)

        assert response.status_code == 404
        assert response.json() == expected

    def test_answer_an_empty_list_as_for_any_unknown_supplier(self, api):
        response = api.get(f"{V1}/all-account-import-processes/ED%00F/")

        assert (response.status_code, response.json()) == (200, [])

    def test_answer_send_registration_flows_with_its_404(self, api):
        response = api.post(f"{V1}/send-registration-flows/EDF/A%00/")

        assert response.status_code == 404
        assert response.json()["external_account_number"] == "A\ufffd"


class TestQueryParameters:
    def test_with_text_no_column_holds_are_refused_at_their_name(self, api):
        response = api.get(f"{V1}/all-account-import-processes/EDF/", {"status": "ERRORED\x00"})

        assert response.status_code == 400
        assert response.json()["status"][0].startswith("null_characters_not_allowed")

    def test_with_an_offset_beyond_sql_answer_an_empty_page(self, api, staged):
        response = api.get(f"{V1}/all-account-import-processes/EDF/", {"offset": str(10**30)})

        assert (response.status_code, response.json()) == (200, [])


class TestNumbers:
    @pytest.mark.parametrize(
        "value, code",
        [
            (2**31, "max_value"),
            (32768, "max_value"),
            (-1, "min_value"),
            (2**70, "max_value"),
            (-(2**70), "min_value"),
        ],
    )
    def test_beyond_their_column_are_refused_at_validation_not_at_processing(self, api, value, code):
        payload = payloads.gb_account()
        point(payload)["profile_class"] = value

        validated = api.post(f"{V1}/validate-account/", payload, format="json")
        staged = api.post(STAGE, payload, format="json")

        for response in (validated, staged):
            assert response.status_code == 400
            assert response.json()["supply_addresses"]["0"]["meter_points"]["0"]["profile_class"][
                0
            ].startswith(code)
        assert nothing_written()

    @pytest.mark.parametrize(
        "value, code",
        [
            ("99999999999.99", "invalid_decimal"),
            ("-1" + "0" * 40, "invalid_decimal"),
            ("1e5", "invalid_decimal"),
            ("NaN", "invalid_decimal"),
            ("Infinity", "invalid_decimal"),
        ],
    )
    def test_amounts_are_plain_decimals_their_column_holds(self, api, value, code):
        response = api.post(
            f"{V1}/validate-account/", payloads.gb_account(transfer_balance=value), format="json"
        )

        assert response.status_code == 400
        assert response.json()["transfer_balance"][0].startswith(code)

    @pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity"])
    def test_nan_and_infinity_are_not_json(self, api, raw):
        body = '{"import_supplier": "EDF", "transfer_balance": ' + raw + "}"

        response = api.post(f"{V1}/validate-account/", data=body, content_type="application/json")

        assert (response.status_code, response.json()["code"]) == (400, "parse_error")

    def test_a_float_too_large_for_any_number_is_refused(self, api):
        body = json.dumps(payloads.gb_account()).replace('"profile_class": 1', '"profile_class": 1e400')

        response = api.post(f"{V1}/validate-account/", data=body, content_type="application/json")

        assert response.status_code == 400
        assert "not_a_finite_number" in json.dumps(response.json())


class TestDates:
    @pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "0000-01-01", "20260101", "2026-1-1"])
    def test_impossible_dates_are_refused_at_their_attr(self, api, value):
        payload = payloads.gb_account()
        point(payload)["supply_start_date"] = value

        response = api.post(f"{V1}/validate-account/", payload, format="json")

        assert response.status_code == 400
        failures = response.json()["supply_addresses"]["0"]["meter_points"]["0"]["supply_start_date"]
        assert failures[0].startswith("invalid_date: ")

    @pytest.mark.parametrize(
        "value", ["2026-02-30T10:00:00Z", "2026-06-01T25:00:00Z", "yesterday", "2026-06-01"]
    )
    def test_impossible_instants_are_refused_at_their_attr(self, api, staged, value):
        response = api.post(
            f"{V1}/notes/create/",
            {
                "import_supplier": "EDF",
                "external_account_number": "EXT-0001",
                "notes": [{"body": "x", "created_at": value}],
            },
            format="json",
        )

        assert response.status_code == 400
        assert response.json()["notes"]["0"]["created_at"][0].startswith("invalid_datetime: ")


class TestDeepNesting:
    def test_is_refused_at_the_depth_it_starts(self, api):
        deep: dict = {}
        node = deep
        for _ in range(60):
            node["a"] = {}
            node = node["a"]
        payload = payloads.gb_account(metadata=[{"key": "k", "value": deep}])

        response = api.post(STAGE, payload, format="json")

        assert response.status_code == 400
        assert "nested_too_deeply: " in json.dumps(response.json())
        assert nothing_written()


class TestV2Envelopes:
    def test_parse_errors_carry_errors(self, api):
        body = api.post(f"{V2}/validate/", data="{nope", content_type="application/json").json()

        assert body["code"] == "parse_error"
        assert body["errors"] == [
            {"attr": "non_field_errors", "code": "parse_error", "detail": body["detail"]}
        ]

    def test_unsupported_media_types_carry_errors(self, api):
        response = api.post(f"{V2}/", data="x", content_type="text/plain")

        assert response.status_code == 415
        assert response.json()["errors"][0]["code"] == "unsupported_media_type"

    def test_too_large_bodies_carry_errors(self, api):
        response = api.post(
            f"{V2}/validate/",
            data=json.dumps({"payload": {"x": "y" * 3_000_000}}),
            content_type="application/json",
        )

        assert response.status_code == 413
        assert response.json()["errors"][0]["code"] == "request_too_large"

    def test_missing_credentials_carry_errors(self, supplier):
        response = APIClient().post(f"{V2}/validate/", {"payload": {}}, format="json")

        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == "not_authenticated"

    @pytest.mark.parametrize(
        "params, attr, code",
        [
            ({"is_dry_run": "x"}, "is_dry_run", "invalid"),
            ({"schedule_window_start": "nope"}, "schedule_window_start", "invalid_datetime"),
            ({"surprise": 1}, "surprise", "unknown_field"),
        ],
    )
    def test_bad_task_parameters_get_their_own_codes(self, api, params, attr, code):
        response = api.post(
            f"{V2}/", {"payload": payloads.gb_account(), "task_params": params}, format="json"
        )

        assert response.status_code == 400
        assert response.json()["task_params"][attr][0].startswith(f"{code}: ")
        assert nothing_written()

    def test_task_parameters_that_are_not_an_object_are_invalid_not_missing(self, api):
        response = api.post(f"{V2}/", {"payload": payloads.gb_account(), "task_params": []}, format="json")

        assert response.json() == {"task_params": ["invalid: Expected an object."]}


class TestMeterPointSchemaErrors:
    @pytest.mark.parametrize(
        "change, attr, code",
        [
            ({"agreements": "x"}, "agreements", "invalid"),
            ({"supply_type": None}, "supply_type", "required"),
            ({"supply_type": "WATER"}, "supply_type", "invalid_choice"),
            ({"profile_class": "one"}, "profile_class", "invalid"),
            ({"shipper_mpid": "BGS"}, "shipper_mpid", "unknown_field"),
        ],
    )
    def test_report_the_real_field_and_code(self, api, change, attr, code):
        payload = payloads.gb_account()
        point(payload).update(change)

        body = api.post(f"{V2}/validate/", {"payload": payload}, format="json").json()

        expected = f"payload.supply_addresses.0.meter_points.0.{attr}"
        assert (expected, code) in {(e["attr"], e["code"]) for e in body["errors"]}, body
        assert all("{" not in e["detail"] for e in body["errors"])
