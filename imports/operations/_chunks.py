"""Importing a chunk of account payloads in one transaction (a file import's or a benchmark's unit of
work), falling back to one transaction per account when the database refuses the chunk."""

from __future__ import annotations

import dataclasses
import gc
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from django.db import DataError, IntegrityError, OperationalError, transaction
from django.db.models import F, Q
from psycopg import errors as psycopg_errors

from imports import catalogue as catalogue_module
from imports import models, validation
from imports.operations import _claims, _writer
from imports.operations._base import RollBack, WriteRefused
from imports.operations._processing import DryRunSucceeded, record_validation_failure, write_and_claim
from imports.operations._validation import (
    AlreadyImported,
    ImportSkipped,
    LookupKeys,
    ValidationFailed,
    existing_lookup,
    lookup_keys,
    validate_document,
)
from imports.rules import base
from kernel import bulk

IMPORTED, SKIPPED, FAILED = "IMPORTED", "SKIPPED", "FAILED"
# The GIL switch interval (seconds) while `import_chunks` validates on a second thread. A thread
# back from the database (a COPY's reply, a query's rows, the commit) gets the GIL only when the
# validating thread lets go of it, which the interpreter asks of it after the switch interval: 5 ms
# by default, paid for each of the two dozen round trips of a chunk's writing and of the next
# chunk's lookups, which kept the database idle and the writer behind the validation.
SWITCH_INTERVAL = 0.0005
# The collector's threshold of new container objects for its youngest generation while
# `import_chunks` runs (the interpreter's default is 700). A chunk's payloads are copied, validated
# and mapped to rows, some 20,000 containers per 200 accounts that live until the chunk is written:
# at 700 the collector passed over them again and again (0.08-0.10 ms per account, about a tenth of
# the worker's CPU); at this threshold it runs about once per chunk. Cyclic garbage waits at most
# that long.
YOUNG_GENERATION_THRESHOLD = 20_000


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
    chunk = Chunk(supplier=supplier, payloads=payloads, now=now)
    screen = _screen(chunk)
    results = _validate(chunk, screen=screen, catalogue=catalogue)
    return _write(chunk, results=results, catalogue=catalogue, dry_run=dry_run)


@dataclasses.dataclass(frozen=True)
class Chunk:
    """Payloads of one supplier imported in one transaction (`import_chunks`)."""

    supplier: models.ImportSupplier
    payloads: list
    now: datetime


def import_chunks(
    chunks: Iterable[Chunk], *, catalogue: catalogue_module.Catalogue, dry_run: bool = False
) -> Iterator[list[Outcome]]:
    """`import_accounts` for each chunk in turn, yielding the outcomes of each in order, with the
    next chunk validated while this one is written: the rules run on a second thread while the
    writer waits on the database (psycopg releases the GIL for each round trip, COPY and commit),
    so one worker keeps a core busy instead of idling on the server.

    The same outcomes, rows and recorded failures as `import_accounts` chunk after chunk: everything
    the database is asked (what is imported already, the identifiers other accounts hold) is asked
    on this thread. A chunk sharing an external account number or an identifier (meter point,
    payment instruction, reference, customer email) with the chunk before, which was not written
    when it was asked, asks again once that one is written, and if the answers changed is validated
    again with the new ones before anything of it is written or recorded.

    While it runs, the interpreter's switch interval is `SWITCH_INTERVAL` and the collector's
    youngest generation threshold `YOUNG_GENERATION_THRESHOLD` (see there); both are put back when
    the chunks are done or the generator is closed.

    Raises OperationalError other than a deadlock.
    """
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    gc.set_threshold(max(thresholds[0], YOUNG_GENERATION_THRESHOLD), *thresholds[1:])
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-validation") as validator:
            ahead: tuple[Chunk, _Screen, Future] | None = None
            for chunk in chunks:
                screen = _screen(chunk)
                if ahead is not None and screen.shares_keys_with(ahead[1]):
                    screen = dataclasses.replace(screen, stale=True)
                validated = validator.submit(_validate, chunk, screen=screen, catalogue=catalogue)
                if ahead is not None:
                    yield _write_when_validated(*ahead, catalogue=catalogue, dry_run=dry_run)
                ahead = (chunk, screen, validated)
            if ahead is not None:
                yield _write_when_validated(*ahead, catalogue=catalogue, dry_run=dry_run)
    finally:
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)


def _write_when_validated(
    chunk: Chunk,
    screen: _Screen,
    validated: Future,
    *,
    catalogue: catalogue_module.Catalogue,
    dry_run: bool,
) -> list[Outcome]:
    results = validated.result()
    if screen.stale:
        fresh = _screen(chunk, storable=screen.storable)
        if (fresh.done, fresh.lookup) != (screen.done, screen.lookup):
            results = _validate(chunk, screen=fresh, catalogue=catalogue)
    return _write(chunk, results=results, catalogue=catalogue, dry_run=dry_run)


