"""Importing a chunk of account payloads in one transaction (a file import's or a benchmark's unit of
work), falling back to one transaction per account when the database refuses the chunk."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from django.db import DataError, IntegrityError, OperationalError, transaction
from django.db.models import Q
from psycopg import errors as psycopg_errors

from imports import catalogue as catalogue_module
from imports import models, validation
from imports.operations import _claims, _writer
from imports.operations._base import RollBack, WriteRefused
from imports.operations._processing import DryRunSucceeded, validate_or_record, write_and_claim
from imports.operations._validation import AlreadyImported, ImportSkipped, ValidationFailed, existing_lookup

IMPORTED, SKIPPED, FAILED = "IMPORTED", "SKIPPED", "FAILED"


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What happened to one payload of a chunk: IMPORTED, SKIPPED (already imported) or FAILED."""

    external_account_number: str | None
    status: str
    failures: tuple = ()
    error: str = ""


class _ChunkConflict(Exception):
    """A concurrent import claimed one of the chunk's accounts first."""


@dataclasses.dataclass(frozen=True)
class _Valid:
    index: int
    external_account_number: str
    payload: dict
    normalised: dict


def import_accounts(
    *,
    supplier: models.ImportSupplier,
    payloads: list[dict],
    now: datetime,
    catalogue: catalogue_module.Catalogue,
    dry_run: bool = False,
) -> list[Outcome]:
    """Import a chunk of payloads. Returns the outcome of each, in order.

    Each payload is validated once, on its own (a failing one is recorded on its process); the valid
    ones are written together in one durable transaction by the one writer (one COPY per table, ids
    reserved up front). If anything in the chunk is refused by the database, or a concurrent import
    claims one of its accounts, the chunk rolls back and each account is written alone in its own
    transaction from the payload already validated, so a bad account never takes good ones down and
    none is written twice.

    Raises OperationalError other than a deadlock.
    """
    outcomes: list[Outcome | None] = [None] * len(payloads)
    valid: list[_Valid] = []
    storable = [p for p in payloads if isinstance(p, dict) and not validation.storage_failures(p)]
    storable_ids = {id(p) for p in storable}
    done = _done_keys(supplier=supplier, payloads=storable)
    lookup = existing_lookup(
        supplier=supplier, payloads=[p for p in storable if p.get("external_account_number") not in done]
    )
    for index, payload in enumerate(payloads):
        external = payload.get("external_account_number") if isinstance(payload, dict) else None
        if external in done and id(payload) in storable_ids:
            outcomes[index] = Outcome(external, SKIPPED)
            continue
        try:
            normalised = validate_or_record(
                supplier=supplier,
                payload=payload,
                now=now,
                catalogue=catalogue,
                lookup=lookup,
                storable=id(payload) in storable_ids,
            )
        except ValidationFailed as exc:
            outcomes[index] = Outcome(external, FAILED, tuple(exc.failures))
            continue
        valid.append(_Valid(index, external, payload, normalised))
    known = models.AccountImportProcess.objects.filter(
        supplier=supplier, external_account_number__in=[v.external_account_number for v in valid]
    ).values_list("external_account_number", "account_id", "status")
    done = {
        external
        for external, account_id, status in known
        if account_id or status == models.ImportProcessStatus.CANCELLED
    }
    staged = {external for external, _, _ in known} - done
    seen: set[str] = set()
    chunk: list[_Valid] = []
    for item in valid:
        if item.external_account_number in done or item.external_account_number in seen:
            outcomes[item.index] = Outcome(item.external_account_number, SKIPPED)
            continue
        seen.add(item.external_account_number)
        chunk.append(item)
    if chunk:
        try:
            with transaction.atomic():
                accounts = _writer.write_accounts(
                    supplier=supplier,
                    items=[(item.external_account_number, item.normalised) for item in chunk],
                    catalogue=catalogue,
                    now=now,
                )
                if dry_run:
                    raise RollBack
                claimed = _claims.claim_processes(
                    supplier=supplier,
                    rows=[
                        (item.external_account_number, item.payload, account)
                        for item, account in zip(chunk, accounts, strict=True)
                    ],
                    staged=staged,
                    now=now,
                )
                if claimed != len(chunk):
                    raise _ChunkConflict
            for item in chunk:
                outcomes[item.index] = Outcome(item.external_account_number, IMPORTED)
        except RollBack:
            for item in chunk:
                outcomes[item.index] = Outcome(item.external_account_number, IMPORTED)
        except (_ChunkConflict, IntegrityError, DataError, ValidationFailed, OperationalError) as exc:
            if isinstance(exc, OperationalError) and not isinstance(
                exc.__cause__, psycopg_errors.DeadlockDetected
            ):
                raise
            for item in chunk:
                outcomes[item.index] = _import_alone(
                    supplier=supplier, item=item, now=now, catalogue=catalogue, dry_run=dry_run
                )
    return outcomes


def _done_keys(*, supplier: models.ImportSupplier, payloads: list[dict]) -> set[str]:
    """The external account numbers of these payloads imported (or marked skipped) already."""
    numbers = [
        p["external_account_number"] for p in payloads if isinstance(p.get("external_account_number"), str)
    ]
    if not numbers:
        return set()
    return set(
        models.AccountImportProcess.objects.filter(supplier=supplier, external_account_number__in=numbers)
        .filter(Q(account__isnull=False) | Q(status=models.ImportProcessStatus.CANCELLED))
        .values_list("external_account_number", flat=True)
    )


def _import_alone(
    *,
    supplier: models.ImportSupplier,
    item: _Valid,
    now: datetime,
    catalogue: catalogue_module.Catalogue,
    dry_run: bool,
) -> Outcome:
    """One account of a refused chunk, in its own transaction, from its validated payload."""
    external = item.external_account_number
    try:
        write_and_claim(
            supplier=supplier,
            payload=item.payload,
            normalised=item.normalised,
            now=now,
            catalogue=catalogue,
            dry_run=dry_run,
        )
    except DryRunSucceeded:
        return Outcome(external, IMPORTED)
    except (AlreadyImported, ImportSkipped):
        return Outcome(external, SKIPPED)
    except ValidationFailed as exc:
        return Outcome(external, FAILED, tuple(exc.failures))
    except WriteRefused as exc:
        return Outcome(external, FAILED, error=f"{exc.code}: {exc.detail}")
    return Outcome(external, IMPORTED)
