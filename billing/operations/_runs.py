"""Billing runs: created once per period, fanned out in chunks, each account billed exactly once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Now

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from billing import calculation, error_codes, models, queries
from billing.operations._bills import AlreadyBilled, energy_ledger_ids, write_bill_rows
from billing.operations._leases import (
    claim_items,
    database_now,
    lease_for,
    lease_seconds,
    queued_lease_seconds,
    this_worker,
)
from kernel import bulk, ranges

logger = logging.getLogger(__name__)

TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)


class InvalidBillingRun(ValueError):
    """A billing run's period is not a finite, non-empty half-open period."""

    code = error_codes.INVALID_PERIOD


class NotAwaitingReview(ValueError):
    """The run holds no bills for review (it never held any, or they were released or discarded)."""


class NothingToRetry(ValueError):
    """The run has no FAILED accounts, or is not finished or running."""


DISCARDED_IN_REVIEW = "DISCARDED_IN_REVIEW"


def create_billing_run(
    *,
    period: ranges.Period,
    created_at: datetime,
    scope: dict | None = None,
    origin: str = models.BillingRunOrigin.ADMIN,
    created_by: accounts_models.User | None = None,
    chunk_size: int | None = None,
    hold_for_review: bool = False,
) -> models.BillingRun:
    """A PENDING billing run; `start_billing_run` fans it out. With `hold_for_review` its bills are
    calculated and held until `release_held_bills` issues them (or `discard_held_bills`).
    `chunk_size` defaults to BILLING_CHUNK_SIZE.

    Raises InvalidBillingRun.
    """
    if not period.is_finite or period.end <= period.start:
        raise InvalidBillingRun("A billing run needs a finite, non-empty period")
    if chunk_size is None:
        chunk_size = models.default_chunk_size()
    if chunk_size < 1:
        raise InvalidBillingRun("Chunk size must be positive")
    with transaction.atomic():
        run = models.BillingRun.objects.create(
            period_start=period.start,
            period_end=period.end,
            scope=scope or {},
            origin=origin,
            created_by=created_by,
            chunk_size=chunk_size,
            hold_for_review=hold_for_review,
        )
        accounts_operations.record_audit(
            action="BILLING_RUN_CREATED",
            obj=run,
            actor=created_by,
            occurred_at=created_at,
            data={"hold_for_review": hold_for_review},
        )
    return run


def request_billing_run_start(
    *, billing_run_id: int, requested_at: datetime, requested_by: accounts_models.User | None
) -> bool:
    """Record that someone pressed Start on a PENDING run. True for the one call that did it first
    (its caller enqueues the run, after commit); False for every repeat (a double click, a second
    person), which must enqueue nothing.

    Raises BillingRun.DoesNotExist.
    """
    with transaction.atomic():
        claimed = models.BillingRun.objects.filter(
            pk=billing_run_id, status=models.BillingRunStatus.PENDING, start_requested_at__isnull=True
        ).update(start_requested_at=requested_at)
        run = models.BillingRun.objects.get(pk=billing_run_id)
        if claimed:
            accounts_operations.record_audit(
                action="BILLING_RUN_START_REQUESTED", obj=run, actor=requested_by, occurred_at=requested_at
            )
    return bool(claimed)


def release_held_bills(
    *, billing_run_id: int, released_at: datetime, released_by: accounts_models.User | None
) -> models.BillingRun:
    """Issue the bills a run held for review: its HELD accounts go back to PENDING and the run to
    RUNNING, so resuming it (`start_billing_run`) bills them, recalculated from the same readings.

    Raises BillingRun.DoesNotExist, NotAwaitingReview.
    """
    with transaction.atomic():
        run = models.BillingRun.objects.select_for_update().get(pk=billing_run_id)
        if run.status != models.BillingRunStatus.AWAITING_REVIEW:
            raise NotAwaitingReview(f"{run} holds no bills for review")
        # No lease: the lease sweep resumes the run if the resume its caller enqueues is lost.
        models.BillingRunItem.objects.filter(billing_run=run, status=models.BillingRunItemStatus.HELD).update(
            status=models.BillingRunItemStatus.PENDING, claimed_by="", lease_until=None
        )
        run.status, run.held_accounts = models.BillingRunStatus.RUNNING, 0
        run.released_at, run.released_by = released_at, released_by
        run.save(update_fields=["status", "held_accounts", "released_at", "released_by"])
        accounts_operations.record_audit(
            action="BILLING_RUN_RELEASED", obj=run, actor=released_by, occurred_at=released_at
        )
    return run


