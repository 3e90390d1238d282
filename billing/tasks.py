"""Celery doors of billing: load by id, read the clock, make one domain call, enqueue what follows.

Every task is `acks_late` (settings), so a crashed worker's task is delivered again; each is safe to
run twice because the operations it calls are idempotent (billing/operations.py says how).
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
PAYMENT_MAX_RETRIES = 6
# Seconds before the first retry of a transient vendor failure; doubled each time (capped at 1 h).
PAYMENT_RETRY_BASE_SECONDS = float(os.environ.get("BILLING_PAYMENT_RETRY_BASE_SECONDS", "30"))


def enqueue_billing_run(*, billing_run_id: int) -> None:
    """Start a run once the transaction that created it commits."""
    transaction.on_commit(lambda: start_billing_run.apply_async(kwargs={"billing_run_id": billing_run_id}))


def enqueue_payment_collection(*, bill_id: int) -> None:
    transaction.on_commit(lambda: collect_bill_payment.apply_async(kwargs={"bill_id": bill_id}))


@shared_task(name="billing.start_billing_run", queue=settings.BILLING_QUEUE, acks_late=True, **DATABASE_RETRY)
def start_billing_run(*, billing_run_id: int, **kwargs) -> int:
    """Fan a run out into chunk tasks (or re-send the chunks still pending, for a resume)."""
    chunks = operations.start_billing_run(billing_run_id=billing_run_id, now=timezone.now())
    for chunk in chunks:
        bill_chunk.apply_async(kwargs={"billing_run_id": billing_run_id, "chunk": chunk})
    return len(chunks)


@shared_task(name="billing.bill_chunk", queue=settings.BILLING_QUEUE, acks_late=True, **DATABASE_RETRY)
def bill_chunk(*, billing_run_id: int, chunk: int, **kwargs) -> dict:
    result = operations.bill_chunk(billing_run_id=billing_run_id, chunk=chunk, now=timezone.now())
    return {"claimed": result.claimed, "billed": result.billed, "run_finished": result.run_finished}


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
    max_retries=PAYMENT_MAX_RETRIES,
)
def collect_bill_payment(self, *, bill_id: int, **kwargs) -> str:
    """Collect a bill. Transient vendor errors retry with exponential backoff and the same
    idempotency key; declines and other anticipated refusals are final."""
    try:
        attempt = operations.collect_bill_payment(bill_id=bill_id, now=timezone.now())
    except vendors.VendorUnavailable as error:
        countdown = min(PAYMENT_RETRY_BASE_SECONDS * 2**self.request.retries, 3600)
        raise self.retry(exc=error, countdown=countdown) from error
    except (operations.CollectionError, vendors.VendorError) as error:
        logger.info("Bill %s not collected: %s (%s)", bill_id, error, getattr(error, "code", ""))
        return getattr(error, "code", "")
    return attempt.status


@shared_task(
    name="billing.collect_due_payments", queue=settings.PAYMENTS_QUEUE, acks_late=True, **DATABASE_RETRY
)
def collect_due_payments(*, limit: int = 1000, **kwargs) -> int:
    """Beat: one collection task per collectable bill."""
    bill_ids = queries.collectable_bill_ids(limit=limit)
    for bill_id in bill_ids:
        collect_bill_payment.apply_async(kwargs={"bill_id": bill_id})
    return len(bill_ids)