@dataclasses.dataclass(frozen=True)
class _Screen:
    """What validating a chunk reads from the database: the indexes of its payloads that hold nothing
    a column cannot store, the external account numbers of those imported (or skipped) already, and
    the identifiers other accounts hold (`existing_lookup`), with what it was asked about."""

    storable: frozenset[int]
    done: frozenset[str]
    lookup: dict
    externals: frozenset[str]  # of the storable payloads
    keys: LookupKeys  # of the storable payloads not imported already
    # Read before the chunk ahead, which shares keys with this one, was written: ask again.
    stale: bool = False

    def shares_keys_with(self, other: _Screen) -> bool:
        return bool(self.externals & other.externals) or self.keys.overlaps(other.keys)


def _screen(chunk: Chunk, *, storable: frozenset[int] | None = None) -> _Screen:
    payloads = chunk.payloads
    if storable is None:
        storable = frozenset(
            index
            for index, payload in enumerate(payloads)
            if isinstance(payload, dict) and not validation.storage_failures(payload)
        )
    kept = [payloads[index] for index in sorted(storable)]
    done = _done_keys(supplier=chunk.supplier, payloads=kept)
    new = [p for p in kept if p.get("external_account_number") not in done]
    keys = lookup_keys(new)
    return _Screen(
        storable=storable,
        done=frozenset(done),
        lookup=existing_lookup(supplier=chunk.supplier, payloads=new, keys=keys),
        externals=frozenset(
            p["external_account_number"] for p in kept if isinstance(p.get("external_account_number"), str)
        ),
        keys=keys,
    )


def _validate(
    chunk: Chunk, *, screen: _Screen, catalogue: catalogue_module.Catalogue
) -> list[Outcome | ValidationFailed | dict]:
    """Per payload: its outcome if imported already, its validation failure, or its normalised
    payload. No database access, so it may run on any thread."""
    results: list[Outcome | ValidationFailed | dict] = []
    for index, payload in enumerate(chunk.payloads):
        external = payload.get("external_account_number") if isinstance(payload, dict) else None
        if external in screen.done and index in screen.storable:
            results.append(Outcome(external, SKIPPED))
            continue
        try:
            results.append(
                validate_document(
                    supplier=chunk.supplier,
                    document=base.ACCOUNT,
                    data=payload,
                    now=chunk.now,
                    catalogue=catalogue,
                    lookup=screen.lookup,
                    storable=index in screen.storable,
                )
            )
        except ValidationFailed as exc:
            results.append(exc)
    return results


def _write(
    chunk: Chunk,
    *,
    results: list[Outcome | ValidationFailed | dict],
    catalogue: catalogue_module.Catalogue,
    dry_run: bool,
) -> list[Outcome]:
    """Record the chunk's failed payloads and write its valid ones (see `import_accounts`)."""
    supplier, now = chunk.supplier, chunk.now
    outcomes: list[Outcome | None] = [None] * len(chunk.payloads)
    valid: list[_Valid] = []
    for index, (payload, result) in enumerate(zip(chunk.payloads, results, strict=True)):
        if isinstance(result, Outcome):
            outcomes[index] = result
        elif isinstance(result, ValidationFailed):
            record_validation_failure(supplier=supplier, payload=payload, failed=result, now=now)
            external = payload.get("external_account_number") if isinstance(payload, dict) else None
            outcomes[index] = Outcome(external, FAILED, tuple(result.failures))
        else:
            valid.append(_Valid(index, payload.get("external_account_number"), payload, result))
    known = models.AccountImportProcess.objects.filter(
        bulk.AnyOf(F("external_account_number"), [v.external_account_number for v in valid]),
        supplier=supplier,
    ).values_list("external_account_number", "account_id", "status")
    done = {
        external
        for external, account_id, status in known
        if account_id or status == models.ImportProcessStatus.CANCELLED
    }
    staged = {external for external, _, _ in known} - done
    seen: set[str] = set()
    todo: list[_Valid] = []
    for item in valid:
        if item.external_account_number in done or item.external_account_number in seen:
            outcomes[item.index] = Outcome(item.external_account_number, SKIPPED)
            continue
        seen.add(item.external_account_number)
        todo.append(item)
    if todo:
        try:
            with transaction.atomic():
                accounts = _writer.write_accounts(
                    supplier=supplier,
                    items=[(item.external_account_number, item.normalised) for item in todo],
                    catalogue=catalogue,
                    now=now,
                )
                if dry_run:
                    raise RollBack
                claimed = _claims.claim_processes(
                    supplier=supplier,
                    rows=[
                        (item.external_account_number, item.payload, account)
                        for item, account in zip(todo, accounts, strict=True)
                    ],
                    staged=staged,
                    now=now,
                )
                if claimed != len(todo):
                    raise _ChunkConflict
            for item in todo:
                outcomes[item.index] = Outcome(item.external_account_number, IMPORTED)
        except RollBack:
            for item in todo:
                outcomes[item.index] = Outcome(item.external_account_number, IMPORTED)
        except (_ChunkConflict, IntegrityError, DataError, ValidationFailed, OperationalError) as exc:
            if isinstance(exc, OperationalError) and not isinstance(
                exc.__cause__, psycopg_errors.DeadlockDetected
            ):
                raise
            for item in todo:
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
        models.AccountImportProcess.objects.filter(
            bulk.AnyOf(F("external_account_number"), numbers), supplier=supplier
        )
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
