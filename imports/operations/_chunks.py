"""Importing a chunk of account payloads in one transaction (a file import's or a benchmark's unit of
work), falling back to one transaction per account when the database refuses the chunk."""

from __future__ import annotations

import dataclasses
import functools
import gc
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from django.db import DataError, IntegrityError, OperationalError, connection, connections, transaction
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

    Outside a transaction, each chunk is committed on a second connection while the next one is
    written (`_PipelinedWriter`); a chunk's outcomes are yielded once it is committed. Inside the
    caller's transaction (nothing can be committed apart), one connection writes them in turn.

    The same outcomes, rows and recorded failures as `import_accounts` chunk after chunk: everything
    the database is asked (what is imported already, the identifiers other accounts hold) is asked
    on this thread. A chunk sharing an external account number or an identifier (meter point,
    payment instruction, reference, customer email) with a chunk before it which was not written, or
    not committed, when it was asked, asks again once that one is committed, and if the answers
    changed is validated again with the new ones before anything of it is written or recorded.

    While it runs, the interpreter's switch interval is `SWITCH_INTERVAL` and the collector's
    youngest generation threshold `YOUNG_GENERATION_THRESHOLD` (see there); both are put back when
    the chunks are done or the generator is closed.

    Raises OperationalError other than a deadlock.
    """
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    gc.set_threshold(max(thresholds[0], YOUNG_GENERATION_THRESHOLD), *thresholds[1:])
    # Inside the caller's transaction nothing can be committed chunk by chunk: one connection.
    writer = _PipelinedWriter() if connection.get_autocommit() and not connection.in_atomic_block else None
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-validation") as validator:
            ahead: tuple[Chunk, _Screen, Future] | None = None
            for chunk in chunks:
                screen = _screen(chunk)
                unwritten = [ahead[1]] if ahead is not None else []
                if writer is not None:
                    unwritten += writer.uncommitted_screens()
                if any(screen.shares_keys_with(other) for other in unwritten):
                    screen = dataclasses.replace(screen, stale=True)
                validated = validator.submit(_validate, chunk, screen=screen, catalogue=catalogue)
                if ahead is not None:
                    yield from _write_ahead(ahead, writer=writer, catalogue=catalogue, dry_run=dry_run)
                ahead = (chunk, screen, validated)
            if ahead is not None:
                yield from _write_ahead(ahead, writer=writer, catalogue=catalogue, dry_run=dry_run)
            if writer is not None:
                yield from writer.settle()
    finally:
        if writer is not None:
            writer.close()
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)


def _write_ahead(
    ahead: tuple[Chunk, _Screen, Future],
    *,
    writer: _PipelinedWriter | None,
    catalogue: catalogue_module.Catalogue,
    dry_run: bool,
) -> Iterator[list[Outcome]]:
    """Write the chunk validated ahead: at once on one connection, or through `writer`, yielding
    the outcomes of each chunk whose commit is done."""
    chunk, screen, validated = ahead
    if writer is not None and screen.stale:
        # Asked again (`_results`) only once every chunk before it is committed.
        yield from writer.settle()
    results = _results(chunk, screen, validated, catalogue=catalogue)
    write = functools.partial(_write, chunk, results=results, catalogue=catalogue, dry_run=dry_run)
    if writer is None:
        yield write()
    else:
        yield from writer.write(screen, write)


class _PipelinedWriter:
    """Two connections taking turns, so that a chunk is written while the one before commits.

    A chunk's commit is the server checking the deferred foreign keys of its rows (some twenty per
    account) and flushing the WAL: about 45 ms for 200 accounts, a sixth of the writer's time on the
    chunk, which it spent waiting. Here each chunk is written in one transaction on the idle
    connection (the thread's `connections["default"]` while it writes; its own savepoints inside, as
    before) and committed on a second thread, while the next chunk is written on the other
    connection. A chunk's outcomes are given out only once its commit is done, in order, so what is
    reported imported is durable with its process rows; a run killed at any point leaves each chunk
    all there or not at all, and is resumed as before. A chunk whose commit the database refuses is
    written again on its own, in autocommit as on one connection (falling back account by account).

    Chunks written before this one's commit is done cannot see its rows: `uncommitted_screens`
    says which keys they must ask about again once it is (`settle`)."""

    def __init__(self) -> None:
        self.own = connections["default"]
        self.idle = self.own
        self.spare = connections.create_connection("default")
        self.committer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-commit")
        # The chunk committing on the thread: (its screen, the commit, its outcomes, its write).
        self.committing: tuple[_Screen, Future, list[Outcome], Callable[[], list[Outcome]]] | None = None

    def uncommitted_screens(self) -> list[_Screen]:
        return [self.committing[0]] if self.committing is not None else []

    def write(self, screen: _Screen, write: Callable[[], list[Outcome]]) -> Iterator[list[Outcome]]:
        """`write` a chunk in a transaction on the idle connection, commit it on the thread, and
        yield the outcomes of the chunk committed before it."""
        busy = self.idle
        busy.set_autocommit(False)
        try:
            outcomes = write()
        except BaseException:
            busy.rollback()
            busy.set_autocommit(True)
            raise
        busy.inc_thread_sharing()
        committing = self.committing
        self.committing = (screen, self.committer.submit(_commit, busy), outcomes, write)
        self.idle = self.spare if busy is self.own else self.own
        connections["default"] = self.idle
        if committing is not None:
            yield self._finish(*committing)

    def settle(self) -> Iterator[list[Outcome]]:
        """Wait for the commit in flight and give out its chunk's outcomes."""
        committing, self.committing = self.committing, None
        if committing is not None:
            yield self._finish(*committing)

    @staticmethod
    def _finish(_screen, committed: Future, outcomes, write) -> list[Outcome]:
        try:
            committed.result()
        except (IntegrityError, DataError, OperationalError) as exc:
            if isinstance(exc, OperationalError) and not isinstance(
                exc.__cause__, psycopg_errors.DeadlockDetected
            ):
                raise
            # Written again, in a transaction of its own and then account by account, as on one
            # connection; nothing of the refused transaction is left.
            return write()
        return outcomes

    def close(self) -> None:
        """Wait for the commit in flight (its outcomes unreported), put the thread's connection back."""
        if self.committing is not None:
            futures.wait([self.committing[1]])
            self.committing = None
        self.committer.shutdown()
        connections["default"] = self.own
        self.spare.close()


def _commit(busy) -> None:
    """On the committing thread: end the transaction the writer left open on `busy`."""
    try:
        busy.commit()
    except BaseException:
        busy.rollback()
        raise
    finally:
        busy.set_autocommit(True)
        busy.dec_thread_sharing()


def _results(
    chunk: Chunk, screen: _Screen, validated: Future, *, catalogue: catalogue_module.Catalogue
) -> list[Outcome | ValidationFailed | dict]:
    """The chunk's validation results, validated again if the chunks written since it was screened
    changed what the database answers about its keys."""
    results = validated.result()
    if screen.stale:
        fresh = _screen(chunk, storable=screen.storable)
        if (fresh.done, fresh.lookup) != (screen.done, screen.lookup):
            results = _validate(chunk, screen=fresh, catalogue=catalogue)
    return results


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
