"""Celery doors for imports: each task loads by id and makes one domain call. Workers name
themselves on the rows they claim (`host:pid`), so a lost worker's work is recognisable."""

from __future__ import annotations

import os

from celery import shared_task
from django.conf import settings

from imports import operations
from kernel import clock


def _worker(task) -> str:
    """This worker process's name on the rows it claims."""
    return f"{task.request.hostname or 'local'}:{os.getpid()}"


@shared_task(name="imports.run_account_import", queue=settings.IMPORTS_QUEUE, acks_late=True, bind=True)
def run_account_import(self, *, process_id: int, **kwargs) -> str:
    return operations.run_account_import(process_id=process_id, now=clock.now(), worker=_worker(self)).status


@shared_task(name="imports.run_batch_chunk", queue=settings.IMPORTS_QUEUE, acks_late=True, bind=True)
def run_batch_chunk(self, *, batch_id: int, process_ids: list[int], **kwargs) -> str:
    return operations.run_batch_chunk(
        batch_id=batch_id, process_ids=process_ids, now=clock.now(), worker=_worker(self)
    ).status


@shared_task(name="imports.requeue_expired_leases", queue=settings.IMPORTS_QUEUE)
def requeue_expired_leases(**kwargs) -> int:
    """The beat sweep (every 30 s): hand the work of lost workers (and lost messages) to others."""
    requeued = operations.requeue_expired_work(now=clock.now())
    enqueue(requeued)
    return requeued.count


def enqueue(requeued: operations.Requeued) -> None:
    """Ring the bell for work the database holds: a chunk task per batch chunk, an import task per
    single import. Call after the rows are committed."""
    for batch_id, process_ids in requeued.chunks:
        run_batch_chunk.apply_async(kwargs={"batch_id": batch_id, "process_ids": list(process_ids)})
    for process_id in requeued.singles:
        run_account_import.apply_async(kwargs={"process_id": process_id})
