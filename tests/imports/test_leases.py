"""Async import work recorded and recovered through the database: failures end ERRORED with a reason
(v2 status, admin, logs) and can be retried from admin and the API; work items carry leases, and the
beat sweep hands expired ones to another worker and gives up, saying why, after three lost workers.
(The same with a real worker SIGKILLed mid-batch: test_worker.py.)"""

from __future__ import annotations

import importlib
import logging
import threading
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import OperationalError, connection, transaction
from django.db.models.functions import Now
from django.utils import timezone
from django_celery_beat import models as beat_models

from accounts import models as account_models
from imports import models, operations, tasks
from imports.operations import _leases, _writer
from tests.imports import payloads

V2 = "/v2/data-import/accounts"
SWEEP_MIGRATION = importlib.import_module("imports.migrations.0007_lease_sweep_schedule")


def schedule(api, payload=None, **params):
    response = api.post(
        f"{V2}/", {"payload": payload or payloads.gb_account(), "task_params": params}, format="json"
    )
    assert response.status_code == 201, response.json()
    return models.AccountImportProcess.objects.get(
        external_account_number=(payload or {}).get("external_account_number", "EXT-0001")
    )


def crash(monkeypatch, error: Exception | None = None):
    def write_accounts(**kwargs):
        raise error or RuntimeError("boom")

    monkeypatch.setattr(_writer, "write_accounts", write_accounts)


def expire(*rows) -> None:
    models.AccountImportProcess.objects.filter(pk__in=[row.pk for row in rows]).update(
        lease_until=Now() - timedelta(seconds=1)
    )


class TestScheduledImports:
    def test_are_queued_with_a_lease(self, api):
        process = schedule(api)

        assert (process.status, process.claimed_by) == ("PENDING", "")
        assert process.lease_until > timezone.now() + timedelta(seconds=_leases.QUEUED_LEASE_SECONDS - 60)

    def test_release_their_lease_once_imported(self, api):
        process = schedule(api)

        operations.run_account_import(process_id=process.pk, now=timezone.now(), worker="w1")

        process.refresh_from_db()
        assert (process.status, process.claimed_by, process.lease_until, process.attempts) == (
            "PROCESSED",
            "",
            None,
            1,
        )


class TestACrashingImport:
    def test_is_recorded_errored_with_its_reason_and_logged(self, api, monkeypatch, caplog):
        process = schedule(api)
        crash(monkeypatch)

        with caplog.at_level(logging.ERROR):
            operations.run_account_import(process_id=process.pk, now=timezone.now(), worker="w1")

        status = api.get(f"{V2}/EDF/EXT-0001/").json()
        assert status["status"] == "ERRORED"
        assert status["latest_error"]["code"] == "unexpected_error"
        assert (
            "RuntimeError" in status["latest_error"]["detail"]
            and "boom" not in status["latest_error"]["detail"]
        )
        assert status["latest_event"]["event"] == "EVENT_ACCOUNT_IMPORT_PROCESS_ERRORED"
        assert "Unable to import account" in caplog.text
        process.refresh_from_db()
        assert (process.claimed_by, process.lease_until) == ("", None)
        assert not account_models.Account.objects.exists()

    def test_on_a_lost_database_connection_keeps_its_lease_for_the_sweep(self, api, monkeypatch):
        process = schedule(api)
        crash(monkeypatch, OperationalError("server closed the connection unexpectedly"))

        with pytest.raises(OperationalError):
            operations.run_account_import(process_id=process.pk, now=timezone.now(), worker="w1")

        process.refresh_from_db()
        assert (process.status, process.claimed_by) == ("IN_PROGRESS", "w1")
        assert process.lease_until is not None

    def test_in_a_batch_does_not_stop_the_others(self, supplier, monkeypatch):
        batch = operations.start_batch(
            supplier=supplier, payloads=[payloads.numbered(i) for i in range(3)], now=payloads.NOW
        )
        real = _writer.write_accounts

        def write_accounts(**kwargs):
            if kwargs["items"][0][0] == "EXT-0000001":
                raise KeyError("surprise")
            return real(**kwargs)

        monkeypatch.setattr(_writer, "write_accounts", write_accounts)

        batch = operations.run_batch_chunk(
            batch_id=batch.pk,
            process_ids=list(batch.account_imports.values_list("pk", flat=True)),
            now=timezone.now(),
        )

        assert (batch.status, batch.processed_count, batch.failed_count) == ("ERRORED", 2, 1)
        assert batch.errors == [
            {
                "external_account_number": "EXT-0000001",
                **models.AccountImportProcess.objects.get(external_account_number="EXT-0000001").latest_error,
            }
        ]


