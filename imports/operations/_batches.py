"""Batches: many payloads staged as one ImportProcess, imported by workers in chunks of accounts;
the beat sweep that hands work of lost workers to others; retrying failed imports."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce

from imports import catalogue as catalogue_module
from imports import error_codes, models, queries, validation
from imports.operations import _leases
from imports.operations._base import EVENT_CREATED, EVENT_ERRORED, error_of, event
from imports.operations._processing import run_account_import
from kernel import sanitise

logger = logging.getLogger(__name__)

Status = models.ImportProcessStatus
FINISHED_OK = (Status.PROCESSED, Status.DRY_RUN_SUCCEEDED)
FINISHED_FAILED = (Status.ERRORED, Status.DRY_RUN_ERRORED)


def start_batch(
    *, supplier: models.ImportSupplier, payloads: list, now: datetime, is_dry_run: bool = False
) -> models.ImportProcess:
    """Stage many payloads as one ImportProcess, each account queued for a worker (with a lease, see
    `_leases`). Accounts imported earlier are linked to it and count as processed; validation
    happens per account when its chunk runs. A payload no column can hold is recorded ERRORED at
    once (stored with its bad characters replaced); one that is not an object, or repeats an
    external account number of the batch, is reported in the batch's errors and not counted.
    Raises nothing."""
    by_number: dict[str, dict] = {}
    refused: dict[str, dict] = {}
    dropped = []
    for index, payload in enumerate(payloads):
        if not isinstance(payload, dict):
            dropped.append({"line": index + 1, "code": error_codes.INVALID, "detail": "Not a JSON object."})
            continue
        number = payload.get("external_account_number")
        number = sanitise.safe_text(number) if isinstance(number, str) else ""
        if number in by_number or number in refused:
            dropped.append(
                {
                    "line": index + 1,
                    "external_account_number": number,
                    "code": error_codes.DUPLICATE_IN_BATCH,
                    "detail": "This external account number is in the batch already.",
                }
            )
        elif failures := validation.storage_failures(payload):
            refused[number] = {"payload": sanitise.storable(payload), "error": error_of(failures[0])}
        else:
            by_number[number] = payload
    with transaction.atomic():
        batch = models.ImportProcess.objects.create(
            supplier=supplier,
            is_dry_run=is_dry_run,
            total_count=len(by_number) + len(refused),
            started_at=now,
            status=Status.IN_PROGRESS,
            errors=dropped,
        )
        existing = set(
            models.AccountImportProcess.objects.filter(
                supplier=supplier, external_account_number__in=[*by_number, *refused]
            ).values_list("external_account_number", flat=True)
        )
        rows = models.AccountImportProcess.objects.filter(
            supplier=supplier, external_account_number__in=existing
        )
        rows.filter(account__isnull=False).update(import_process=batch)
        params = {"is_dry_run": is_dry_run}
        for row in rows.filter(account__isnull=True).only("pk", "external_account_number"):
            number = row.external_account_number
            if number in refused:
                fields = _refused_fields(refused[number], now)
            else:
                fields = {"payload": by_number[number], **_queued()}
            models.AccountImportProcess.objects.filter(pk=row.pk).update(
                import_process=batch, task_params=params, attempts=0, **fields
            )
        new = [
            models.AccountImportProcess(
                supplier=supplier,
                external_account_number=number,
                import_process=batch,
                task_params=params,
                latest_event=event(EVENT_CREATED, now),
                payload=payload,
            )
            for number, payload in by_number.items()
            if number not in existing
        ] + [
            models.AccountImportProcess(
                supplier=supplier,
                external_account_number=number,
                import_process=batch,
                task_params=params,
                **_refused_fields(refusal, now),
            )
            for number, refusal in refused.items()
            if number not in existing
        ]
        models.AccountImportProcess.objects.bulk_create(new)
        models.AccountImportProcess.objects.filter(
            import_process=batch, status=Status.PENDING, account__isnull=True
        ).update(**_leases.queued_lease())
        for number, refusal in refused.items():
            _append_batch_error(batch_id=batch.pk, external_account_number=number, error=refusal["error"])
        _refresh_batch_counts(batch_id=batch.pk)
    return _finish_if_done(batch_id=batch.pk, now=now)


def _queued() -> dict:
    return {"status": Status.PENDING, "latest_error": None}


def _refused_fields(refusal: dict, now: datetime) -> dict:
    return {
        "payload": refusal["payload"],
        "status": Status.ERRORED,
        "latest_error": refusal["error"],
        "latest_event": event(EVENT_ERRORED, now, refusal["error"]),
    }


def run_batch_chunk(
    *,
    batch_id: int,
    process_ids: list[int],
    now: datetime,
    worker: str = "",
    catalogue: catalogue_module.Catalogue | None = None,
) -> models.ImportProcess:
    """Import a chunk of a batch as `worker`, and finish the batch (PROCESSED, or ERRORED with
    failures) once every account has finished. Returns the batch.

    The chunk's waiting accounts are claimed first (a lease each, renewed after every account), so
    if this worker dies the beat sweep hands what is left to another within seconds; an account
    another worker holds, or that finished already, is skipped. The batch's counts are recomputed
    from its rows, so nothing is counted twice or lost. A failing account is recorded on its process
    and in the batch's errors.

    Raises ImportProcess.DoesNotExist.
    """
    catalogue = catalogue or queries.build_catalogue()
    ours = models.AccountImportProcess.objects.filter(pk__in=process_ids, import_process_id=batch_id)
    remaining = _leases.claim(process_ids=ours.values_list("pk", flat=True), worker=worker)
    while remaining:
        held = _leases.renew(process_ids=remaining, worker=worker)
        process_id, remaining = remaining[0], remaining[1:]
        if process_id not in held:
            continue
        process = run_account_import(process_id=process_id, now=now, catalogue=catalogue, worker=worker)
        _refresh_batch_counts(batch_id=batch_id)
        if process.status in FINISHED_FAILED:
            _append_batch_error(
                batch_id=batch_id,
                external_account_number=process.external_account_number,
                error=process.latest_error or {},
            )
    _refresh_batch_counts(batch_id=batch_id)
    return _finish_if_done(batch_id=batch_id, now=now)


def requeue_expired_work(*, now: datetime) -> _leases.Requeued:
    """The beat sweep: put back on the queue every async import whose lease ran out
    (`_leases.requeue_expired_leases`); the accounts given up on are added to their batches' errors
    and a batch they complete is finished. Returns what to enqueue. Raises nothing."""
    requeued = _leases.requeue_expired_leases(now=now)
    for batch_id in requeued.abandoned_batches:
        failed = models.AccountImportProcess.objects.filter(
            import_process_id=batch_id, latest_error__code=error_codes.IMPORT_WORKER_LOST
        ).values_list("external_account_number", "latest_error")
        for number, error in failed:
            _append_batch_error(batch_id=batch_id, external_account_number=number, error=error)
        _refresh_batch_counts(batch_id=batch_id)
        _finish_if_done(batch_id=batch_id, now=now)
    return requeued


def retry_imports(*, process_ids: list[int], now: datetime) -> _leases.Requeued:
    """Queue again the failed async imports among `process_ids` (ERRORED or DRY_RUN_ERRORED, not
    imported): back to PENDING with a fresh lease and attempt count, their errors cleared from their
    batches, and a batch they belong to open again. Returns what to enqueue. Raises nothing."""
    with transaction.atomic():
        rows = models.AccountImportProcess.objects.select_for_update().filter(
            pk__in=process_ids, status__in=FINISHED_FAILED, account__isnull=True
        )
        retried = list(rows.values_list("pk", "import_process_id", "external_account_number"))
        rows.update(attempts=0, latest_event=event(EVENT_CREATED, now), **_queued(), **_leases.queued_lease())
        for batch_id in {batch_id for _, batch_id, _ in retried if batch_id is not None}:
            numbers = {number for _, b, number in retried if b == batch_id}
            batch = models.ImportProcess.objects.select_for_update().get(pk=batch_id)
            batch.errors = [e for e in batch.errors if e.get("external_account_number") not in numbers]
            batch.status, batch.finished_at = Status.IN_PROGRESS, None
            batch.save(update_fields=["errors", "status", "finished_at"])
            _refresh_batch_counts(batch_id=batch_id)
    if retried:
        logger.info("Retrying %s failed import(s)", len(retried))
    return _leases.work_of([(pk, batch_id) for pk, batch_id, _ in retried])


def retry_batches(*, batch_ids: list[int], now: datetime) -> _leases.Requeued:
    """`retry_imports` of every failed account of these batches. Raises nothing."""
    failed = models.AccountImportProcess.objects.filter(
        import_process_id__in=batch_ids, status__in=FINISHED_FAILED, account__isnull=True
    ).values_list("pk", flat=True)
    return retry_imports(process_ids=list(failed), now=now)


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


def _append_batch_error(*, batch_id: int, external_account_number: str, error: dict) -> None:
    with transaction.atomic():
        batch = models.ImportProcess.objects.select_for_update().get(pk=batch_id)
        if any(e.get("external_account_number") == external_account_number for e in batch.errors):
            return
        batch.errors = [*batch.errors, {"external_account_number": external_account_number, **error}]
        batch.save(update_fields=["errors"])
