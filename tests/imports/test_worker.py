"""Async imports on a real Celery worker: chunks, progress, and a worker killed mid-import."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.utils import timezone

from accounts import models as account_models
from imports import models, operations, queries, tasks
from tests.celery_worker import purge_queues, running_worker, wait_for
from tests.imports import payloads

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
QUEUES = [settings.IMPORTS_QUEUE]
VISIBILITY_TIMEOUT_SECONDS = 3


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

    def test_loses_and_duplicates_nothing_when_the_worker_is_killed_mid_import(self, supplier, tmp_path):
        purge_queues(QUEUES)
        count = 40
        env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS)}
        with running_worker(queues=QUEUES, tmp_dir=tmp_path, extra_env=env) as worker:
            batch = start(supplier, count=count, chunk=count)
            wait_for(
                lambda: progress(batch) >= 3, timeout=60, interval=0.02, message="some accounts imported"
            )
            worker.kill()
        killed_at = progress(batch)
        time.sleep(VISIBILITY_TIMEOUT_SECONDS + 0.5)  # the unacknowledged chunk becomes visible again

        with running_worker(queues=QUEUES, tmp_dir=tmp_path, extra_env=env):
            wait_for(lambda: progress(batch) == count, timeout=90, message="redelivered chunk to finish")

        batch.refresh_from_db()
        assert killed_at < count
        assert (batch.processed_count, batch.failed_count) == (count, 0)
        assert account_models.Account.objects.count() == count
        assert not models.AccountImportProcess.objects.filter(account__isnull=True).exists()
