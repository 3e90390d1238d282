"""Leases on billing work (billing run items, the fan-out of a run, collection attempts): the
database is the source of truth for work in progress, the broker only rings the bell.

Work rung on the queue holds a long lease (a worker should take it by then); a worker claims it with
a short lease, in a transaction of its own, before doing it; finished work drops its lease.
`requeue_expired_work` (the beat sweep, every 30 s) finds work whose lease ran out (its worker died,
its message was lost or is held unacknowledged by a dead worker for the broker's visibility timeout)
and says what to ring again; a run item that wore out BILLING_MAX_ATTEMPTS workers is recorded
FAILED with the reason. Lease times are the database's clock, so workers on many hosts agree.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.db.models.functions import Now

from billing import error_codes, models

logger = logging.getLogger(__name__)
ItemStatus = models.BillingRunItemStatus


def lease_seconds() -> int:
    """A run item's or a fan-out's lease: it need only cover the moments before the chunk's
    transaction locks its items (a live worker's locked rows are never handed on)."""
    return settings.BILLING_LEASE_SECONDS


def collection_lease_seconds() -> int:
    """A collection attempt's lease: it covers the vendor call, so it outlasts the vendor timeout."""
    return settings.COLLECTION_LEASE_SECONDS


def queued_lease_seconds() -> int:
    return settings.BILLING_QUEUED_LEASE_SECONDS


def this_worker() -> str:
    """This process's name on the work it claims (`host:pid`), when its caller names none."""
    return f"{socket.gethostname()}:{os.getpid()}"


def lease_for(seconds: float) -> ExpressionWrapper:
    """`now() + seconds`, on the database's clock."""
    return ExpressionWrapper(Now() + Value(timedelta(seconds=seconds)), output_field=DateTimeField())


def database_now() -> datetime:
    """The database's clock (the transaction's start, inside one)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


CLAIM_ITEMS_SQL = """
WITH claimable AS (
    SELECT id FROM billing_billingrunitem
    WHERE billing_run_id = %(run)s AND chunk = %(chunk)s AND status = 'PENDING'
        AND (claimed_by = '' OR lease_until IS NULL OR lease_until < now())
    ORDER BY id
    FOR UPDATE SKIP LOCKED
)
UPDATE billing_billingrunitem AS item
SET claimed_by = %(worker)s, lease_until = now() + make_interval(secs => %(seconds)s),
    attempts = item.attempts + 1
FROM claimable WHERE item.id = claimable.id
RETURNING item.id
"""


def claim_items(*, billing_run_id: int, chunk: int, worker: str) -> list[int]:
    """Take a chunk's PENDING items that no live worker holds, for `worker`, with a short lease;
    committed at once, so the lease outlives this worker. Returns the ids taken. Raises nothing."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Seen by every worker once committed, without waiting for the disk: a lease lost with the
        # database server itself only leaves the items claimable again, and a chunk's bills are
        # written by a transaction of its own that does wait.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            CLAIM_ITEMS_SQL,
            {"run": billing_run_id, "chunk": chunk, "worker": worker, "seconds": lease_seconds()},
        )
        return sorted(row[0] for row in cursor.fetchall())


def mark_rung(*, billing_run_id: int) -> None:
    """Every chunk `start_billing_run` returned is on the queue (its waiting items hold the queued
    lease it gave them): the run's fan-out is done. Touches no item, so it never locks one a chunk
    task is claiming."""
    models.BillingRun.objects.filter(pk=billing_run_id).update(claimed_by="", lease_until=None)


@dataclasses.dataclass(frozen=True)
class Requeued:
    """Work to ring again: (run, chunk) pairs, runs to resume (their fan-out was lost), bills whose
    collection attempt's lease ran out; and how many run items were given up on."""

    chunks: tuple[tuple[int, int], ...] = ()
    runs: tuple[int, ...] = ()
    bills: tuple[int, ...] = ()
    failed_items: int = 0

    @property
    def count(self) -> int:
        return len(self.chunks) + len(self.runs) + len(self.bills)


