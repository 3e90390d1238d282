"""Creating accounts from payloads, one account per transaction: processing a staged payload (v1
`process`, the v2 worker, batches) and the one-shot import of a payload (validate, write, claim)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

from django.db import DataError, IntegrityError, OperationalError, transaction

from accounts import queries as accounts_queries
from imports import catalogue as catalogue_module
from imports import error_codes, models, queries
from imports.operations import _claims, _leases, _writer
from imports.operations._base import (
    DRY_RUN_DETAIL,
    EVENT_ERRORED,
    EVENT_PROCESSED,
    ImportError_,
    RollBack,
    WriteRefused,
    error_of,
    event,
    refusal_of,
)
from imports.operations._post_import import post_import_lookup
from imports.operations._staging import record_failure
from imports.operations._validation import (
    AlreadyImported,
    ImportSkipped,
    ValidationFailed,
    check_storable,
    validate_document,
)
from imports.rules import base

Status = models.ImportProcessStatus
logger = logging.getLogger(__name__)


class ImportProcessNotFound(ImportError_):
    """Nothing is staged for this (supplier, external account number)."""

    code = error_codes.IMPORT_PROCESS_DOES_NOT_EXIST


class DryRunSucceeded(ImportError_):
    """The account would import; everything was rolled back."""

    code = error_codes.DRY_RUN


def process_account(
    *,
    supplier: models.ImportSupplier,
    external_account_number: str,
    now: datetime,
    dry_run: bool = False,
    catalogue: catalogue_module.Catalogue | None = None,
) -> models.AccountImportProcess:
    """Create the account from the staged payload, in one transaction, exactly once: the payload is
    validated (once; it may have become invalid since it was staged) and written by the one writer.

    The process row is locked (SELECT ... FOR UPDATE) for the whole creation, so concurrent calls
    for one (supplier, external account number) serialise and the second sees the account.
    Raises ImportProcessNotFound, AlreadyImported, ValidationFailed, DryRunSucceeded, WriteRefused
    (the database refused a row: a concurrent import took an identifier, or a value its column
    cannot hold).
    """
    catalogue = catalogue or queries.build_catalogue()
    try:
        with transaction.atomic():
            # Lock the process row alone: a join would be evaluated before the lock wait, so a
            # concurrent caller that waited would see the new account_id but a stale (empty) join.
            process = (
                models.AccountImportProcess.objects.select_for_update()
                .filter(supplier=supplier, external_account_number=external_account_number)
                .first()
            )
            if process is None:
                raise ImportProcessNotFound(external_account_number)
            if process.account_id:
                raise AlreadyImported(
                    external_account_number=external_account_number,
                    account_number=accounts_queries.account_number(account_id=process.account_id),
                )
            payload = validate_document(
                supplier=supplier, document=base.ACCOUNT, data=process.payload, now=now, catalogue=catalogue
            )
            [(account_id, number)] = _writer.write_accounts(
                supplier=supplier,
                items=[(process.external_account_number, payload)],
                catalogue=catalogue,
                now=now,
            )
            if dry_run:
                raise RollBack
            process.account_id = account_id
            process.status = Status.PROCESSED
            process.processed_at = now
            process.latest_error = None
            process.latest_event = event(EVENT_PROCESSED, now, {"kraken_identifier": number})
            process.claimed_by, process.lease_until = "", None
            process.save(
                update_fields=[
                    "account",
                    "status",
                    "processed_at",
                    "latest_error",
                    "latest_event",
                    "claimed_by",
                    "lease_until",
                    "modified_at",
                ]
            )
            return process
    except RollBack:
        raise DryRunSucceeded(DRY_RUN_DETAIL) from None
    except (IntegrityError, DataError) as exc:
        raise refusal_of(exc) from exc


def process_staged_account(
    *,
    supplier: models.ImportSupplier,
    request: dict,
    now: datetime,
    slot: Callable[[], AbstractContextManager] = contextlib.nullcontext,
) -> models.AccountImportProcess:
    """v1 `process`: validate the request (`ProcessAccountImportProcess`), then `process_account`
    inside `slot()` (the door's concurrency limit), both against one catalogue.

    Raises ValidationFailed (the request or the staged payload), ImportProcessNotFound,
    AlreadyImported, DryRunSucceeded, WriteRefused, and whatever `slot()` raises.
    """
    check_storable(document=request)
    external = request.get("external_account_number")
    catalogue = queries.build_catalogue()
    lookup = post_import_lookup(
        supplier=supplier, external_account_number=external if isinstance(external, str) else ""
    )
    validate_document(
        supplier=supplier, document=base.PROCESS, data=request, now=now, lookup=lookup, catalogue=catalogue
    )
    with slot():
        return process_account(
            supplier=supplier,
            external_account_number=external,
            now=now,
            dry_run=request.get("dry_run") is True,
            catalogue=catalogue,
        )


def run_account_import(
    *,
    process_id: int,
    now: datetime,
    catalogue: catalogue_module.Catalogue | None = None,
    worker: str = "",
) -> models.AccountImportProcess:
    """Worker side of one account import (v2 and batches), as `worker`. Safe to run twice, and by
    two workers at once: the row is claimed first (`_leases.claim`; a batch chunk claims its rows
    itself), so a finished account, or one another worker holds, is left alone.

    Every failure is recorded on the process (ERRORED / DRY_RUN_*, with `latest_error`) and not
    raised: the payload's failures, the database's refusal, and any unexpected error (logged, code
    `unexpected_error`). A transient database error (lost connection, deadlock) is raised instead:
    the row keeps its lease and the beat sweep hands it to a worker again.

    Raises AccountImportProcess.DoesNotExist (no such process), OperationalError.
    """
    process = models.AccountImportProcess.objects.select_related("supplier").get(pk=process_id)
    if process.claimed_by != worker or not worker:
        if not _leases.claim(process_ids=[process_id], worker=worker):
            return process
    dry_run = bool((process.task_params or {}).get("is_dry_run"))
    try:
        return process_account(
            supplier=process.supplier,
            external_account_number=process.external_account_number,
            now=now,
            dry_run=dry_run,
            catalogue=catalogue,
        )
    except DryRunSucceeded:
        status, error = Status.DRY_RUN_SUCCEEDED, None
    except AlreadyImported:
        models.AccountImportProcess.objects.filter(pk=process_id).update(**_leases.released())
        return models.AccountImportProcess.objects.get(pk=process_id)
    except ValidationFailed as exc:
        status = Status.DRY_RUN_ERRORED if dry_run else Status.ERRORED
        error = error_of(exc.failures[0])
    except WriteRefused as exc:
        status = Status.DRY_RUN_ERRORED if dry_run else Status.ERRORED
        error = exc.as_error()
    except OperationalError:
        raise
    except Exception as exc:
        logger.exception("Unable to import account (import process %s)", process_id)
        status = Status.DRY_RUN_ERRORED if dry_run else Status.ERRORED
        error = {
            "code": error_codes.UNEXPECTED_ERROR,
            "detail": (
                f"The import stopped on an unexpected error ({type(exc).__name__}); it was logged. "
                "Retry it from admin, or schedule it again."
            ),
            "domain": "import_process",
        }
    latest_event = event(EVENT_ERRORED, now, error) if error else event(EVENT_PROCESSED, now)
    models.AccountImportProcess.objects.filter(pk=process_id).exclude(status=Status.PROCESSED).update(
        status=status, latest_error=error, latest_event=latest_event, **_leases.released()
    )
    return models.AccountImportProcess.objects.get(pk=process_id)


def import_account(
    *,
    supplier: models.ImportSupplier,
    payload: dict,
    now: datetime,
    catalogue: catalogue_module.Catalogue,
    dry_run: bool = False,
) -> int:
    """Validate, stage and create one account in one go (what a file import does per line).
    Returns the id of the account's import process.

    Validation failures are recorded on the process (ERRORED, latest_error) and raised. The
    account's rows and the process update share one transaction, so an interrupted run leaves
    each account either fully imported or not at all; re-running skips imported accounts.
    Raises ValidationFailed, AlreadyImported, ImportSkipped, DryRunSucceeded, WriteRefused.
    """
    normalised = validate_or_record(supplier=supplier, payload=payload, now=now, catalogue=catalogue)
    return write_and_claim(
        supplier=supplier,
        payload=payload,
        normalised=normalised,
        now=now,
        catalogue=catalogue,
        dry_run=dry_run,
    )


def validate_or_record(
    *,
    supplier: models.ImportSupplier,
    payload: dict,
    now: datetime,
    catalogue: catalogue_module.Catalogue,
    lookup: dict | None = None,
    storable: bool = False,
) -> dict:
    """Validate an account payload (against `lookup` if given; `storable`: the caller has checked
    what no column can hold; see `validate_document`); a failing one with an external account
    number is recorded on its process (`record_failure`). Returns the normalised payload. Raises
    ValidationFailed."""
    try:
        return validate_document(
            supplier=supplier,
            document=base.ACCOUNT,
            data=payload,
            now=now,
            catalogue=catalogue,
            lookup=lookup,
            storable=storable,
        )
    except ValidationFailed as exc:
        record_validation_failure(supplier=supplier, payload=payload, failed=exc, now=now)
        raise


def record_validation_failure(
    *, supplier: models.ImportSupplier, payload, failed: ValidationFailed, now: datetime
) -> None:
    """Record a payload's failed validation on its process (`record_failure`), when it has an
    external account number to record it under. Raises nothing."""
    external = payload.get("external_account_number") if isinstance(payload, dict) else None
    if isinstance(external, str):
        record_failure(
            supplier=supplier,
            external_account_number=external,
            payload=payload,
            error=error_of(failed.failures[0]),
            now=now,
        )


def write_and_claim(
    *,
    supplier: models.ImportSupplier,
    payload: dict,
    normalised: dict,
    now: datetime,
    catalogue: catalogue_module.Catalogue,
    dry_run: bool,
) -> int:
    """Write one validated account and claim its process row, in one transaction. Returns the id of
    the process row. A concurrent import that claimed the key first makes this one roll back.

    Raises AlreadyImported, ImportSkipped, DryRunSucceeded, ValidationFailed (an unknown tariff),
    WriteRefused.
    """
    external = payload.get("external_account_number")
    try:
        with transaction.atomic():
            [account] = _writer.write_accounts(
                supplier=supplier, items=[(external, normalised)], catalogue=catalogue, now=now
            )
            if dry_run:
                raise RollBack
            process_id = _claims.claim_process(
                supplier=supplier, external_account_number=external, payload=payload, account=account, now=now
            )
            if process_id is None:
                number = (
                    models.AccountImportProcess.objects.filter(
                        supplier=supplier, external_account_number=external
                    )
                    .values_list("account__number", flat=True)
                    .get()
                )
                if number is None:
                    raise ImportSkipped(f"{external} is marked to be skipped")
                raise AlreadyImported(external_account_number=external, account_number=number)
            return process_id
    except RollBack:
        raise DryRunSucceeded(DRY_RUN_DETAIL) from None
    except (IntegrityError, DataError) as exc:
        # A concurrent import of the same account wins on a unique row (meter point, mandate, ...):
        # that is "already imported", not a failure.
        number = (
            models.AccountImportProcess.objects.filter(
                supplier=supplier, external_account_number=external, account__isnull=False
            )
            .values_list("account__number", flat=True)
            .first()
        )
        if number:
            raise AlreadyImported(external_account_number=external, account_number=number) from None
        raise refusal_of(exc) from exc