class TestRetrying:
    def test_from_the_api_is_scheduling_the_failed_import_again(self, api, monkeypatch):
        process = schedule(api)
        crash(monkeypatch)
        operations.run_account_import(process_id=process.pk, now=timezone.now(), worker="w1")
        monkeypatch.undo()

        schedule(api)
        operations.run_account_import(process_id=process.pk, now=timezone.now(), worker="w2")

        body = api.get(f"{V2}/EDF/EXT-0001/").json()
        assert (body["status"], body["latest_error"]) == ("PROCESSED", None)

    def test_from_admin_queues_the_selected_failed_imports(
        self, api, staff_client, monkeypatch, django_capture_on_commit_callbacks
    ):
        process = schedule(api)
        crash(monkeypatch)
        operations.run_account_import(process_id=process.pk, now=timezone.now(), worker="w1")
        sent = []
        monkeypatch.setattr(tasks.run_account_import, "apply_async", lambda **kw: sent.append(kw))

        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(
                "/admin/imports/accountimportprocess/",
                {"action": "retry_imports", "_selected_action": [process.pk]},
                follow=True,
            )

        process.refresh_from_db()
        assert "Queued 1 failed import(s) again." in response.content.decode()
        assert (process.status, process.latest_error, process.attempts) == ("PENDING", None, 0)
        assert sent == [{"kwargs": {"process_id": process.pk}}]

    def test_from_admin_reopens_a_batch_and_queues_its_failed_accounts(
        self, supplier, staff_client, monkeypatch, django_capture_on_commit_callbacks
    ):
        bad = payloads.numbered(2)
        bad["customers"][0]["mobile"] = "12"
        batch = operations.start_batch(
            supplier=supplier, payloads=[payloads.numbered(1), bad], now=payloads.NOW
        )
        ids = list(batch.account_imports.order_by("pk").values_list("pk", flat=True))
        batch = operations.run_batch_chunk(batch_id=batch.pk, process_ids=ids, now=timezone.now())
        assert (batch.status, batch.failed_count) == ("ERRORED", 1)
        sent = []
        monkeypatch.setattr(tasks.run_batch_chunk, "apply_async", lambda **kw: sent.append(kw))

        with django_capture_on_commit_callbacks(execute=True):
            staff_client.post(
                "/admin/imports/importprocess/",
                {"action": "retry_failed_imports", "_selected_action": [batch.pk]},
            )

        batch.refresh_from_db()
        assert (batch.status, batch.finished_at, batch.failed_count, batch.errors) == (
            "IN_PROGRESS",
            None,
            0,
            [],
        )
        assert sent == [{"kwargs": {"batch_id": batch.pk, "process_ids": [ids[1]]}}]

    def test_shows_each_imports_error_code_and_lease_in_admin(self, api, staff_client, monkeypatch):
        process = schedule(api)
        crash(monkeypatch)
        operations.run_account_import(process_id=process.pk, now=timezone.now(), worker="w1")

        page = staff_client.get("/admin/imports/accountimportprocess/").content.decode()

        assert "unexpected_error" in page


class TestClaims:
    def test_a_row_another_live_worker_holds_is_not_taken(self, api):
        process = schedule(api)
        assert _leases.claim(process_ids=[process.pk], worker="w1") == [process.pk]

        assert _leases.claim(process_ids=[process.pk], worker="w2") == []
        assert operations.run_account_import(
            process_id=process.pk, now=timezone.now(), worker="w2"
        ).status == ("IN_PROGRESS")

    def test_a_row_whose_lease_ran_out_is_taken_over(self, api):
        process = schedule(api)
        _leases.claim(process_ids=[process.pk], worker="w1")
        expire(process)

        assert _leases.claim(process_ids=[process.pk], worker="w2") == [process.pk]
        assert _leases.renew(process_ids=[process.pk], worker="w1") == set()


