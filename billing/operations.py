"""Writes of billing: issuing bills, billing runs, and collecting payments.

Exactly-once rests on the database, not on the caller:
- a bill and its ledger entry are written in one transaction; the exclusion constraint on Bill
  refuses a second live bill of an account for an overlapping period, and `(billing_run, account)`
  is unique on both BillingRunItem and Bill;
- a chunk task claims its PENDING run items with `SELECT … FOR UPDATE SKIP LOCKED` and marks them in
  the transaction that writes the bills, so a redelivered, duplicated or concurrent task finds no
  work left, and a crash rolls the whole chunk back for the redelivery to redo;
- a payment collection attempt has an idempotency key per (account, bill, attempt) sent to the
  vendor; a transient failure keeps the attempt PENDING and the retry re-sends the same key, so the
  vendor charges once; the Payment and the ledger entry are keyed on it too.
"""

from __future__ import annotations

import logging
import typing
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F, Max

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from accounts import ranges
from billing import calculation, error_codes, models, queries, vendors

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 200


class InvalidBillingRun(ValueError):
    """A billing run's period is not a finite, non-empty half-open period."""

    code = error_codes.INVALID_PERIOD


class AlreadyBilled(calculation.BillingError):
    """The account already has a live bill overlapping the period."""

    code = error_codes.ALREADY_BILLED


# --- bills --------------------------------------------------------------------------------------


def issue_bill(
    *,
    account: accounts_models.Account,
    period: ranges.Period,
    issued_at: datetime,
    billing_run: models.BillingRun | None = None,
) -> models.Bill:
    """Calculate and issue one bill, with its ledger charge, in one transaction.

    Raises AlreadyBilled, calculation.NothingToBill, CurrencyMismatch, MissingRate, InvalidReadings.
    """
    draft = queries.preview_bill(account=account, period=period, as_of=issued_at)
    ledger = _energy_ledgers(account_ids=[account.pk])[account.pk]
    try:
        with transaction.atomic():
            return _write_bills(
                drafts={account.pk: draft}, ledgers={account.pk: ledger}, issued_at=issued_at, run=billing_run
            )[account.pk]
    except IntegrityError as error:
        if "no_overlapping_live_bills_per_account" in str(error) or "one_bill_per_run_account" in str(error):
            raise AlreadyBilled(f"{account} already has a bill overlapping that period") from error
        raise


def _energy_ledgers(*, account_ids) -> dict[int, accounts_models.Ledger]:
    return {
        ledger.account_id: ledger
        for ledger in accounts_models.Ledger.objects.filter(
            account_id__in=account_ids, ledger_type=accounts_models.LedgerType.ENERGY
        ).select_related("account")
    }


def _write_bills(
    *,
    drafts: dict[int, calculation.BillDraft],
    ledgers: dict[int, accounts_models.Ledger],
    issued_at: datetime,
    run: models.BillingRun | None,
) -> dict[int, models.Bill]:
    """Insert bills, their lines, ledger charges and audit rows. Call inside a transaction."""
    bills = models.Bill.objects.bulk_create(
        [
            models.Bill(
                account_id=account_id,
                billing_run=run,
                period_start=draft.period.start,
                period_end=draft.period.end,
                currency=draft.currency,
                subtotal=draft.subtotal,
                tax=draft.tax,
                total=draft.total,
                issued_at=issued_at,
            )
            for account_id, draft in drafts.items()
        ]
    )
    by_account = {bill.account_id: bill for bill in bills}
    models.BillLine.objects.bulk_create(
        [
            models.BillLine(
                bill=by_account[account_id],
                agreement_id=line.agreement_id,
                kind=line.kind,
                description=line.description,
                band=line.band,
                period_start=line.period.start,
                period_end=line.period.end,
                quantity=line.quantity,
                unit_rate=line.unit_rate,
                amount=line.amount,
                is_estimated=line.is_estimated,
            )
            for account_id, draft in drafts.items()
            for line in draft.lines
        ]
    )
    for account_id, bill in by_account.items():
        if bill.total:
            accounts_operations.post_ledger_entry(
                ledger=ledgers[account_id],
                amount=-bill.total,
                currency=bill.currency,
                kind=accounts_models.LedgerEntryKind.CHARGE,
                description=f"Bill for {bill.period_start:%Y-%m-%d} to {bill.period_end:%Y-%m-%d}",
                reference=f"BILL-{bill.pk}",
                posted_at=issued_at,
            )
        accounts_operations.record_audit(
            action="BILL_ISSUED",
            obj=bill,
            account=ledgers[account_id].account,
            occurred_at=issued_at,
            data={"total": bill.total, "currency": bill.currency, "billing_run": run.pk if run else None},
        )
    return by_account


