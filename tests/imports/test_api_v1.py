"""v1 endpoints through HTTP: validate, stage, process, status, lists; auth and malformed input."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import models as account_models
from billing import models as billing_models
from imports import models, operations, queries
from imports.operations import _validation
from metering import models as metering_models
from tests.accounts.factories import UserFactory
from tests.imports import payloads
from tests.imports.conftest import jwt_client
from tests.imports.factories import ImportSupplierFactory

V1 = "/v1/data-import"
PROCESS = {
    "import_supplier_code": "EDF",
    "external_account_number": "EXT-0001",
    "operations_team_name": "Migration",
}


def post(client, path, body, **kwargs):
    return client.post(f"{V1}/{path}", body, format="json", **kwargs)


class TestAuthentication:
    def test_refuses_a_request_without_credentials(self, supplier):
        response = APIClient().post(f"{V1}/validate-account/", payloads.gb_account(), format="json")

        assert response.status_code == 401
        assert response.json() == {
            "code": "not_authenticated",
            "detail": "Authentication credentials were not provided.",
        }

    def test_refuses_an_unknown_key(self, supplier):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token not-a-key")

        response = post(client, "validate-account/", payloads.gb_account())

        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"

    def test_refuses_a_revoked_key(self, api, api_key):
        operations.revoke_api_keys(api_keys=models.ImportApiKey.objects.all(), revoked_at=timezone.now())

        assert post(api, "validate-account/", payloads.gb_account()).status_code == 401

    def test_records_key_use_at_most_once_a_minute(self, api, api_key):
        post(api, "validate-account/", payloads.gb_account())
        first = models.ImportApiKey.objects.get().last_used_at
        post(api, "validate-account/", payloads.gb_account())

        assert first is not None
        assert models.ImportApiKey.objects.get().last_used_at == first

    def test_does_not_let_a_key_use_another_suppliers_code(self, api):
        ImportSupplierFactory(code="OTHER")

        response = post(api, "validate-account/", payloads.gb_account(import_supplier="OTHER"))

        assert response.status_code == 400
        assert response.json() == {
            "import_supplier": ["import_supplier_not_found: No import supplier with this code."]
        }

    def test_accepts_a_staff_kraken_jwt(self, supplier):
        client = jwt_client(UserFactory(is_staff=True))

        assert post(client, "validate-account/", payloads.gb_account()).status_code == 200

    def test_refuses_a_non_staff_jwt(self, supplier):
        client = jwt_client(UserFactory())

        response = post(client, "validate-account/", payloads.gb_account())

        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


class TestValidateAccount:
    def test_echoes_a_valid_payload(self, api):
        response = post(api, "validate-account/", payloads.gb_account())

        assert response.status_code == 200
        assert response.json()["external_account_number"] == "EXT-0001"

    def test_reports_every_failure_field_keyed_with_its_code(self, api):
        payload = payloads.gb_account(is_managed=True)
        payload["customers"][0]["mobile"] = "12"

        response = post(api, "validate-account/", payload)

        body = response.json()
        assert response.status_code == 400
        assert body["customers"]["0"]["mobile"][0].startswith("invalid_phone_number: ")
        assert [m.split(":")[0] for m in body["non_field_errors"]] == ["managed_accounts_are_not_allowed"]

    def test_refuses_an_account_already_imported(self, api, staged):
        processed = post(api, "account-import-process/process/", PROCESS)

        response = post(api, "validate-account/", payloads.gb_account())

        assert response.status_code == 400
        assert response.json() == {
            "external_account_number": "EXT-0001",
            "kraken_account_number": processed.json()["kraken_account_number"],
            "non_field_errors": [
                "The account import process with the account number EXT-0001 has already been imported."
            ],
        }


class TestCreateOrUpdate:
    def test_stages_with_201_then_restages_with_200(self, api, staged):
        again = post(
            api, "account-import-process/create-or-update/", payloads.gb_account(billing_name="Bob J")
        )

        assert staged.json() == {"external_account_number": "EXT-0001", "import_supplier_code": "EDF"}
        assert again.status_code == 200
        assert models.AccountImportProcess.objects.get().payload["billing_name"] == "Bob J"

    def test_refuses_while_the_migration_is_paused(self, api, supplier):
        supplier.migration_status = models.MigrationStatus.PAUSED
        supplier.save()

        response = post(api, "account-import-process/create-or-update/", payloads.gb_account())

        assert response.status_code == 400
        assert response.json()["non_field_errors"][0].startswith("import_supplier_migration_not_ongoing")
        assert not models.AccountImportProcess.objects.exists()

    def test_refuses_an_invalid_payload_and_writes_nothing(self, api):
        response = post(
            api, "account-import-process/create-or-update/", payloads.gb_account(transfer_balance="1.00")
        )

        assert response.status_code == 400
        assert "balance_mismatch_on_transfer_balance" in response.json()["non_field_errors"][0]
        assert not models.AccountImportProcess.objects.exists()


class TestProcess:
    def test_creates_the_account_with_everything_in_its_payload(self, api, staged):
        response = post(api, "account-import-process/process/", PROCESS)

        body = response.json()
        account = account_models.Account.objects.get(number=body["kraken_account_number"])
        assert response.status_code == 201
        assert body == {
            "external_account_number": "EXT-0001",
            "kraken_account_number": account.number,
            "account_number": account.number,
        }
        assert account.users.get().email == "bob@jablonski.co.uk"
        assert account.properties.get().address.postcode == "W1F 9DE"
        assert sorted(
            metering_models.MeterPoint.objects.filter(property__account=account).values_list(
                "identifier", flat=True
            )
        ) == ["1200060176720", "1234567890"]
        assert billing_models.Agreement.objects.filter(account=account).count() == 2
        assert account.payment_methods.get().vendor_reference == "MANDATE-0001"
        assert account_models.LedgerEntry.objects.filter(ledger__account=account).balance() == -1234
        assert models.AccountImportProcess.objects.get().status == models.ImportProcessStatus.PROCESSED

    def test_rolls_back_a_dry_run_and_says_so(self, api, staged):
        response = post(api, "account-import-process/process/", {**PROCESS, "dry_run": True})

        assert response.status_code == 400
        assert response.json() == {
            "detail": "Account would successfully import. Rolled back due to Dry Run.",
            "code": "400",
        }
        assert not account_models.Account.objects.exists()
        assert models.AccountImportProcess.objects.get().status == models.ImportProcessStatus.PENDING

    def test_returns_the_existing_account_when_posted_again(self, api, staged):
        body = PROCESS
        first = post(api, "account-import-process/process/", body)

        second = post(api, "account-import-process/process/", body)

        assert second.status_code == 400
        assert second.json()["kraken_account_number"] == first.json()["kraken_account_number"]
        assert account_models.Account.objects.count() == 1

    def test_refuses_an_unstaged_account(self, api):
        response = post(
            api, "account-import-process/process/", {**PROCESS, "external_account_number": "NOPE"}
        )

        assert response.status_code == 400
        assert response.json()["non_field_errors"][0].startswith("import_process_does_not_exist")

    def test_refuses_a_mandate_reference_another_account_holds_before_writing(self, api, staged, supplier):
        second = _second_account()
        post(api, "account-import-process/create-or-update/", second)
        post(api, "account-import-process/process/", PROCESS)

        response = post(
            api, "account-import-process/process/", {**PROCESS, "external_account_number": "EXT-0002"}
        )

        assert response.status_code == 400
        assert response.json()["payment_instructions"]["0"]["reference"][0].startswith(
            "payment_instruction_reference_already_in_use_on_another_account: "
        )
        assert account_models.Account.objects.count() == 1

    def test_writes_nothing_when_a_write_fails_midway(self, api, staged, supplier, monkeypatch):
        # As if a concurrent import took the mandate reference between validating and writing: the
        # database refuses it only after the account, users, properties and meter points were
        # written; all roll back, and the answer is the rule's code, never the database's text.
        post(api, "account-import-process/create-or-update/", _second_account())
        post(api, "account-import-process/process/", PROCESS)
        monkeypatch.setattr(_validation, "existing_lookup", lambda **kwargs: {_validation.EXISTING: True})

        response = post(
            api, "account-import-process/process/", {**PROCESS, "external_account_number": "EXT-0002"}
        )

        assert response.status_code == 400
        assert response.json() == {
            "non_field_errors": [
                "payment_instruction_reference_already_in_use_on_another_account: "
                "This payment instruction reference belongs to another account."
            ]
        }
        assert account_models.Account.objects.count() == 1
        assert not account_models.User.objects.filter(email="second@jablonski.co.uk").exists()
        assert not metering_models.MeterPoint.objects.filter(identifier__endswith="5").exists()
        assert models.AccountImportProcess.objects.get(external_account_number="EXT-0002").account is None

    def test_uses_the_same_number_of_queries_whatever_the_payload_size(self, api, supplier):
        small = payloads.gb_account(external_account_number="SMALL")
        large = payloads.gb_account(external_account_number="LARGE")
        large["customers"] += [
            dict(large["customers"][0], email=f"extra{i}@jablonski.co.uk") for i in range(4)
        ]
        for index, point in enumerate(small["supply_addresses"][0]["meter_points"]):
            point["identifier"] = payloads.another_identifier(point["identifier"], str(1 + index))
        small["payment_instructions"][0]["reference"] = "MANDATE-SMALL"
        large["supply_addresses"].append(copy.deepcopy(large["supply_addresses"][0]))
        large["supply_addresses"][1]["supply_postcode"] = "SW1A 1AA"
        for index, point in enumerate(large["supply_addresses"][1]["meter_points"]):
            point["identifier"] = payloads.another_identifier(point["identifier"], str(3 + index))
        catalogue = queries.build_catalogue()
        counts = []
        for payload in (small, large):
            staged = post(api, "account-import-process/create-or-update/", payload)
            assert staged.status_code == 201, staged.json()
            with CaptureQueriesContext(connection) as captured:
                operations.process_account(
                    supplier=supplier,
                    external_account_number=payload["external_account_number"],
                    now=timezone.now(),
                    catalogue=catalogue,
                )
            counts.append(len(captured))

        assert counts[0] == counts[1]
        assert counts[0] <= 30


class TestTransferStatus:
    def test_is_unknown_until_processed_then_completed(self, api, staged):
        path = f"{V1}/account-transfer-status/EDF/EXT-0001/"
        before = api.get(path).json()
        post(api, "account-import-process/process/", PROCESS)

        after = api.get(path).json()

        assert before == {"status": "UNKNOWN", "kraken_account_number": "", "account_number": ""}
        assert after["status"] == "COMPLETED" and after["kraken_account_number"].startswith("A-")

    def test_is_404_for_an_unknown_account(self, api, supplier):
        response = api.get(f"{V1}/account-transfer-status/EDF/NOPE/")

        assert response.status_code == 404
        assert response.json() == {"detail": "No account import process found."}


class TestProcessLists:
    def test_split_pending_and_imported_with_constant_queries(
        self, api, supplier, django_assert_max_num_queries
    ):
        for number in ("A1", "A2", "A3"):
            models.AccountImportProcess.objects.create(
                supplier=supplier, external_account_number=number, payload={}
            )

        with django_assert_max_num_queries(6):
            pending = api.get(f"{V1}/pending-account-import-processes/EDF/").json()
        imported = api.get(f"{V1}/imported-account-import-processes/EDF/").json()

        assert [p["external_account_number"] for p in pending] == ["A1", "A2", "A3"]
        assert pending[0] == {
            "external_account_number": "A1",
            "kraken_account_number": "",
            "account_created_at": None,
        }
        assert imported == []

    def test_filter_by_status_and_date_and_paginate(self, api, supplier):
        for number in ("A1", "A2", "A3"):
            models.AccountImportProcess.objects.create(
                supplier=supplier, external_account_number=number, payload={}
            )
        models.AccountImportProcess.objects.filter(external_account_number="A2").update(status="ERRORED")
        tomorrow = (timezone.now() + timedelta(days=1)).isoformat()

        errored = api.get(f"{V1}/all-account-import-processes/EDF/", {"status": "ERRORED"}).json()
        page = api.get(f"{V1}/all-account-import-processes/EDF/", {"limit": 1, "offset": 1}).json()
        future = api.get(f"{V1}/all-account-import-processes/EDF/", {"created_after": tomorrow}).json()

        assert [p["external_account_number"] for p in errored] == ["A2"]
        assert [p["external_account_number"] for p in page] == ["A2"]
        assert future == []


class TestMalformedRequests:
    def test_answers_malformed_json_with_a_parse_error(self, api):
        response = api.post(f"{V1}/validate-account/", data="{not json", content_type="application/json")

        assert response.status_code == 400
        assert response.json()["code"] == "parse_error"

    def test_answers_the_wrong_content_type_with_415(self, api):
        response = api.post(
            f"{V1}/validate-account/", data="a=b", content_type="application/x-www-form-urlencoded"
        )

        assert response.status_code == 415
        assert response.json()["code"] == "unsupported_media_type"

    def test_refuses_a_10_mb_body_and_writes_nothing(self, api):
        body = json.dumps(payloads.gb_account(billing_name="x" * 10_000_000))

        response = api.post(
            f"{V1}/account-import-process/create-or-update/", data=body, content_type="application/json"
        )

        assert response.status_code == 413
        assert response.json()["code"] == "request_too_large"
        assert not models.AccountImportProcess.objects.exists()

    def test_refuses_deeply_nested_junk(self, api):
        body = "[" * 100_000 + "]" * 100_000

        response = api.post(
            f"{V1}/account-import-process/create-or-update/", data=body, content_type="application/json"
        )

        assert response.status_code == 400
        assert not models.AccountImportProcess.objects.exists()

    def test_reports_unknown_fields(self, api):
        response = post(
            api, "account-import-process/create-or-update/", payloads.gb_account(favourite_colour="blue")
        )

        assert response.status_code == 400
        assert response.json()["favourite_colour"] == ["unknown_field: Unknown field."]
        assert not models.AccountImportProcess.objects.exists()

    def test_answers_a_json_array_with_a_field_keyed_error(self, api):
        response = post(api, "validate-account/", [1, 2])

        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["invalid: Expected a JSON object."]}


class TestProcessConcurrencyLimit:
    def test_answers_429_when_the_limit_is_reached(self, api, staged, settings):
        import redis

        from imports.api import throttle

        settings.IMPORTS_MAX_CONCURRENT_PROCESSES = 1
        client = redis.Redis.from_url(settings.REDIS_URL)
        client.delete(throttle.slot_key())
        client.incr(throttle.slot_key())  # another process call is running
        try:
            response = post(api, "account-import-process/process/", PROCESS)
        finally:
            client.delete(throttle.slot_key())

        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert not account_models.Account.objects.exists()

    def test_lets_calls_through_below_the_limit(self, api, staged, settings):
        settings.IMPORTS_MAX_CONCURRENT_PROCESSES = 2

        assert post(api, "account-import-process/process/", PROCESS).status_code == 201


def _second_account() -> dict:
    """Another account reusing the reference payload's mandate reference."""
    second = payloads.gb_account(external_account_number="EXT-0002")
    second["customers"][0]["email"] = "second@jablonski.co.uk"
    for point in second["supply_addresses"][0]["meter_points"]:
        point["identifier"] = payloads.another_identifier(point["identifier"], "5")
    return second
