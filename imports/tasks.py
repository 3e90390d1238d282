"""Celery doors for imports: each task loads by id and makes one domain call."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from imports import operations
from kernel import clock


@shared_task(name="imports.run_account_import", queue=settings.IMPORTS_QUEUE, acks_late=True)
def run_account_import(*, process_id: int, **kwargs) -> str:
    return operations.run_account_import(process_id=process_id, now=clock.now()).status


@shared_task(name="imports.run_batch_chunk", queue=settings.IMPORTS_QUEUE, acks_late=True)
def run_batch_chunk(*, batch_id: int, process_ids: list[int], **kwargs) -> str:
    return operations.run_batch_chunk(batch_id=batch_id, process_ids=process_ids, now=clock.now()).status