class TestTheSweep:
    def test_requeues_the_work_of_a_lost_worker(self, supplier, api):
        batch = operations.start_batch(
            supplier=supplier, payloads=[payloads.numbered(i) for i in range(3)], now=payloads.NOW
        )
        rows = list(batch.account_imports.order_by("pk"))
        single = schedule(api, payloads.numbered(9))
        _leases.claim(process_ids=[row.pk for row in rows] + [single.pk], worker="dead")
        expire(*rows[:2], single)

        requeued = operations.requeue_expired_work(now=timezone.now())

        assert requeued.chunks == ((batch.pk, (rows[0].pk, rows[1].pk)),)
        assert requeued.singles == (single.pk,)
        requeued_rows = models.AccountImportProcess.objects.filter(pk__in=[rows[0].pk, single.pk])
        assert {(r.status, r.claimed_by) for r in requeued_rows} == {("PENDING", "")}

    @pytest.mark.django_db(transaction=True)
    def test_skips_a_row_a_live_worker_is_writing(self, supplier):
        batch = operations.start_batch(supplier=supplier, payloads=[payloads.numbered(1)], now=payloads.NOW)
        row = batch.account_imports.get()
        _leases.claim(process_ids=[row.pk], worker="slow")
        expire(row)
        locked, release = threading.Event(), threading.Event()

        def write_slowly():  # a live worker inside process_account's transaction
            with transaction.atomic():
                models.AccountImportProcess.objects.select_for_update().get(pk=row.pk)
                locked.set()
                release.wait(10)
            connection.close()

        writer = threading.Thread(target=write_slowly)
        writer.start()
        locked.wait(10)
        try:
            requeued = operations.requeue_expired_work(now=timezone.now())
        finally:
            release.set()
            writer.join()

        assert not requeued
        row.refresh_from_db()
        assert row.claimed_by == "slow"

    def test_gives_up_after_three_lost_workers_saying_why(self, supplier):
        batch = operations.start_batch(supplier=supplier, payloads=[payloads.numbered(1)], now=payloads.NOW)
        row = batch.account_imports.get()
        for worker in ("w1", "w2", "w3"):
            _leases.claim(process_ids=[row.pk], worker=worker)
            expire(row)
            requeued = operations.requeue_expired_work(now=timezone.now())

        row.refresh_from_db()
        batch.refresh_from_db()
        assert requeued.abandoned == 1
        assert (row.status, row.latest_error["code"], row.lease_until) == (
            "ERRORED",
            "import_worker_lost",
            None,
        )
        assert (batch.status, batch.failed_count, batch.errors[0]["code"]) == (
            "ERRORED",
            1,
            "import_worker_lost",
        )

    def test_task_rings_the_bell_for_what_it_requeued(self, api, monkeypatch):
        process = schedule(api)
        _leases.claim(process_ids=[process.pk], worker="dead")
        expire(process)
        sent = []
        monkeypatch.setattr(tasks.run_account_import, "apply_async", lambda **kw: sent.append(kw))

        assert tasks.requeue_expired_leases() == 1
        assert sent == [{"kwargs": {"process_id": process.pk}}]

    def test_runs_every_30_seconds_on_the_tasks_own_queue(self, db):
        SWEEP_MIGRATION.create_schedule(apps, None)

        task = beat_models.PeriodicTask.objects.get(task="imports.requeue_expired_leases")

        assert (task.interval.every, task.interval.period) == (30, "seconds")
        assert task.queue is None and task.enabled


class TestStartingABatch:
    def test_records_a_payload_no_column_holds_as_errored_at_once(self, supplier):
        hostile = payloads.numbered(2)
        hostile["billing_name"] = "Bob\x00"

        batch = operations.start_batch(
            supplier=supplier,
            payloads=[payloads.numbered(1), hostile, "not an object", payloads.numbered(1)],
            now=payloads.NOW,
        )

        refused = models.AccountImportProcess.objects.get(external_account_number="EXT-0000002")
        assert (batch.total_count, batch.failed_count) == (2, 1)
        assert refused.status == "ERRORED"
        assert refused.latest_error["code"] == "null_characters_not_allowed"
        assert refused.payload["billing_name"] == "Bob\ufffd"
        assert [e["code"] for e in batch.errors] == [
            "invalid",
            "duplicate_in_batch",
            "null_characters_not_allowed",
        ]
