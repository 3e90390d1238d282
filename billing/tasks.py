"""Celery doors of billing: load by id, read the clock, make one domain call, enqueue what follows.

Every task is `acks_late` (settings), and each is safe to run twice because the operations it calls
are idempotent (billing/operations says how). Work in progress is leased in the database, so a lost
worker's work is handed on by the lease sweep within a minute, not when the broker's visibility
timeout (an hour) gives back its unacknowledged message.
"""

from __future__ import annotations

import logging
import os

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from billing import operations, queries, vendors

logger = logging.getLogger(__name__)

# Database hiccups (failover, dropped connection) are retried a bounded number of times; the work
# stays PENDING in the database either way, so an exhausted task can be resumed from admin.
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_RETRY = {"autoretry_for": TRANSIENT_DATABASE_ERRORS, "max_retries": 5, "retry_backoff": True}


def _worker(task) -> str:
    """This worker process's name on the work it claims (`host:pid`)."""
    return f"{task.request.hostname or 'local'}:{os.getpid()}"


def enqueue_billing_run(*, billing_run_id: int) -> None:
    """Start a run once the transaction that created it commits."""
    transaction.on_commit(lambda: start_billing_run.apply_async(kwargs={"billing_run_id": billing_run_id}))


def enqueue_payment_collection(*, bill_id: int) -> None:
    transaction.on_commit(lambda: collect_bill_payment.apply_async(kwargs={"bill_id": bill_id}))


@shared_task(
    name="billing.start_billing_run",
    queue=settings.BILLING_QUEUE,
    acks_late=True,
    bind=True,
    **DATABASE_RETRY,
)
def start_billing_run(self, *, billing_run_id: int, **kwargs) -> int:
    """Fan a run out into chunk tasks (or re-send the chunks still pending, for a resume), then
    say so; if this worker dies before, the lease sweep resumes the run."""
    chunks = operations.start_billing_run(
        billing_run_id=billing_run_id, now=timezone.now(), worker=_worker(self)
    )
    for chunk in chunks:
        bill_chunk.apply_async(kwargs={"billing_run_id": billing_run_id, "chunk": chunk})
    if chunks:
        operations.mark_rung(billing_run_id=billing_run_id)
    return len(chunks)


@shared_task(
    name="billing.bill_chunk", queue=settings.BILLING_QUEUE, acks_late=True, bind=True, **DATABASE_RETRY
)
def bill_chunk(self, *, billing_run_id: int, chunk: int, **kwargs) -> dict:
    result = operations.bill_chunk(
        billing_run_id=billing_run_id, chunk=chunk, now=timezone.now(), worker=_worker(self)
    )
    return {"claimed": result.claimed, "billed": result.billed, "run_finished": result.run_finished}


@shared_task(name="billing.requeue_expired_leases", queue=settings.BILLING_QUEUE)
def requeue_expired_leases(**kwargs) -> int:
    """The beat sweep (every 30 s): hand the billing and collection work of lost workers (and of
    lost or unacknowledged messages) to others, and resume runs whose fan-out was lost."""
    requeued = operations.requeue_expired_work(now=timezone.now())
    for run_id in requeued.runs:
        start_billing_run.apply_async(kwargs={"billing_run_id": run_id})
    for run_id, chunk in requeued.chunks:
        bill_chunk.apply_async(kwargs={"billing_run_id": run_id, "chunk": chunk})
    for bill_id in requeued.bills:
        collect_bill_payment.apply_async(kwargs={"bill_id": bill_id})
    return requeued.count


@shared_task(
    name="billing.create_monthly_billing_run", queue=settings.BILLING_QUEUE, acks_late=True, **DATABASE_RETRY
)
def create_monthly_billing_run(**kwargs) -> int:
    """Beat: bill last month. Firing twice finds the same run, and starting it again is harmless."""
    run = operations.create_scheduled_billing_run(
        now=timezone.now(),
        tz=queries.billing_time_zone(),
        hold_for_review=settings.BILLING_HOLD_BILLS_FOR_REVIEW,
    )
    start_billing_run.apply_async(kwargs={"billing_run_id": run.pk})
    return run.pk


@shared_task(
    name="billing.collect_bill_payment",
    queue=settings.PAYMENTS_QUEUE,
    acks_late=True,
    bind=True,
    max_retries=None,
)
def collect_bill_payment(self, *, bill_id: int, **kwargs) -> str:
    """Collect a bill. While the vendor cannot answer, the attempt stays PENDING and is re-sent with
    its key, with exponential backoff, until the operation reconciles it (COLLECTION_MAX_TRIES);
    declines, failures and other anticipated refusals are final for this attempt."""
    try:
        attempt = operations.collect_bill_payment(bill_id=bill_id, now=timezone.now(), worker=_worker(self))
    except vendors.VendorUnavailable as error:
        countdown = operations.vendor_retry_delay(tries=self.request.retries + 1)
        raise self.retry(exc=error, countdown=countdown) from error
    except (operations.CollectionError, vendors.VendorError, vendors.UnknownVendor) as error:
        logger.info("Bill %s not collected: %s (%s)", bill_id, error, getattr(error, "code", ""))
        return getattr(error, "code", "")
    return attempt.status


@shared_task(
    name="billing.collect_due_payments", queue=settings.PAYMENTS_QUEUE, acks_late=True, **DATABASE_RETRY
)
def collect_due_payments(*, limit: int = 1000, **kwargs) -> int:
    """Beat: one collection task per collectable bill (including bills due again on the dunning
    schedule)."""
    bill_ids = queries.collectable_bill_ids(now=timezone.now(), limit=limit)
    for bill_id in bill_ids:
        collect_bill_payment.apply_async(kwargs={"bill_id": bill_id})
    return len(bill_ids)