def requeue_expired_work(*, now: datetime) -> Requeued:
    """Find billing and collection work whose lease ran out and give it a queued lease again; record
    FAILED (code `worker_lost`) each run item that wore out BILLING_MAX_ATTEMPTS workers. Rows a live
    worker is writing are skipped. Returns what to enqueue (after this commits). Raises nothing."""
    from billing.operations._runs import finish_billing_run_if_done

    max_attempts = settings.BILLING_MAX_ATTEMPTS
    with transaction.atomic():
        expired = list(
            models.BillingRunItem.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=ItemStatus.PENDING,
                lease_until__lt=Now(),
                billing_run__status=models.BillingRunStatus.RUNNING,
            )
            .order_by("id")
            .values_list("id", "billing_run_id", "chunk", "attempts")
        )
        given_up = [row for row in expired if row[3] >= max_attempts]
        again = [row for row in expired if row[3] < max_attempts]
        _fail_items([row[0] for row in given_up], max_attempts=max_attempts, now=now)
        models.BillingRunItem.objects.filter(pk__in=[row[0] for row in again]).update(
            claimed_by="", lease_until=lease_for(queued_lease_seconds())
        )
        # A run whose fan-out worker was lost (its lease ran out), or whose items wait for a resume
        # nobody rang (released from review, no lease on run or items).
        unrung = models.BillingRunItem.objects.filter(
            billing_run=OuterRef("pk"), status=ItemStatus.PENDING, lease_until__isnull=True
        )
        runs = list(
            models.BillingRun.objects.select_for_update(skip_locked=True)
            .filter(status=models.BillingRunStatus.RUNNING)
            .filter(Q(lease_until__lt=Now()) | Q(lease_until__isnull=True) & Exists(unrung))
            .values_list("id", flat=True)
        )
        models.BillingRun.objects.filter(pk__in=runs).update(claimed_by="", lease_until=None)
        bills = list(
            models.PaymentCollectionAttempt.objects.select_for_update(skip_locked=True)
            .filter(status=models.CollectionAttemptStatus.PENDING, lease_until__lt=Now())
            .values_list("bill_id", flat=True)
        )
        models.PaymentCollectionAttempt.objects.filter(
            status=models.CollectionAttemptStatus.PENDING, bill_id__in=bills
        ).update(claimed_by="", lease_until=lease_for(queued_lease_seconds()))
    for run_id in sorted({row[1] for row in given_up}):
        finish_billing_run_if_done(billing_run_id=run_id, now=now)
    if given_up:
        logger.error(
            "Recorded FAILED %s billing run item(s) that lost %s workers", len(given_up), max_attempts
        )
    requeued = Requeued(
        chunks=tuple(sorted({(row[1], row[2]) for row in again if row[1] not in runs})),
        runs=tuple(sorted(runs)),
        bills=tuple(sorted(bills)),
        failed_items=len(given_up),
    )
    if requeued.count:
        logger.warning(
            "Lease sweep: re-queued %s chunk(s), resumed %s run(s), re-sent %s collection(s)",
            len(requeued.chunks),
            len(requeued.runs),
            len(requeued.bills),
        )
    return requeued


def _fail_items(ids: list[int], *, max_attempts: int, now: datetime) -> None:
    if not ids:
        return
    models.BillingRunItem.objects.filter(pk__in=ids).update(
        status=ItemStatus.FAILED,
        error_code=error_codes.WORKER_LOST,
        error_detail=(
            f"Billing this account stopped {max_attempts} times without finishing (its worker was lost "
            "each time), so it is not tried again. Bill the account by hand, or in a later run."
        ),
        processed_at=now,
        claimed_by="",
        lease_until=None,
    )
    for run_id, count in _count_by_run(ids).items():
        models.BillingRun.objects.filter(pk=run_id).update(failed_accounts=F("failed_accounts") + count)


def _count_by_run(ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for run_id in models.BillingRunItem.objects.filter(pk__in=ids).values_list("billing_run_id", flat=True):
        counts[run_id] = counts.get(run_id, 0) + 1
    return counts


def released() -> dict:
    """The fields of work no longer in progress."""
    return {"claimed_by": "", "lease_until": None}
