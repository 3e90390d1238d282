"""v2 endpoints: validate (standardized envelope), schedule (task window rules), status."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from imports import models, operations
from tests.imports import payloads

V2 = "/v2/data-import/accounts"


def window(**changes):
    now = timezone.now()
    params = {
        "is_dry_run": False,
        "schedule_window_start": (now + timedelta(minutes=5)).isoformat(),
        "schedule_window_end": (now + timedelta(days=1)).isoformat(),
    }
    params.update(changes)
    return params


class TestValidate:
    def test_accepts_a_valid_payload_with_an_empty_200(self, api):
        response = api.post(f"{V2}/validate/", {"payload": payloads.gb_account()}, format="json")

        assert response.status_code == 200
        assert response.content == b""

    def test_reports_every_failure_in_the_standardized_envelope(self, api):
        payload = payloads.gb_account(is_managed=True)
        payload["customers"][0]["mobile"] = "12"

        body = api.post(f"{V2}/validate/", {"payload": payload}, format="json").json()

        assert set(body) == {"code", "detail", "errors"}
        assert [(e["attr"], e["code"]) for e in body["errors"]] == [
            ("payload.customers.0.mobile", "invalid_phone_number"),
            ("payload.non_field_errors", "managed_accounts_are_not_allowed"),
        ]

    def test_requires_the_payload(self, api):
        body = api.post(f"{V2}/validate/", {}, format="json").json()

        assert body["errors"] == [
            {"attr": "payload", "code": "required", "detail": "This field is required."}
        ]


class TestSchedule:
    def test_stages_the_import_and_queues_it_after_commit(self, api, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = api.post(
                f"{V2}/", {"payload": payloads.gb_account(), "task_params": window()}, format="json"
            )

        process = models.AccountImportProcess.objects.get()
        assert response.status_code == 201
        assert len(callbacks) == 1
        assert (process.status, process.latest_event["event"]) == (
            "PENDING",
            "EVENT_ACCOUNT_IMPORT_PROCESS_CREATED",
        )

    def test_refuses_a_window_starting_in_the_past(self, api):
        start = (timezone.now() - timedelta(hours=1)).isoformat()

        response = api.post(
            f"{V2}/",
            {"payload": payloads.gb_account(), "task_params": window(schedule_window_start=start)},
            format="json",
        )

        assert response.status_code == 400
        assert response.json()["task_params"]["schedule_window_start"][0].startswith(
            "schedule_window_start_in_past"
        )

    def test_refuses_a_window_ending_more_than_four_days_ahead(self, api):
        end = (timezone.now() + timedelta(days=5)).isoformat()

        response = api.post(
            f"{V2}/",
            {"payload": payloads.gb_account(), "task_params": window(schedule_window_end=end)},
            format="json",
        )

        assert response.json()["task_params"]["schedule_window_end"][0].startswith(
            "schedule_window_end_too_far_in_future"
        )

    def test_refuses_a_window_starting_after_it_ends(self, api):
        params = window(
            schedule_window_start=(timezone.now() + timedelta(days=2)).isoformat(),
            schedule_window_end=(timezone.now() + timedelta(days=1)).isoformat(),
        )

        response = api.post(
            f"{V2}/", {"payload": payloads.gb_account(), "task_params": params}, format="json"
        )

        assert response.json()["task_params"]["non_field_errors"][0].startswith(
            "schedule_window_start__after_end"
        )

    def test_refuses_an_invalid_payload_with_the_documented_body(self, api):
        response = api.post(
            f"{V2}/",
            {"payload": payloads.gb_account(is_managed=True), "task_params": window()},
            format="json",
        )

        assert response.status_code == 400
        assert response.json() == {
            "code": "import_process_failed_validation",
            "detail": "The payload failed validation. Please validate the import process with the validate endpoint.",
            "domain": "import_process",
        }
        assert not models.AccountImportProcess.objects.exists()

    def test_refuses_an_imported_account_with_its_account_id(self, api, supplier):
        api.post(f"{V2}/", {"payload": payloads.gb_account(), "task_params": window()}, format="json")
        process = operations.run_account_import(
            process_id=models.AccountImportProcess.objects.get().pk, now=timezone.now()
        )

        response = api.post(
            f"{V2}/", {"payload": payloads.gb_account(), "task_params": window()}, format="json"
        )

        assert response.json() == {
            "non_field_errors": {
                "detail": "The account import process with the account number EXT-0001 has already been imported.",
                "code": "account_import_process_already_imported",
            },
            "account_id": process.account.number,
        }


class TestStatus:
    def test_follows_the_import_from_pending_to_processed(self, api):
        api.post(f"{V2}/", {"payload": payloads.gb_account(), "task_params": window()}, format="json")
        pending = api.get(f"{V2}/EDF/EXT-0001/").json()
        operations.run_account_import(
            process_id=models.AccountImportProcess.objects.get().pk, now=timezone.now()
        )

        processed = api.get(f"{V2}/EDF/EXT-0001/").json()

        assert (pending["status"], pending["kraken_identifier"], pending["latest_error"]) == (
            "PENDING",
            None,
            None,
        )
        assert processed["status"] == "PROCESSED"
        assert processed["kraken_identifier"].startswith("A-")
        assert processed["latest_event"]["event"] == "EVENT_ACCOUNT_IMPORT_PROCESS_PROCESSED"

    def test_reports_a_dry_run_success_without_an_account(self, api):
        api.post(
            f"{V2}/",
            {"payload": payloads.gb_account(), "task_params": window(is_dry_run=True)},
            format="json",
        )
        operations.run_account_import(
            process_id=models.AccountImportProcess.objects.get().pk, now=timezone.now()
        )

        body = api.get(f"{V2}/EDF/EXT-0001/").json()

        assert (body["status"], body["kraken_identifier"]) == ("DRY_RUN_SUCCEEDED", None)

    def test_reports_the_latest_error_when_the_payload_became_invalid(self, api, tariffs):
        api.post(f"{V2}/", {"payload": payloads.gb_account(), "task_params": window()}, format="json")
        tariffs[0].delete()
        operations.run_account_import(
            process_id=models.AccountImportProcess.objects.get().pk, now=timezone.now()
        )

        body = api.get(f"{V2}/EDF/EXT-0001/").json()

        assert body["status"] == "ERRORED"
        assert body["latest_error"]["code"] == "tariff_code_not_found"
        assert body["latest_event"]["event"] == "EVENT_ACCOUNT_IMPORT_PROCESS_ERRORED"

    def test_is_404_with_the_documented_body(self, api):
        response = api.get(f"{V2}/EDF/NOPE/")

        assert response.status_code == 404
        assert response.json() == {"detail": "The requested resource was not found.", "code": "not_found"}