def discard_held_bills(
    *, billing_run_id: int, discarded_at: datetime, discarded_by: accounts_models.User | None, reason: str
) -> models.BillingRun:
    """Issue none of the bills a run held: its HELD accounts are SKIPPED with the reason and the run
    completes.

    Raises BillingRun.DoesNotExist, NotAwaitingReview.
    """
    with transaction.atomic():
        run = models.BillingRun.objects.select_for_update().get(pk=billing_run_id)
        if run.status != models.BillingRunStatus.AWAITING_REVIEW:
            raise NotAwaitingReview(f"{run} holds no bills for review")
        discarded = models.BillingRunItem.objects.filter(
            billing_run=run, status=models.BillingRunItemStatus.HELD
        ).update(
            status=models.BillingRunItemStatus.SKIPPED,
            error_code=DISCARDED_IN_REVIEW,
            error_detail=f"Discarded in review by {discarded_by}: {reason}",
        )
        run.skipped_accounts += discarded
        run.held_accounts = 0
        run.status = _finished_status(run)
        run.finished_at = discarded_at
        run.save(update_fields=["skipped_accounts", "held_accounts", "status", "finished_at"])
        accounts_operations.record_audit(
            action="BILLING_RUN_DISCARDED",
            obj=run,
            actor=discarded_by,
            occurred_at=discarded_at,
            data={"reason": reason, "accounts": discarded},
        )
    return run


def retry_failed_items(
    *, billing_run_id: int, retried_at: datetime, retried_by: accounts_models.User | None
) -> int:
    """Put a run's FAILED accounts (a calculation error since fixed, a worker lost too often, a crash)
    back to PENDING and the run back to RUNNING; its caller then resumes the run (after commit).
    Returns how many accounts were put back.

    Raises BillingRun.DoesNotExist, NothingToRetry.
    """
    with transaction.atomic():
        run = models.BillingRun.objects.select_for_update().get(pk=billing_run_id)
        if run.status not in (models.BillingRunStatus.RUNNING, models.BillingRunStatus.COMPLETED_WITH_ERRORS):
            raise NothingToRetry(
                f"{run} is {run.status}: only a running or finished run's failures are retried"
            )
        retried = models.BillingRunItem.objects.filter(
            billing_run=run, status=models.BillingRunItemStatus.FAILED
        ).update(
            status=models.BillingRunItemStatus.PENDING,
            error_code="",
            error_detail="",
            processed_at=None,
            attempts=0,
            claimed_by="",
            lease_until=None,
        )
        if not retried:
            raise NothingToRetry(f"{run} has no failed accounts")
        run.failed_accounts -= retried
        run.status, run.finished_at = models.BillingRunStatus.RUNNING, None
        run.save(update_fields=["failed_accounts", "status", "finished_at"])
        accounts_operations.record_audit(
            action="BILLING_RUN_FAILURES_RETRIED",
            obj=run,
            actor=retried_by,
            occurred_at=retried_at,
            data={"accounts": retried},
        )
    return retried


