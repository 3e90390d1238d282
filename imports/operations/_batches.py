"""Batches: many payloads staged as one ImportProcess, imported by workers in chunks of accounts."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce

from imports import catalogue as catalogue_module
from imports import models, queries
from imports.operations._base import EVENT_CREATED, event
from imports.operations._processing import run_account_import

Status = models.ImportProcessStatus
FINISHED_OK = (Status.PROCESSED, Status.DRY_RUN_SUCCEEDED)
FINISHED_FAILED = (Status.ERRORED, Status.DRY_RUN_ERRORED)


def start_batch(
    *, supplier: models.ImportSupplier, payloads: list[dict], now: datetime, is_dry_run: bool = False
) -> models.ImportProcess:
    """Stage many payloads as one ImportProcess. Accounts imported earlier are linked to it and
    count as processed; validation happens per account when its chunk runs. Raises nothing."""
    with transaction.atomic():
        batch = models.ImportProcess.objects.create(
            supplier=supplier,
            is_dry_run=is_dry_run,
            total_count=len(payloads),
            started_at=now,
            status=Status.IN_PROGRESS,
        )
        by_number = {p.get("external_account_number") or "": p for p in payloads if isinstance(p, dict)}
        existing = set(
            models.AccountImportProcess.objects.filter(
                supplier=supplier, external_account_number__in=by_number
            ).values_list("external_account_number", flat=True)
        )
        rows = models.AccountImportProcess.objects.filter(
            supplier=supplier, external_account_number__in=existing
        )
        rows.filter(account__isnull=False).update(import_process=batch)
        for row in rows.filter(account__isnull=True).only("pk", "external_account_number"):
            models.AccountImportProcess.objects.filter(pk=row.pk).update(
                import_process=batch,
                status=Status.PENDING,
                payload=by_number[row.external_account_number],
                task_params={"is_dry_run": is_dry_run},
            )
        models.AccountImportProcess.objects.bulk_create(
            [
                models.AccountImportProcess(
                    supplier=supplier,
                    external_account_number=number,
                    payload=payload,
                    import_process=batch,
                    task_params={"is_dry_run": is_dry_run},
                    latest_event=event(EVENT_CREATED, now),
                )
                for number, payload in by_number.items()
                if number not in existing
            ]
        )
        _refresh_batch_counts(batch_id=batch.pk)
    return batch


def run_batch_chunk(
    *,
    batch_id: int,
    process_ids: list[int],
    now: datetime,
    catalogue: catalogue_module.Catalogue | None = None,
) -> models.ImportProcess:
    """Import a chunk of a batch, and finish the batch (PROCESSED, or ERRORED with failures) once
    every account has finished. Returns the batch. Safe to run again after a crash: finished
    accounts are skipped, and the batch's counts are recomputed from its rows, so nothing is counted
    twice or lost. A failing account is recorded on its process and in the batch's errors.

    Raises ImportProcess.DoesNotExist.
    """
    catalogue = catalogue or queries.build_catalogue()
    statuses = dict(
        models.AccountImportProcess.objects.filter(
            pk__in=process_ids, import_process_id=batch_id
        ).values_list("pk", "status")
    )
    for process_id in process_ids:
        if statuses.get(process_id) not in (Status.PENDING, Status.IN_PROGRESS):
            continue
        process = run_account_import(process_id=process_id, now=now, catalogue=catalogue)
        _refresh_batch_counts(batch_id=batch_id)
        if process.status in FINISHED_FAILED:
            _append_batch_error(batch_id=batch_id, process=process)
    _refresh_batch_counts(batch_id=batch_id)
    return _finish_if_done(batch_id=batch_id, now=now)


def _finish_if_done(*, batch_id: int, now: datetime) -> models.ImportProcess:
    """Mark the batch PROCESSED (or ERRORED, with failures) once every account has finished; until
    then, and after, leave it as it is."""
    batch = models.ImportProcess.objects.get(pk=batch_id)
    if batch.processed_count + batch.failed_count >= batch.total_count and batch.finished_at is None:
        batch.status = Status.ERRORED if batch.failed_count else Status.PROCESSED
        batch.finished_at = now
        batch.save(update_fields=["status", "finished_at"])
    return batch


def _refresh_batch_counts(*, batch_id: int) -> None:
    rows = models.AccountImportProcess.objects.filter(import_process_id=batch_id)

    def count(statuses):
        counted = (
            rows.filter(status__in=statuses).order_by().values("import_process_id").annotate(n=Count("id"))
        )
        return Coalesce(Subquery(counted.values("n")[:1]), 0)

    models.ImportProcess.objects.filter(pk=batch_id).update(
        processed_count=count(FINISHED_OK), failed_count=count(FINISHED_FAILED)
    )


def _append_batch_error(*, batch_id: int, process: models.AccountImportProcess) -> None:
    with transaction.atomic():
        batch = models.ImportProcess.objects.select_for_update().get(pk=batch_id)
        if any(e.get("external_account_number") == process.external_account_number for e in batch.errors):
            return
        batch.errors = [
            *batch.errors,
            {"external_account_number": process.external_account_number, **(process.latest_error or {})},
        ]
        batch.save(update_fields=["errors"])