# --- billing runs -------------------------------------------------------------------------------


def create_billing_run(
    *,
    period: ranges.Period,
    created_at: datetime,
    scope: dict | None = None,
    origin: str = models.BillingRunOrigin.ADMIN,
    created_by: accounts_models.User | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> models.BillingRun:
    """A PENDING billing run; `start_billing_run` fans it out.

    Raises InvalidBillingRun.
    """
    if not period.is_finite or period.end <= period.start:
        raise InvalidBillingRun("A billing run needs a finite, non-empty period")
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
        )
        accounts_operations.record_audit(
            action="BILLING_RUN_CREATED", obj=run, actor=created_by, occurred_at=created_at
        )
    return run


def create_scheduled_billing_run(*, now: datetime, tz: ZoneInfo) -> models.BillingRun:
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
        return create_billing_run(period=period, created_at=now, origin=models.BillingRunOrigin.SCHEDULE)
    except IntegrityError:
        return models.BillingRun.objects.get(
            origin=models.BillingRunOrigin.SCHEDULE, period_start=period.start, period_end=period.end
        )


def start_billing_run(*, billing_run_id: int, now: datetime) -> list[int]:
    """Enumerate a PENDING run's accounts into work items and mark it RUNNING; return the chunks that
    still have work (for a RUNNING run: a resume; for a finished one: none).

    Raises BillingRun.DoesNotExist.
    """
    with transaction.atomic():
        run = models.BillingRun.objects.select_for_update().get(id=billing_run_id)
        if run.status == models.BillingRunStatus.PENDING:
            account_ids = list(queries.accounts_in_scope(scope=run.scope).values_list("id", flat=True))
            models.BillingRunItem.objects.bulk_create(
                [
                    models.BillingRunItem(
                        billing_run=run, account_id=account_id, chunk=index // run.chunk_size
                    )
                    for index, account_id in enumerate(account_ids)
                ],
                batch_size=5000,
            )
            run.total_accounts = len(account_ids)
            run.chunk_count = -(-len(account_ids) // run.chunk_size)
            run.status = models.BillingRunStatus.RUNNING
            run.started_at = now
            run.save(update_fields=["total_accounts", "chunk_count", "status", "started_at"])
            accounts_operations.record_audit(action="BILLING_RUN_STARTED", obj=run, occurred_at=now)
        if run.status != models.BillingRunStatus.RUNNING:
            return []
        chunks = queries.pending_chunks(billing_run=run)
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


def bill_chunk(*, billing_run_id: int, chunk: int, now: datetime) -> ChunkResult:
    """Bill the still-PENDING accounts of one chunk of a run, in one transaction; items another worker
    holds are skipped (they are its work). Safe to call any number of times.

    Raises BillingRun.DoesNotExist.
    """
    tz = queries.billing_time_zone()
    with transaction.atomic():
        run = models.BillingRun.objects.get(id=billing_run_id)
        if run.status != models.BillingRunStatus.RUNNING:
            return ChunkResult(0, 0, 0, 0, run_finished=run.status != models.BillingRunStatus.PENDING)
        items = list(
            models.BillingRunItem.objects.filter(
                billing_run=run, chunk=chunk, status=models.BillingRunItemStatus.PENDING
            )
            .select_for_update(skip_locked=True)
            .order_by("id")
        )
        period = ranges.Period(run.period_start, run.period_end)
        account_ids = [item.account_id for item in items]
        # Readings as known when the run started, so every chunk (and every redelivery) sees the same.
        inputs = queries.billing_inputs(account_ids=account_ids, period=period, as_of=run.started_at)
        already_billed = queries.accounts_with_live_bills(account_ids=account_ids, period=period)
        drafts = {}
        for item in items:
            item.processed_at = now
            try:
                if item.account_id in already_billed:
                    raise AlreadyBilled("A live bill already covers this period")
                drafts[item.account_id] = calculation.calculate_bill(
                    account=inputs[item.account_id], period=period, tz=tz
                )
            except (calculation.NothingToBill, AlreadyBilled) as error:
                _mark(item, models.BillingRunItemStatus.SKIPPED, error.code, str(error))
            except calculation.BillingError as error:
                _mark(item, models.BillingRunItemStatus.FAILED, error.code, str(error))
            except Exception as error:
                logger.exception("Unable to calculate a bill in billing run %s", run.pk)
                _mark(item, models.BillingRunItemStatus.FAILED, error_codes.UNEXPECTED_ERROR, repr(error))
        bills = _write_run_bills(drafts=drafts, items=items, run=run, issued_at=now)
        for item in items:
            if item.account_id in bills:
                item.bill = bills[item.account_id]
                item.status = models.BillingRunItemStatus.BILLED
        models.BillingRunItem.objects.bulk_update(
            items, ["status", "bill", "error_code", "error_detail", "processed_at"], batch_size=1000
        )
        counts = {status: 0 for status in models.BillingRunItemStatus.values}
        for item in items:
            counts[item.status] += 1
        if items:
            models.BillingRun.objects.filter(pk=run.pk).update(
                billed_accounts=F("billed_accounts") + counts[models.BillingRunItemStatus.BILLED],
                skipped_accounts=F("skipped_accounts") + counts[models.BillingRunItemStatus.SKIPPED],
                failed_accounts=F("failed_accounts") + counts[models.BillingRunItemStatus.FAILED],
            )
    finished = finish_billing_run_if_done(billing_run_id=run.pk, now=now)
    return ChunkResult(
        claimed=len(items),
        billed=counts[models.BillingRunItemStatus.BILLED],
        skipped=counts[models.BillingRunItemStatus.SKIPPED],
        failed=counts[models.BillingRunItemStatus.FAILED],
        run_finished=finished,
    )


def _mark(item: models.BillingRunItem, status: str, code: str, detail: str) -> None:
    item.status, item.error_code, item.error_detail = status, code, detail


def _write_run_bills(
    *,
    drafts: dict[int, calculation.BillDraft],
    items: list[models.BillingRunItem],
    run: models.BillingRun,
    issued_at: datetime,
) -> dict[int, models.Bill]:
    """All of a chunk's bills in one savepoint; if a bill written meanwhile by someone else collides,
    fall back to one savepoint per account so only the colliding account is skipped."""
    if not drafts:
        return {}
    ledgers = _energy_ledgers(account_ids=list(drafts))
    try:
        with transaction.atomic():
            return _write_bills(drafts=drafts, ledgers=ledgers, issued_at=issued_at, run=run)
    except IntegrityError:
        pass
    bills = {}
    by_account = {item.account_id: item for item in items}
    for account_id, draft in drafts.items():
        try:
            with transaction.atomic():
                bills.update(
                    _write_bills(drafts={account_id: draft}, ledgers=ledgers, issued_at=issued_at, run=run)
                )
        except IntegrityError as error:
            _mark(
                by_account[account_id],
                models.BillingRunItemStatus.SKIPPED,
                error_codes.ALREADY_BILLED,
                str(error),
            )
    return bills


def finish_billing_run_if_done(*, billing_run_id: int, now: datetime) -> bool:
    """Mark a RUNNING run COMPLETED (or COMPLETED_WITH_ERRORS) once no item is PENDING; True if the
    run is finished."""
    with transaction.atomic():
        run = models.BillingRun.objects.select_for_update().get(id=billing_run_id)
        if run.status != models.BillingRunStatus.RUNNING:
            return run.status != models.BillingRunStatus.PENDING
        if models.BillingRunItem.objects.filter(
            billing_run=run, status=models.BillingRunItemStatus.PENDING
        ).exists():
            return False
        failed = models.BillingRunItem.objects.filter(
            billing_run=run, status=models.BillingRunItemStatus.FAILED
        ).exists()
        run.status = (
            models.BillingRunStatus.COMPLETED_WITH_ERRORS if failed else models.BillingRunStatus.COMPLETED
        )
        run.finished_at = now
        run.save(update_fields=["status", "finished_at"])
        accounts_operations.record_audit(
            action="BILLING_RUN_FINISHED", obj=run, occurred_at=now, data={"status": run.status}
        )
    return True


# --- payment collection -------------------------------------------------------------------------


class CollectionError(Exception):
    code = error_codes.UNEXPECTED_ERROR


class BillAlreadyPaid(CollectionError):
    """A collection for this bill already succeeded."""

    code = error_codes.BILL_ALREADY_PAID


class NothingToCollect(CollectionError):
    """The bill is void, a credit note, or nothing is owed on it."""

    code = error_codes.NOTHING_TO_COLLECT


class NoActivePaymentMethod(CollectionError):
    code = error_codes.NO_ACTIVE_PAYMENT_METHOD


class PaymentDeclined(CollectionError):
    """The vendor declined (a hard decline: not retried)."""

    code = error_codes.PAYMENT_DECLINED


def collect_bill_payment(*, bill_id: int, now: datetime) -> models.PaymentCollectionAttempt:
    """Ask the account's payment vendor for what is owed on a bill; on success write the Payment, the
    ledger credit and the attempt's outcome.

    Three short steps rather than one transaction, because a vendor call cannot be rolled back:
    (1) claim an attempt (reusing a PENDING one, so its idempotency key is re-sent), (2) call the
    vendor, (3) record the outcome. Running it twice, or after a crash at any point, charges once.

    Raises BillAlreadyPaid, NothingToCollect, NoActivePaymentMethod, PaymentDeclined,
    vendors.VendorUnavailable (transient: retry later), vendors.VendorError, vendors.UnknownVendor.
    """
    attempt = _claim_attempt(bill_id=bill_id, now=now)
    vendor = vendors.get_vendor(attempt.vendor)
    try:
        charge = vendor.charge(
            idempotency_key=attempt.idempotency_key,
            amount=attempt.amount,
            currency=attempt.currency,
            payment_method_reference=attempt.payment_method.vendor_reference,
        )
    except vendors.VendorDeclined as error:
        _record_failure(
            attempt_id=attempt.pk, status=models.CollectionAttemptStatus.DECLINED, error=error, now=now
        )
        raise PaymentDeclined(f"{attempt.idempotency_key} declined: {error.code}") from error
    except vendors.VendorUnavailable as error:
        models.PaymentCollectionAttempt.objects.filter(
            pk=attempt.pk, status=models.CollectionAttemptStatus.PENDING
        ).update(error_code=error.code, error_detail=str(error))
        raise
    except vendors.VendorError as error:
        _record_failure(
            attempt_id=attempt.pk, status=models.CollectionAttemptStatus.FAILED, error=error, now=now
        )
        raise
    return _record_success(attempt_id=attempt.pk, charge=charge, now=now)


def _claim_attempt(*, bill_id: int, now: datetime) -> models.PaymentCollectionAttempt:
    with transaction.atomic():
        bill = models.Bill.objects.select_for_update(of=("self",)).select_related("account").get(id=bill_id)
        attempts = models.PaymentCollectionAttempt.objects.filter(bill=bill)
        if attempts.filter(status=models.CollectionAttemptStatus.SUCCEEDED).exists():
            raise BillAlreadyPaid(f"Bill {bill.pk} is already collected")
        pending = attempts.filter(status=models.CollectionAttemptStatus.PENDING).select_related(
            "payment_method"
        )
        if attempt := pending.first():
            return attempt
        if bill.status != models.BillStatus.ISSUED or bill.bill_type == models.BillType.CREDIT_NOTE:
            raise NothingToCollect(f"Bill {bill.pk} is not a live bill")
        outstanding = queries.bill_outstanding(bill=bill)
        if outstanding <= 0:
            raise NothingToCollect(f"Nothing is owed on bill {bill.pk}")
        method = accounts_models.PaymentMethod.objects.filter(
            account_id=bill.account_id, status=accounts_models.PaymentMethodStatus.ACTIVE
        ).first()
        if method is None:
            raise NoActivePaymentMethod(f"{bill.account} has no active payment method")
        latest = attempts.order_by("-attempt_number").first()
        if (
            latest is not None
            and latest.status == models.CollectionAttemptStatus.DECLINED
            and latest.payment_method_id == method.pk
        ):
            raise PaymentDeclined(f"{latest.idempotency_key} was declined; not retrying the same method")
        number = (attempts.aggregate(highest=Max("attempt_number"))["highest"] or 0) + 1
        attempt = models.PaymentCollectionAttempt.objects.create(
            account=bill.account,
            bill=bill,
            payment_method=method,
            attempt_number=number,
            idempotency_key=f"{bill.account.number}-{bill.pk}-{number}",
            amount=outstanding,
            currency=bill.currency,
            vendor=method.vendor,
            requested_at=now,
        )
        accounts_operations.record_audit(
            action="PAYMENT_REQUESTED",
            obj=attempt,
            account=bill.account,
            occurred_at=now,
            data={"amount": outstanding, "idempotency_key": attempt.idempotency_key},
        )
        return attempt


def _record_success(
    *, attempt_id: int, charge: vendors.Charge, now: datetime
) -> models.PaymentCollectionAttempt:
    with transaction.atomic():
        attempt = (
            models.PaymentCollectionAttempt.objects.select_for_update(of=("self",))
            .select_related("account", "bill")
            .get(id=attempt_id)
        )
        if attempt.status != models.CollectionAttemptStatus.PENDING:
            return attempt
        payment = models.Payment.objects.create(
            account=attempt.account,
            bill=attempt.bill,
            payment_method_id=attempt.payment_method_id,
            amount=attempt.amount,
            currency=attempt.currency,
            status=models.PaymentStatus.CLEARED,
            transaction_type=models.PaymentTransactionType.DD_REGULAR_COLLECTION,
            idempotency_key=attempt.idempotency_key,
            vendor_reference=charge.reference,
            paid_at=now,
        )
        ledger = _energy_ledgers(account_ids=[attempt.account_id])[attempt.account_id]
        accounts_operations.post_ledger_entry(
            ledger=ledger,
            amount=attempt.amount,
            currency=attempt.currency,
            kind=accounts_models.LedgerEntryKind.PAYMENT,
            description=f"Payment {charge.reference}",
            reference=f"PAYMENT-{attempt.idempotency_key}",
            posted_at=now,
        )
        attempt.payment = payment
        attempt.status = models.CollectionAttemptStatus.SUCCEEDED
        attempt.vendor_reference = charge.reference
        attempt.error_code = ""
        attempt.error_detail = ""
        attempt.completed_at = now
        attempt.save(
            update_fields=[
                "payment",
                "status",
                "vendor_reference",
                "error_code",
                "error_detail",
                "completed_at",
            ]
        )
        accounts_operations.record_audit(
            action="PAYMENT_COLLECTED",
            obj=payment,
            account=attempt.account,
            occurred_at=now,
            data={"amount": attempt.amount, "idempotency_key": attempt.idempotency_key},
        )
    return attempt


def _record_failure(*, attempt_id: int, status: str, error: vendors.VendorError, now: datetime) -> None:
    with transaction.atomic():
        attempt = (
            models.PaymentCollectionAttempt.objects.select_for_update(of=("self",))
            .select_related("account")
            .get(id=attempt_id)
        )
        if attempt.status != models.CollectionAttemptStatus.PENDING:
            return
        attempt.status = status
        attempt.error_code = error.code
        attempt.error_detail = str(error)
        attempt.completed_at = now
        attempt.save(update_fields=["status", "error_code", "error_detail", "completed_at"])
        accounts_operations.record_audit(
            action=f"PAYMENT_{status}",
            obj=attempt,
            account=attempt.account,
            occurred_at=now,
            data={"code": error.code},
        )


# --- pre-Kraken (historical) statements -----------------------------------------------------------


@dataclass(frozen=True)
class HistoricalStatement:
    """A statement the previous supplier issued, for `import_historical_statements`. Its period runs
    over whole days, `first_day` to `last_day` inclusive; `gross_amount` is in minor units."""

    statement_id: str
    first_day: date
    last_day: date
    issued_on: date | None = None
    number: str = ""
    gross_amount: int | None = None
    document_path: str = ""


class HistoricalStatementExists(ValueError):
    """The account already has a statement with one of these ids (or the ids repeat)."""


class InvalidStatementPeriod(ValueError):
    """A statement whose last day is before its first."""


def import_historical_statements(
    *,
    account: accounts_models.Account,
    statements: list[HistoricalStatement],
    tz: ZoneInfo,
    imported_at: datetime,
) -> list[models.Bill]:
    """Record an account's pre-Kraken statements as PRE_KRAKEN bills (no lines, no ledger charge:
    their transactions are imported separately), all or nothing, with one audit row. Each period is
    `[first_day 00:00, last_day + 1 00:00)` in `tz`; a statement without an issue date counts as
    issued when its period ends. Idempotent on (account, statement id), which the database enforces.

    Raises InvalidStatementPeriod, HistoricalStatementExists, AlreadyBilled (a period overlaps a
    live bill of the account).
    """
    for statement in statements:
        if statement.last_day < statement.first_day:
            raise InvalidStatementPeriod(
                f"Statement {statement.statement_id} ends on {statement.last_day}, before it starts"
            )
    bills = [
        models.Bill(
            account=account,
            bill_type=models.BillType.PRE_KRAKEN,
            period_start=_day_start(statement.first_day, tz),
            period_end=_day_start(statement.last_day + timedelta(days=1), tz),
            currency=account.currency,
            subtotal=statement.gross_amount or 0,
            tax=0,
            total=statement.gross_amount or 0,
            issued_at=_day_start(statement.issued_on or statement.last_day + timedelta(days=1), tz),
            external_identifier=statement.statement_id,
            external_number=statement.number,
            document_path=statement.document_path,
        )
        for statement in statements
    ]
    try:
        with transaction.atomic():
            models.Bill.objects.bulk_create(bills)
            accounts_operations.record_audit(
                action="HISTORICAL_STATEMENTS_IMPORTED",
                obj=account,
                account=account,
                occurred_at=imported_at,
                data={
                    "statement_ids": [s.statement_id for s in statements],
                    "bill_ids": [b.pk for b in bills],
                },
            )
    except IntegrityError as error:
        ids = [statement.statement_id for statement in statements]
        # A statement posted again also overlaps itself: which constraint Postgres names is chance.
        if len(set(ids)) < len(ids) or account.bills.filter(external_identifier__in=ids).exists():
            raise HistoricalStatementExists(f"{account} already has one of these statements") from error
        if "no_overlapping_live_bills_per_account" in str(error):
            raise AlreadyBilled(f"{account} already has a bill overlapping one of these periods") from error
        raise
    return bills


def _day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


# --- Bulk loading with COPY (data import) ---------------------------------------------------------


class AgreementRow(typing.NamedTuple):
    account_id: int
    meter_point_id: int
    tariff_id: int
    active_from: datetime
    active_to: datetime | None


def copy_agreements(*, rows: list[AgreementRow], now: datetime) -> None:
    """Write agreements with COPY inside the caller's transaction. The database refuses two
    agreements overlapping on one meter point and a period ending before it starts.

    Raises IntegrityError.
    """
    accounts_operations.copy_rows(model=models.Agreement, rows=rows, now=now)
