"""Staging account payloads on their import process row: v1 create-or-update, v2 scheduling, and
recording a payload that failed validation."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from imports import error_codes, models, queries
from imports.operations import _leases
from imports.operations._base import EVENT_CREATED, EVENT_ERRORED, ImportError_, event
from imports.operations._validation import AlreadyImported, ValidationFailed, check_account, validate_document
from imports.rules import base
from kernel import sanitise

Status = models.ImportProcessStatus


class MigrationNotOngoing(ImportError_):
    """The supplier's migration is paused or complete: nothing more may be staged."""

    code = error_codes.IMPORT_SUPPLIER_MIGRATION_NOT_ONGOING


class TaskParametersInvalid(ValidationFailed):
    """The v2 task parameters failed their schema or rules; `failures` has every one."""


def stage_account(
    *, supplier: models.ImportSupplier, payload: dict, now: datetime
) -> tuple[models.AccountImportProcess, bool]:
    """Validate and store (or overwrite) the pending payload. Returns (process, created).

    Raises MigrationNotOngoing, AlreadyImported, ImportSkipped, ValidationFailed.
    """
    if supplier.migration_status != models.MigrationStatus.ONGOING:
        raise MigrationNotOngoing(f"The migration for {supplier.code} is {supplier.migration_status.lower()}")
    normalised = check_account(supplier=supplier, payload=payload, now=now)
    external = normalised.get("external_account_number") or ""
    with transaction.atomic():
        process, created = models.AccountImportProcess.objects.select_for_update().get_or_create(
            supplier=supplier,
            external_account_number=external,
            defaults={"payload": payload, "latest_event": event(EVENT_CREATED, now)},
        )
        if not created:
            if process.account_id:
                raise AlreadyImported(external_account_number=external, account_number=process.account.number)
            process.payload = payload
            process.status = Status.PENDING
            process.claimed_by, process.lease_until = "", None  # staged for v1 process: not async work
            process.save(update_fields=["payload", "status", "claimed_by", "lease_until", "modified_at"])
    return process, created


def schedule_account(
    *, supplier: models.ImportSupplier, payload: dict, task_params: dict, now: datetime
) -> models.AccountImportProcess:
    """Validate and stage a v2 import for the worker (the task parameters and the payload, against
    one catalogue), queued with a lease. The caller enqueues `run_account_import` once this commits.
    Scheduling a failed import again retries it.

    Raises MigrationNotOngoing, TaskParametersInvalid, AlreadyImported, ImportSkipped,
    ValidationFailed (the payload).
    """
    if supplier.migration_status != models.MigrationStatus.ONGOING:
        raise MigrationNotOngoing(supplier.code)
    catalogue = queries.build_catalogue()
    try:
        params = validate_document(
            supplier=supplier, document=base.TASK_PARAMS, data=task_params or {}, now=now, catalogue=catalogue
        )
    except ValidationFailed as exc:
        raise TaskParametersInvalid(exc.failures) from None
    normalised = check_account(supplier=supplier, payload=payload, now=now, variant="v2", catalogue=catalogue)
    external = normalised.get("external_account_number") or ""
    with transaction.atomic():
        process, created = models.AccountImportProcess.objects.select_for_update().get_or_create(
            supplier=supplier,
            external_account_number=external,
            defaults={"payload": payload, "task_params": params, "latest_event": event(EVENT_CREATED, now)},
        )
        if not created:
            if process.account_id:
                raise AlreadyImported(external_account_number=external, account_number=process.account.number)
            process.payload, process.task_params, process.status = payload, params, Status.PENDING
            process.latest_error = None
            process.latest_event = event(EVENT_CREATED, now)
            process.attempts = 0
            process.save()
        # Queued for a worker: the lease says by when one should have taken it (see `_leases`).
        models.AccountImportProcess.objects.filter(pk=process.pk).update(**_leases.queued_lease())
    return process


def record_failure(
    *,
    supplier: models.ImportSupplier,
    external_account_number: str,
    payload: dict,
    error: dict,
    now: datetime,
) -> None:
    """Stage the failing payload as ERRORED with `error`, unless the account was imported already.
    What no column can hold is recorded replaced (`kernel.sanitise.storable`). Raises nothing."""
    external_account_number = sanitise.safe_text(external_account_number)
    fields = {
        "payload": sanitise.storable(payload),
        "status": Status.ERRORED,
        "latest_error": error,
        "latest_event": event(EVENT_ERRORED, now, error),
    }
    rows = models.AccountImportProcess.objects.filter(
        supplier=supplier, external_account_number=external_account_number, account__isnull=True
    )
    if rows.update(**fields):
        return
    try:
        with transaction.atomic():
            models.AccountImportProcess.objects.create(
                supplier=supplier, external_account_number=external_account_number, **fields
            )
    except IntegrityError:
        pass  # already imported: the import stands, the failing re-post changes nothing