def create_scheduled_billing_run(
    *, now: datetime, tz: ZoneInfo, hold_for_review: bool = False
) -> models.BillingRun:
    """The scheduled run for the calendar month before `now` (local time), created once however
    often the schedule fires (unique constraint); returns the existing run if there is one."""
    local = now.astimezone(tz)
    end = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = (end - timedelta(days=1)).replace(day=1)
    period = ranges.Period(start.replace(tzinfo=tz), end.replace(tzinfo=tz))
    existing = models.BillingRun.objects.filter(
        origin=models.BillingRunOrigin.SCHEDULE, period_start=period.start, period_end=period.end
    ).first()
    if existing:
        return existing
    try:
        return create_billing_run(
            period=period,
            created_at=now,
            origin=models.BillingRunOrigin.SCHEDULE,
            hold_for_review=hold_for_review,
        )
    except IntegrityError:
        return models.BillingRun.objects.get(
            origin=models.BillingRunOrigin.SCHEDULE, period_start=period.start, period_end=period.end
        )


def start_billing_run(*, billing_run_id: int, now: datetime, worker: str = "") -> list[int]:
    """Enumerate a PENDING run's accounts into work items and mark it RUNNING; return the chunks that
    still have work (for a RUNNING run: a resume; for a finished one: none). The run is leased to
    `worker` (default: this process) until its caller has rung every chunk (`mark_rung`); if the
    caller dies first, the lease sweep resumes the run. The chunks' waiting items get their queued
    lease at once.

    Raises BillingRun.DoesNotExist.
    """
    with transaction.atomic():
        run = models.BillingRun.objects.select_for_update().get(id=billing_run_id)
        chunks, started = None, False
        if run.status == models.BillingRunStatus.PENDING:
            account_ids = list(queries.accounts_in_scope(scope=run.scope).values_list("id", flat=True))
            # Written with their queued lease (on the database's clock), so the lease below, which
            # gives one only to items lacking a live one, need not rewrite every item of the run.
            queued_until = database_now() + timedelta(seconds=queued_lease_seconds())
            chunk_size = run.chunk_size
            bulk.copy_rows(
                model=models.BillingRunItem,
                rows=[
                    _NewItem(run.pk, account_id, index // chunk_size, queued_until)
                    for index, account_id in enumerate(account_ids)
                ],
                now=now,
                binary=True,
            )
            run.total_accounts = len(account_ids)
            run.chunk_count = -(-len(account_ids) // run.chunk_size)
            run.status = models.BillingRunStatus.RUNNING
            run.started_at = now
            run.save(update_fields=["total_accounts", "chunk_count", "status", "started_at"])
            accounts_operations.record_audit(action="BILLING_RUN_STARTED", obj=run, occurred_at=now)
            chunks, started = list(range(run.chunk_count)), True
        if run.status != models.BillingRunStatus.RUNNING:
            return []
        if chunks is None:
            chunks = queries.pending_chunks(billing_run=run)
        if chunks:
            models.BillingRun.objects.filter(pk=run.pk).update(
                claimed_by=worker or this_worker(), lease_until=lease_for(lease_seconds())
            )
        if chunks and not started:
            # The waiting items' queued lease is given here, before any chunk task exists: a lease
            # given after ringing would lock items that a chunk task, already running on another
            # worker, then skips (SKIP LOCKED), leaving them to the sweep. Items just written carry
            # it already.
            models.BillingRunItem.objects.filter(
                Q(lease_until__isnull=True) | Q(lease_until__lt=Now()),
                billing_run_id=run.pk,
                chunk__in=chunks,
                status=models.BillingRunItemStatus.PENDING,
                claimed_by="",
            ).update(lease_until=lease_for(queued_lease_seconds()))
    if not chunks:
        finish_billing_run_if_done(billing_run_id=run.pk, now=now)
    return chunks


@dataclass(frozen=True)
class ChunkResult:
    claimed: int
    billed: int
    skipped: int
    failed: int
    run_finished: bool


def bill_chunk(*, billing_run_id: int, chunk: int, now: datetime, worker: str = "") -> ChunkResult:
    """Bill the still-PENDING accounts of one chunk of a run that no live worker holds: claim them
    with a lease for `worker` (default: this process), committed at once, then bill them in one
    transaction that drops the lease. Safe to call any number of times; if the worker dies, the
    lease sweep hands the items to another once the lease runs out.

    Raises BillingRun.DoesNotExist.
    """
    tz = queries.billing_time_zone()
    worker = worker or this_worker()
    run = models.BillingRun.objects.get(id=billing_run_id)
    if run.status != models.BillingRunStatus.RUNNING:
        return ChunkResult(0, 0, 0, 0, run_finished=run.status != models.BillingRunStatus.PENDING)
    claimed = claim_items(billing_run_id=run.pk, chunk=chunk, worker=worker)
    if not claimed:
        finished = finish_billing_run_if_done(billing_run_id=run.pk, now=now)
        return ChunkResult(0, 0, 0, 0, run_finished=finished)
    try:
        return _bill_claimed(billing_run_id=billing_run_id, claimed=claimed, now=now, tz=tz, worker=worker)
    except TRANSIENT_DATABASE_ERRORS:
        raise  # the task retries; if it cannot, the items' lease runs out and the sweep hands them on
    except Exception as error:
        logger.exception("Chunk %s of billing run %s failed", chunk, billing_run_id)
        failed = _fail_claimed(claimed=claimed, worker=worker, error=error, now=now)
        finished = finish_billing_run_if_done(billing_run_id=billing_run_id, now=now)
        return ChunkResult(len(claimed), 0, 0, failed, run_finished=finished)


def _bill_claimed(
    *, billing_run_id: int, claimed: list[int], now: datetime, tz: ZoneInfo, worker: str
) -> ChunkResult:
    with transaction.atomic():
        run = models.BillingRun.objects.get(id=billing_run_id)
        # Still ours: the sweep may have handed an item to another worker if we were very slow.
        items = dict(
            models.BillingRunItem.objects.filter(
                bulk.AnyOf(F("pk"), claimed), status=models.BillingRunItemStatus.PENDING, claimed_by=worker
            )
            .select_for_update()
            .order_by("id")
            .values_list("account_id", "id")
        )
        if run.status != models.BillingRunStatus.RUNNING:
            items = {}
        period = ranges.Period(run.period_start, run.period_end)
        account_ids = list(items)
        # Readings as known when the run started, so every chunk (and every redelivery) sees the same.
        inputs = queries.billing_inputs(account_ids=account_ids, period=period, as_of=run.started_at)
        already_billed = queries.accounts_with_live_bills(account_ids=account_ids, period=period)
        calculator = calculation.BillCalculator(period=period)
        drafts = {}
        outcomes: dict[int, _Outcome] = {}
        for account_id in account_ids:
            try:
                if account_id in already_billed:
                    raise AlreadyBilled("A live bill already covers this period")
                drafts[account_id] = calculator.calculate(account=inputs[account_id], tz=tz)
            except (calculation.NothingToBill, AlreadyBilled) as error:
                outcomes[account_id] = _Outcome(models.BillingRunItemStatus.SKIPPED, error.code, str(error))
            except calculation.BillingError as error:
                outcomes[account_id] = _Outcome(models.BillingRunItemStatus.FAILED, error.code, str(error))
            except Exception as error:
                logger.exception("Unable to calculate a bill in billing run %s", run.pk)
                outcomes[account_id] = _Outcome(
                    models.BillingRunItemStatus.FAILED, error_codes.UNEXPECTED_ERROR, repr(error)
                )
        bill_ids: dict[int, int] = {}
        held = run.hold_for_review and run.released_at is None
        if not held:
            bill_ids = _write_run_bills(drafts=drafts, outcomes=outcomes, run=run, issued_at=now)
        rows = [
            _item_outcome(
                item_id=items[account_id],
                outcome=outcomes.get(account_id),
                bill_id=bill_ids.get(account_id),
                held_total=drafts[account_id].total if held and account_id in drafts else None,
            )
            for account_id in account_ids
        ]
        _finish_items(rows=rows, now=now)
        counts = {status: 0 for status in models.BillingRunItemStatus.values}
        for row in rows:
            counts[row.status] += 1
        left = _count_outcomes(billing_run_id=run.pk, counts=counts) if rows else 0
        # In the same transaction, after the update above locked the run: a chunk finishing beside
        # this one waits for that lock, so it sees these items done and whichever is last finishes
        # the run; one commit per chunk fewer. The run's counters say whether any account is left
        # without reading its items (a scan of them per chunk grows with the run); only a chunk that
        # leaves none checks the items themselves.
        finished = left <= 0 and _finish_if_done(billing_run_id=run.pk, now=now)
    return ChunkResult(
        claimed=len(rows),
        billed=counts[models.BillingRunItemStatus.BILLED],
        skipped=counts[models.BillingRunItemStatus.SKIPPED],
        failed=counts[models.BillingRunItemStatus.FAILED],
        run_finished=finished,
    )


_COUNT_OUTCOMES_SQL = """
UPDATE billing_billingrun
SET billed_accounts = billed_accounts + %(billed)s, skipped_accounts = skipped_accounts + %(skipped)s,
    failed_accounts = failed_accounts + %(failed)s, held_accounts = held_accounts + %(held)s
WHERE id = %(run)s
RETURNING total_accounts - billed_accounts - skipped_accounts - failed_accounts - held_accounts
"""


def _count_outcomes(*, billing_run_id: int, counts: dict[str, int]) -> int:
    """Add a chunk's outcomes to its run's counters (locking the run row); returns how many of the
    run's accounts the counters say are still PENDING."""
    status = models.BillingRunItemStatus
    with connection.cursor() as cursor:
        cursor.execute(
            _COUNT_OUTCOMES_SQL,
            {
                "billed": counts[status.BILLED],
                "skipped": counts[status.SKIPPED],
                "failed": counts[status.FAILED],
                "held": counts[status.HELD],
                "run": billing_run_id,
            },
        )
        return cursor.fetchone()[0]


class _NewItem(NamedTuple):
    billing_run_id: int
    account_id: int
    chunk: int
    lease_until: datetime
    status: str = models.BillingRunItemStatus.PENDING
    error_code: str = ""
    error_detail: str = ""


class _Outcome(NamedTuple):
    """Why an account got no bill in this chunk: SKIPPED or FAILED, with the error."""

    status: str
    error_code: str
    error_detail: str


class _ItemOutcome(NamedTuple):
    id: int
    status: str
    bill_id: int | None
    held_total: int | None
    error_code: str
    error_detail: str


# A chunk's items once done, in one statement: what differs per item goes as arrays, what every
# item shares (processed now, no longer anyone's work) as single values.
_FINISH_ITEMS_SQL = """
UPDATE billing_billingrunitem AS item
SET status = v.status, bill_id = v.bill_id, held_total = v.held_total, error_code = v.error_code,
    error_detail = v.error_detail, processed_at = %s, claimed_by = '', lease_until = NULL
FROM unnest(%s::bigint[], %s::varchar[], %s::bigint[], %s::bigint[], %s::varchar[], %s::text[])
    AS v(id, status, bill_id, held_total, error_code, error_detail)
WHERE item.id = v.id
"""


def _finish_items(*, rows: list[_ItemOutcome], now: datetime) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _FINISH_ITEMS_SQL, [now, *(bulk.array_param(column) for column in zip(*rows, strict=True))]
        )


def _item_outcome(
    *, item_id: int, outcome: _Outcome | None, bill_id: int | None, held_total: int | None
) -> _ItemOutcome:
    """An item's row once its chunk is done: SKIPPED or FAILED with the error, BILLED with its bill,
    or HELD with its total (a run held for review writes no bill); no longer anyone's work."""
    if outcome is not None:
        status, code, detail = outcome
    elif bill_id is not None:
        status, code, detail = models.BillingRunItemStatus.BILLED, "", ""
    elif held_total is not None:
        status, code, detail = models.BillingRunItemStatus.HELD, "", ""
    else:
        raise ValueError(f"Run item {item_id} has neither a bill, a held total nor an error")
    # Plain str (not the status enum, not an ErrorCode): the columns go as one array literal each.
    return _ItemOutcome(item_id, str(status), bill_id, held_total, str(code), detail)


def _fail_claimed(*, claimed: list[int], worker: str, error: Exception, now: datetime) -> int:
    """Record FAILED, with the error, the items a chunk claimed and could not bill (the chunk's
    transaction rolled back); they can be retried from admin. Returns how many."""
    with transaction.atomic():
        items = models.BillingRunItem.objects.filter(
            pk__in=claimed, status=models.BillingRunItemStatus.PENDING, claimed_by=worker
        )
        run_ids = set(items.values_list("billing_run_id", flat=True))
        failed = items.update(
            status=models.BillingRunItemStatus.FAILED,
            error_code=error_codes.UNEXPECTED_ERROR,
            error_detail=f"The chunk billing this account failed: {error!r}",
            processed_at=now,
            claimed_by="",
            lease_until=None,
        )
        models.BillingRun.objects.filter(pk__in=run_ids).update(failed_accounts=F("failed_accounts") + failed)
    return failed


def _write_run_bills(
    *,
    drafts: dict[int, calculation.BillDraft],
    outcomes: dict[int, _Outcome],
    run: models.BillingRun,
    issued_at: datetime,
) -> dict[int, int]:
    """All of a chunk's bills in one savepoint (their ids by account); if a bill written meanwhile
    by someone else collides, fall back to one savepoint per account so only the colliding account
    is skipped (recorded in `outcomes`)."""
    if not drafts:
        return {}
    ledger_ids = energy_ledger_ids(account_ids=list(drafts))
    try:
        with transaction.atomic():
            return write_bill_rows(drafts=drafts, ledger_ids=ledger_ids, issued_at=issued_at, run=run)
    except IntegrityError:
        pass
    bill_ids = {}
    for account_id, draft in drafts.items():
        try:
            with transaction.atomic():
                bill_ids.update(
                    write_bill_rows(
                        drafts={account_id: draft}, ledger_ids=ledger_ids, issued_at=issued_at, run=run
                    )
                )
        except IntegrityError as error:
            outcomes[account_id] = _Outcome(
                models.BillingRunItemStatus.SKIPPED, error_codes.ALREADY_BILLED, str(error)
            )
    return bill_ids


def finish_billing_run_if_done(*, billing_run_id: int, now: datetime) -> bool:
    """Mark a RUNNING run COMPLETED (or COMPLETED_WITH_ERRORS) once no item is PENDING, or
    AWAITING_REVIEW if it holds bills for review; True if no work is left."""
    with transaction.atomic():
        return _finish_if_done(billing_run_id=billing_run_id, now=now)


def _finish_if_done(*, billing_run_id: int, now: datetime) -> bool:
    """`finish_billing_run_if_done` inside the caller's transaction."""
    run = models.BillingRun.objects.select_for_update().get(id=billing_run_id)
    if run.status != models.BillingRunStatus.RUNNING:
        return run.status != models.BillingRunStatus.PENDING
    if models.BillingRunItem.objects.filter(
        billing_run=run, status=models.BillingRunItemStatus.PENDING
    ).exists():
        return False
    if models.BillingRunItem.objects.filter(
        billing_run=run, status=models.BillingRunItemStatus.HELD
    ).exists():
        run.status = models.BillingRunStatus.AWAITING_REVIEW
        run.save(update_fields=["status"])
        accounts_operations.record_audit(action="BILLING_RUN_AWAITING_REVIEW", obj=run, occurred_at=now)
        return True
    run.status = _finished_status(run)
    run.finished_at = now
    run.save(update_fields=["status", "finished_at"])
    accounts_operations.record_audit(
        action="BILLING_RUN_FINISHED", obj=run, occurred_at=now, data={"status": run.status}
    )
    return True


def _finished_status(run: models.BillingRun) -> str:
    failed = models.BillingRunItem.objects.filter(billing_run=run, status=models.BillingRunItemStatus.FAILED)
    return (
        models.BillingRunStatus.COMPLETED_WITH_ERRORS
        if failed.exists()
        else models.BillingRunStatus.COMPLETED
    )
