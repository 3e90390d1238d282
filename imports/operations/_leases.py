"""Leases on async import work (v2 scheduled imports, batch accounts): the database is the source of
truth for work in progress, the broker only rings the bell.

A queued row holds a long lease (a worker should take it by then); a worker claims rows with a short
lease and renews it as it goes; a row finished (or refused) drops its lease. `requeue_expired_leases`
(the beat sweep, every 30 s) puts back every row whose lease ran out (its worker died, its message
was lost) and gives up, recording why, on a row that wore out `MAX_ATTEMPTS` workers. Rows a live
worker is writing stay locked (SELECT ... FOR UPDATE) and are skipped. Lease times are the database's
clock, so workers on many hosts agree on them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, Value
from django.db.models.functions import Now

from imports import error_codes, models
from imports.operations._base import EVENT_ERRORED, event

logger = logging.getLogger(__name__)
Status = models.ImportProcessStatus

# A worker renews its lease after each account; one account takes well under this.
LEASE_SECONDS = getattr(settings, "IMPORTS_LEASE_SECONDS", 10)
# How long a queued row may wait for a worker before the sweep rings the bell again.
QUEUED_LEASE_SECONDS = getattr(settings, "IMPORTS_QUEUED_LEASE_SECONDS", 600)
# Workers lost on one row before it is recorded ERRORED instead of tried again.
MAX_ATTEMPTS = getattr(settings, "IMPORTS_MAX_ATTEMPTS", 3)
REQUEUE_CHUNK_SIZE = 100
WORKING = (Status.PENDING, Status.IN_PROGRESS)

CLAIM_SQL = """
WITH claimable AS (
    SELECT id FROM imports_accountimportprocess
    WHERE id = ANY(%(ids)s) AND status IN ('PENDING', 'IN_PROGRESS')
        AND (claimed_by = '' OR lease_until IS NULL OR lease_until < now())
    ORDER BY id
    FOR UPDATE SKIP LOCKED
)
UPDATE imports_accountimportprocess AS p
SET claimed_by = %(worker)s, lease_until = now() + make_interval(secs => %(seconds)s),
    attempts = p.attempts + 1, status = 'IN_PROGRESS', modified_at = now()
FROM claimable WHERE p.id = claimable.id
RETURNING p.id
"""
RENEW_SQL = """
UPDATE imports_accountimportprocess
SET lease_until = now() + make_interval(secs => %(seconds)s)
WHERE id = ANY(%(ids)s) AND claimed_by = %(worker)s AND status IN ('PENDING', 'IN_PROGRESS')
RETURNING id
"""


def queued_lease() -> dict:
    """The fields of a row put on the queue: no worker, a long lease."""
    return {
        "claimed_by": "",
        "lease_until": ExpressionWrapper(
            Now() + Value(timedelta(seconds=QUEUED_LEASE_SECONDS)), output_field=DateTimeField()
        ),
    }


def released() -> dict:
    """The fields of a row no longer in progress: no worker, no lease."""
    return {"claimed_by": "", "lease_until": None}


def claim(*, process_ids: Iterable[int], worker: str) -> list[int]:
    """Take the rows of `process_ids` that are waiting (or whose worker's lease ran out) for
    `worker`, with a short lease. Returns the ids taken, in id order; rows another live worker holds
    or is writing are not taken. Raises nothing."""
    ids = list(process_ids)
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, {"ids": ids, "worker": worker, "seconds": LEASE_SECONDS})
        return sorted(row[0] for row in cursor.fetchall())


def renew(*, process_ids: Iterable[int], worker: str) -> set[int]:
    """Renew `worker`'s lease on these rows. Returns the ids it still holds (the sweep may have
    given a row to another worker meanwhile). Raises nothing."""
    ids = list(process_ids)
    if not ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(RENEW_SQL, {"ids": ids, "worker": worker, "seconds": LEASE_SECONDS})
        return {row[0] for row in cursor.fetchall()}


@dataclasses.dataclass(frozen=True)
class Requeued:
    """Work to put back on the queue: accounts of batches (batch id, process ids) in chunks, and
    single v2 imports; and how many rows were given up on."""

    chunks: tuple[tuple[int, tuple[int, ...]], ...] = ()
    singles: tuple[int, ...] = ()
    abandoned: int = 0
    abandoned_batches: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.chunks or self.singles)

    @property
    def count(self) -> int:
        """How many imports to enqueue."""
        return len(self.singles) + sum(len(ids) for _, ids in self.chunks)


def requeue_expired_leases(*, now: datetime) -> Requeued:
    """Put back on the queue every waiting or in-progress row whose lease ran out, and record ERRORED
    (code `import_worker_lost`) each one that wore out MAX_ATTEMPTS workers. Rows a live worker is
    writing are skipped. Returns what to enqueue. Raises nothing."""
    with transaction.atomic():
        expired = list(
            models.AccountImportProcess.objects.select_for_update(skip_locked=True)
            .filter(lease_until__lt=Now(), status__in=WORKING)
            .order_by("id")
            .values_list("id", "import_process_id", "attempts", "task_params")
        )
        abandoned = [row for row in expired if row[2] >= MAX_ATTEMPTS]
        again = [row for row in expired if row[2] < MAX_ATTEMPTS]
        _abandon(abandoned, now=now)
        models.AccountImportProcess.objects.filter(pk__in=[row[0] for row in again]).update(
            status=Status.PENDING, **queued_lease()
        )
    if abandoned:
        logger.error("Gave up on %s import(s) after %s lost workers", len(abandoned), MAX_ATTEMPTS)
    if again:
        logger.warning("Re-queued %s import(s) whose worker lease expired", len(again))
    requeued = work_of([(row[0], row[1]) for row in again])
    return dataclasses.replace(
        requeued,
        abandoned=len(abandoned),
        abandoned_batches=tuple(sorted({row[1] for row in abandoned if row[1] is not None})),
    )


def _abandon(rows: list[tuple], *, now: datetime) -> None:
    """Record these rows ERRORED (DRY_RUN_ERRORED for a dry run) as having lost their workers."""
    error = {
        "code": error_codes.IMPORT_WORKER_LOST,
        "detail": (
            f"The import of this account stopped {MAX_ATTEMPTS} times without finishing (its worker "
            "was lost each time), so it is not tried again. Retry it from admin, or schedule it again."
        ),
        "domain": "import_process",
    }
    for dry_run in (False, True):
        ids = [row[0] for row in rows if bool((row[3] or {}).get("is_dry_run")) is dry_run]
        if ids:
            models.AccountImportProcess.objects.filter(pk__in=ids).update(
                status=Status.DRY_RUN_ERRORED if dry_run else Status.ERRORED,
                latest_error=error,
                latest_event=event(EVENT_ERRORED, now, error),
                **released(),
            )


def work_of(rows: Iterable[tuple[int, int | None]]) -> Requeued:
    """(process id, batch id or None) rows as the work to enqueue: batch rows in chunks of
    REQUEUE_CHUNK_SIZE per batch, the others as single imports."""
    by_batch: dict[int, list[int]] = {}
    singles = []
    for process_id, batch_id in rows:
        if batch_id is None:
            singles.append(process_id)
        else:
            by_batch.setdefault(batch_id, []).append(process_id)
    chunks = tuple(
        (batch_id, tuple(ids[start : start + REQUEUE_CHUNK_SIZE]))
        for batch_id, ids in sorted(by_batch.items())
        for start in range(0, len(ids), REQUEUE_CHUNK_SIZE)
    )
    return Requeued(chunks=chunks, singles=tuple(singles))
