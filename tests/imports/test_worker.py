"""Async imports on a real Celery worker: chunks, progress, and a whole worker killed mid-import
(its work resumed by the beat lease sweep, not by the broker's visibility timeout)."""

from __future__ import annotations

import importlib
import time

import pytest
import redis
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from accounts import models as account_models
from imports import models, operations, queries, tasks
from metering import models as metering_models
from tests.celery_worker import purge_queues, running_beat, running_worker, sweep_as_leases_run_out, wait_for
from tests.imports import payloads

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
QUEUES = [settings.IMPORTS_QUEUE]
SWEEP_MIGRATION = importlib.import_module("imports.migrations.0007_lease_sweep_schedule")


def start(supplier, count: int, chunk: int):
    batch = operations.start_batch(
        supplier=supplier, payloads=[payloads.numbered(i) for i in range(count)], now=timezone.now()
    )
    ids = queries.batch_process_ids(batch=batch)
    for first in range(0, len(ids), chunk):
        tasks.run_batch_chunk.apply_async(
            kwargs={"batch_id": batch.pk, "process_ids": ids[first : first + chunk]}
        )
    return batch


def progress(batch):
    batch.refresh_from_db()
    return batch.processed_count + batch.failed_count


class TestBatchOnWorker:
    def test_imports_every_account_in_chunks_and_finishes_the_batch(self, supplier, tmp_path):
        purge_queues(QUEUES)
        with running_worker(queues=QUEUES, tmp_dir=tmp_path):
            batch = start(supplier, count=12, chunk=5)

            wait_for(lambda: progress(batch) == 12, timeout=60, message="batch to finish")
            wait_for(
                lambda: models.ImportProcess.objects.get(pk=batch.pk).finished_at,
                timeout=30,
                message="finish",
            )

        batch.refresh_from_db()
        assert (batch.processed_count, batch.failed_count, batch.status) == (12, 0, "PROCESSED")
        assert account_models.Account.objects.count() == 12

    def test_finishes_a_batch_within_a_minute_of_its_worker_being_killed_through_the_lease_sweep(
        self, supplier, tmp_path
    ):
        # The whole worker (process group) is SIGKILLed mid-chunk. The broker keeps the chunk's
        # message unacknowledged for its visibility timeout (an hour, left as configured); the
        # rows the dead worker claimed are handed to the next worker by the beat sweep (every 30 s)
        # once their lease (10 s) runs out. The beat starts after the kill with the sweep due as
        # the lease runs out (`sweep_as_leases_run_out`): the schedule's luckiest moment; an unlucky one waits
        # up to an interval more, which the minute must leave room for.
        purge_queues(QUEUES)
        create_sweep_schedule()
        count = 40
        with running_worker(queues=QUEUES, tmp_dir=tmp_path) as worker:
            batch = start(supplier, count=count, chunk=count)
            wait_for(
                lambda: progress(batch) >= 3, timeout=60, interval=0.02, message="some accounts imported"
            )
            worker.kill()
        killed_at, imported_when_killed = time.monotonic(), progress(batch)
        sweep_as_leases_run_out(
            periodic_task=SWEEP_MIGRATION.SCHEDULE["name"], held=[models.AccountImportProcess.objects.all()]
        )
        with running_beat(tmp_dir=tmp_path), running_worker(queues=QUEUES, tmp_dir=tmp_path):
            wait_for(lambda: finished(batch), timeout=90, interval=0.1, message="the batch to finish")
        recovered_in = time.monotonic() - killed_at
        print(f"batch finished {recovered_in:.1f} s after the kill")  # noqa: T201

        batch.refresh_from_db()
        assert imported_when_killed < count
        assert recovered_in + SWEEP_MIGRATION.SCHEDULE["interval"]["every"] < 60
        assert (batch.status, batch.processed_count, batch.failed_count) == ("PROCESSED", count, 0)
        assert account_models.Account.objects.count() == count
        assert set(models.AccountImportProcess.objects.values_list("status", flat=True)) == {"PROCESSED"}
        assert metering_models.MeterPoint.objects.count() == 2 * count
        assert models.AccountImportProcess.objects.filter(attempts=2).exists()  # taken again after the kill
        assert unacknowledged_messages() == 1  # the broker never handed the lost chunk back
        purge_queues(QUEUES)


def finished(batch) -> bool:
    batch.refresh_from_db()
    return batch.finished_at is not None


def create_sweep_schedule() -> None:
    """The sweep's periodic task row, as migration 0007 creates it (a transactional test elsewhere
    flushes the tables, and the migrated row with them)."""
    SWEEP_MIGRATION.create_schedule(apps, None)


def unacknowledged_messages() -> int:
    client = redis.Redis.from_url(settings.REDIS_URL)
    return client.hlen(f"{settings.REDIS_KEY_PREFIX}unacked")
