"""Payment collection: one idempotency key per (account, bill, attempt), sent to the vendor.

A collection is three short steps rather than one transaction, because a vendor call cannot be
rolled back: (1) claim an attempt (reusing a PENDING one, so its idempotency key is re-sent) with a
lease, (2) call the vendor, (3) record the outcome. Running it twice, or after a crash at any point,
charges once: a lost worker's attempt stays PENDING until its lease runs out, then the lease sweep
has it re-sent with its key, and the vendor answers with the charge it made (if it made one).
`collect_bill_payments` takes the steps for many bills at once (a direct-debit collection day): one
transaction to claim, the vendor calls side by side, one transaction to record.

An attempt ends SUCCEEDED, DECLINED or FAILED: after COLLECTION_MAX_TRIES requests the vendor could
not answer, the attempt is reconciled with the vendor by its key (found: SUCCEEDED; not charged:
FAILED). A FAILED attempt's bill is collected again, with a new key, on the dunning schedule
(COLLECTION_RETRY_DELAYS). A bill is not collected while its account owes nothing on its energy
ledger (less what its PENDING attempts are collecting): the ledger shows it settled, paid by other
means or by credit the customer holds. A bill the ledger shows only partly covered is collected in
full, as a direct debit is, so the customer's credit stays theirs.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Sum

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from billing import error_codes, models, vendors
from billing.operations._bills import energy_ledgers
from billing.operations._leases import collection_lease_seconds, database_now, lease_for, this_worker
from kernel import bulk

logger = logging.getLogger(__name__)
VENDOR_CALLS_AT_ONCE = 8


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


class CollectionInProgress(CollectionError):
    """Another worker holds this bill's attempt (a live lease): it is that worker's to finish."""

    code = error_codes.COLLECTION_IN_PROGRESS


class CollectionFailed(CollectionError):
    """The attempt ended FAILED: the vendor refused it, or could not be reached COLLECTION_MAX_TRIES
    times and had not charged the key; the dunning schedule collects the bill again."""

    code = error_codes.COLLECTION_FAILED


class NotDeclined(CollectionError):
    """A re-presentation asked for a bill whose last collection was not declined."""

    code = error_codes.NOT_DECLINED


@dataclass(frozen=True)
class CollectionOutcome:
    """What became of one bill: its attempt (None if none was made) and the error, if any."""

    bill_id: int
    attempt: models.PaymentCollectionAttempt | None
    error: Exception | None = None


def collect_bill_payment(*, bill_id: int, now: datetime, worker: str = "") -> models.PaymentCollectionAttempt:
    """Ask the account's payment vendor for what is owed on a bill; on success write the Payment, the
    ledger credit and the attempt's outcome (see the module docstring).

    Raises BillAlreadyPaid, NothingToCollect, NoActivePaymentMethod, PaymentDeclined,
    CollectionInProgress, CollectionFailed, vendors.VendorUnavailable (transient: the attempt stays
    PENDING; retry later), vendors.VendorError, vendors.UnknownVendor.
    """
    return _one(collect_bill_payments(bill_ids=[bill_id], now=now, worker=worker)[0])


def represent_bill_payment(*, bill_id: int, now: datetime) -> models.PaymentCollectionAttempt:
    """Present a declined direct debit again (a Bacs re-presentation): a new attempt, with its own
    idempotency key, on the account's active payment method even if that method was declined;
    the Payment it makes is a DD_RE_PRESENTATION. Same steps and guarantees as
    `collect_bill_payment`.

    Raises NotDeclined, BillAlreadyPaid, NothingToCollect, NoActivePaymentMethod, PaymentDeclined,
    CollectionInProgress, CollectionFailed, vendors.VendorUnavailable, vendors.VendorError,
    vendors.UnknownVendor.
    """
    return _one(collect_bill_payments(bill_ids=[bill_id], now=now, representation=True)[0])


def collect_bill_payments(
    *, bill_ids: Sequence[int], now: datetime, representation: bool = False, worker: str = ""
) -> list[CollectionOutcome]:
    """`collect_bill_payment` (or, with `representation`, `represent_bill_payment`) for many bills,
    with up to VENDOR_CALLS_AT_ONCE vendor calls in flight: an outcome per bill, in the order given,
    whose `error` is what the single-bill operation would raise. `worker` names the claimant on the
    attempts' leases (default: this process)."""
    claimed = _claim_attempts(
        bill_ids=bill_ids, now=now, representation=representation, worker=worker or this_worker()
    )
    attempts = [
        outcome for outcome in claimed.values() if isinstance(outcome, models.PaymentCollectionAttempt)
    ]
    if len(attempts) > 1:
        with ThreadPoolExecutor(max_workers=VENDOR_CALLS_AT_ONCE) as pool:
            charges = dict(
                zip((a.pk for a in attempts), pool.map(_charge_or_reconcile, attempts), strict=True)
            )
    else:
        charges = {attempt.pk: _charge_or_reconcile(attempt) for attempt in attempts}
    recorded = _record(attempts=attempts, charges=charges, now=now)
    outcomes = []
    for bill_id in bill_ids:
        claim = claimed[bill_id]
        if isinstance(claim, Exception):
            outcomes.append(CollectionOutcome(bill_id, None, claim))
            continue
        outcomes.append(CollectionOutcome(bill_id, recorded[claim.pk], _error(claim, charges[claim.pk])))
    return outcomes


def vendor_retry_delay(*, tries: int) -> float:
    """Seconds before re-sending an attempt's key after the vendor could not answer its `tries`-th
    request: PAYMENT_RETRY_BASE_SECONDS, doubled each time, at most an hour."""
    return min(settings.PAYMENT_RETRY_BASE_SECONDS * 2 ** max(tries - 1, 0), 3600.0)


def _one(outcome: CollectionOutcome) -> models.PaymentCollectionAttempt:
    if outcome.error is not None:
        raise outcome.error
    return outcome.attempt


def _charge_or_reconcile(attempt: models.PaymentCollectionAttempt) -> vendors.Charge | Exception:
    """The vendor's answer to the attempt's request, or the error. An attempt that has used its
    COLLECTION_MAX_TRIES requests (the vendor could not answer, or the workers sending it were lost)
    is reconciled by its key instead, so it ends. No database work: this runs in a thread."""
    max_tries = settings.COLLECTION_MAX_TRIES
    if attempt.tries > max_tries:
        unanswered = vendors.VendorUnavailable(
            f"{attempt.tries - 1} requests went unanswered", code=error_codes.VENDOR_UNAVAILABLE
        )
        return _reconcile(attempt, unanswered)
    charge = _charge(attempt)
    if isinstance(charge, vendors.VendorUnavailable) and attempt.tries >= max_tries:
        return _reconcile(attempt, charge)
    return charge


def _charge(attempt: models.PaymentCollectionAttempt) -> vendors.Charge | Exception:
    try:
        return vendors.get_vendor(attempt.vendor).charge(
            idempotency_key=attempt.idempotency_key,
            amount=attempt.amount,
            currency=attempt.currency,
            payment_method_reference=attempt.payment_method.vendor_reference,
        )
    except (vendors.VendorError, vendors.UnknownVendor) as error:
        return error
    except Exception as error:
        # An adapter's bug or an answer it could not read: the vendor may have charged, so the
        # attempt stays PENDING and is settled by its key like an outage.
        logger.exception("Unexpected error collecting %s", attempt.idempotency_key)
        unexpected = vendors.VendorUnavailable(
            f"Unexpected error: {error!r}", code=error_codes.UNEXPECTED_ERROR
        )
        unexpected.__cause__ = error
        return unexpected


def _reconcile(
    attempt: models.PaymentCollectionAttempt, error: vendors.VendorUnavailable
) -> vendors.Charge | Exception:
    """Ask the vendor what it did with the attempt's key after its last try: the charge it made, or
    CollectionFailed if it made none. If it cannot say, the attempt stays PENDING (`error`) and the
    lease sweep has it tried again."""
    try:
        charge = vendors.get_vendor(attempt.vendor).find_charge(idempotency_key=attempt.idempotency_key)
    except vendors.VendorError as lookup_error:
        logger.warning("Could not reconcile %s with the vendor: %s", attempt.idempotency_key, lookup_error)
        return error
    if charge is not None:
        return charge
    failed = CollectionFailed(
        f"{attempt.vendor} could not take {attempt.idempotency_key} in {attempt.tries} tries "
        f"({error.code}: {error}) and made no charge for it"
    )
    failed.__cause__ = error
    return failed


def _error(attempt: models.PaymentCollectionAttempt, charge) -> Exception | None:
    if isinstance(charge, vendors.VendorDeclined):
        error = PaymentDeclined(f"{attempt.idempotency_key} declined: {charge.code}")
        error.__cause__ = charge
        return error
    return charge if isinstance(charge, Exception) else None


def _claim_attempts(
    *, bill_ids: Sequence[int], now: datetime, representation: bool, worker: str
) -> dict[int, models.PaymentCollectionAttempt | CollectionError]:
    """Per bill, its PENDING attempt (re-sent with the same key) or a new one, leased to `worker`, or
    why none may be made."""
    result: dict[int, models.PaymentCollectionAttempt | CollectionError] = {}
    with transaction.atomic():
        bills = {
            bill.pk: bill
            for bill in models.Bill.objects.select_for_update(of=("self",))
            .select_related("account")
            .filter(id__in=bill_ids)
            .order_by("id")
        }
        account_ids = {bill.account_id for bill in bills.values()}
        attempts = defaultdict(list)
        for attempt in (
            models.PaymentCollectionAttempt.objects.filter(bill_id__in=bills)
            .select_related("payment_method")
            .order_by("bill_id", "attempt_number")
        ):
            attempts[attempt.bill_id].append(attempt)
        paid = dict(
            models.Payment.objects.filter(bill_id__in=bills, status=models.PaymentStatus.CLEARED)
            .values_list("bill_id")
            .annotate(paid=Sum("amount"))
            .values_list("bill_id", "paid")
        )
        methods = {
            method.account_id: method
            for method in accounts_models.PaymentMethod.objects.filter(
                account_id__in=account_ids, status=accounts_models.PaymentMethodStatus.ACTIVE
            )
        }
        owed = _owed_on_ledgers(account_ids=account_ids)
        database_clock = database_now()
        new, resent = [], []
        for bill_id in bill_ids:
            bill = bills.get(bill_id)
            if bill is None:
                raise models.Bill.DoesNotExist(f"No bill {bill_id}")
            try:
                attempt = _attempt_for(
                    bill,
                    attempts[bill_id],
                    paid.get(bill_id, 0),
                    owed,
                    methods.get(bill.account_id),
                    now,
                    representation,
                    database_clock,
                )
            except CollectionError as error:
                result[bill_id] = error
                continue
            result[bill_id] = attempt
            attempt.claimed_by, attempt.tries = worker, attempt.tries + 1
            attempt.lease_until = database_clock + timedelta(seconds=collection_lease_seconds())
            (resent if attempt.pk else new).append(attempt)
        models.PaymentCollectionAttempt.objects.bulk_create(new)
        models.PaymentCollectionAttempt.objects.filter(pk__in=[a.pk for a in resent]).update(
            claimed_by=worker, lease_until=lease_for(collection_lease_seconds()), tries=F("tries") + 1
        )
        accounts_operations.record_audits(
            rows=[
                accounts_operations.audit_row(
                    action="PAYMENT_REQUESTED",
                    obj=attempt,
                    account_id=attempt.account_id,
                    occurred_at=now,
                    data={"amount": attempt.amount, "idempotency_key": attempt.idempotency_key},
                )
                for attempt in new
            ]
        )
    return result


def _owed_on_ledgers(*, account_ids: set[int]) -> dict[int, int]:
    """What each account owes on its energy ledger, less what its PENDING attempts are collecting."""
    balances = dict(
        accounts_models.LedgerEntry.objects.filter(
            ledger__account_id__in=account_ids, ledger__ledger_type=accounts_models.LedgerType.ENERGY
        )
        .values_list("ledger__account_id")
        .annotate(balance=Sum("amount"))
        .values_list("ledger__account_id", "balance")
    )
    in_flight = dict(
        models.PaymentCollectionAttempt.objects.filter(
            account_id__in=account_ids, status=models.CollectionAttemptStatus.PENDING
        )
        .values_list("account_id")
        .annotate(amount=Sum("amount"))
        .values_list("account_id", "amount")
    )
    return {
        account_id: max(0, -balances.get(account_id, 0)) - in_flight.get(account_id, 0)
        for account_id in account_ids
    }


def _attempt_for(
    bill: models.Bill,
    history: list[models.PaymentCollectionAttempt],
    paid: int,
    owed: dict[int, int],
    method: accounts_models.PaymentMethod | None,
    now: datetime,
    representation: bool,
    database_clock: datetime,
) -> models.PaymentCollectionAttempt:
    """Raises BillAlreadyPaid, NothingToCollect, NoActivePaymentMethod, PaymentDeclined, NotDeclined,
    CollectionInProgress."""
    if any(a.status == models.CollectionAttemptStatus.SUCCEEDED for a in history):
        raise BillAlreadyPaid(f"Bill {bill.pk} is already collected")
    pending = next((a for a in history if a.status == models.CollectionAttemptStatus.PENDING), None)
    if pending is not None:
        if pending.claimed_by and pending.lease_until and pending.lease_until > database_clock:
            raise CollectionInProgress(
                f"{pending.idempotency_key} is being collected by {pending.claimed_by}"
            )
        return pending
    if bill.status != models.BillStatus.ISSUED or bill.bill_type == models.BillType.CREDIT_NOTE:
        raise NothingToCollect(f"Bill {bill.pk} is not a live bill")
    outstanding = bill.total - paid
    if outstanding <= 0:
        raise NothingToCollect(f"Nothing is owed on bill {bill.pk}")
    if owed[bill.account_id] <= 0:
        raise NothingToCollect(f"Bill {bill.pk} is settled on its account's ledger")
    if method is None:
        raise NoActivePaymentMethod(f"{bill.account} has no active payment method")
    latest = history[-1] if history else None
    declined = latest is not None and latest.status == models.CollectionAttemptStatus.DECLINED
    if representation and not declined:
        raise NotDeclined(f"Bill {bill.pk}'s last collection was not declined")
    if declined and not representation and latest.payment_method_id == method.pk:
        raise PaymentDeclined(f"{latest.idempotency_key} was declined; not retrying the same method")
    owed[bill.account_id] -= outstanding
    number = (latest.attempt_number if latest else 0) + 1
    return models.PaymentCollectionAttempt(
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


def _record(
    *, attempts: list[models.PaymentCollectionAttempt], charges: dict, now: datetime
) -> dict[int, models.PaymentCollectionAttempt]:
    """Write each attempt's outcome in one transaction: a success's Payment, ledger credit and audit
    row; a decline or refusal marks the attempt; an outage keeps it PENDING for a retry with its key.
    An attempt another call has recorded meanwhile is left as it is."""
    if not attempts:
        return {}
    with transaction.atomic():
        locked = {
            attempt.pk: attempt
            for attempt in models.PaymentCollectionAttempt.objects.select_for_update(of=("self",))
            .select_related("account", "bill")
            .filter(pk__in=[a.pk for a in attempts])
        }
        open_attempts = [a for a in locked.values() if a.status == models.CollectionAttemptStatus.PENDING]
        succeeded = [a for a in open_attempts if isinstance(charges[a.pk], vendors.Charge)]
        represented = set(
            models.PaymentCollectionAttempt.objects.filter(
                bill_id__in=[a.bill_id for a in succeeded], status=models.CollectionAttemptStatus.DECLINED
            ).values_list("bill_id", flat=True)
        )
        payments = models.Payment.objects.bulk_create(
            [
                models.Payment(
                    account=attempt.account,
                    bill=attempt.bill,
                    payment_method_id=attempt.payment_method_id,
                    amount=attempt.amount,
                    currency=attempt.currency,
                    status=models.PaymentStatus.CLEARED,
                    transaction_type=models.PaymentTransactionType.DD_RE_PRESENTATION
                    if attempt.bill_id in represented
                    else models.PaymentTransactionType.DD_REGULAR_COLLECTION,
                    idempotency_key=attempt.idempotency_key,
                    vendor_reference=charges[attempt.pk].reference,
                    paid_at=now,
                )
                for attempt in succeeded
            ]
        )
        ledgers = energy_ledgers(account_ids={a.account_id for a in succeeded})
        accounts_operations.post_ledger_entries(
            entries=[
                accounts_operations.NewLedgerEntry(
                    ledger=ledgers[attempt.account_id],
                    amount=attempt.amount,
                    currency=attempt.currency,
                    kind=accounts_models.LedgerEntryKind.PAYMENT,
                    description=f"Payment {charges[attempt.pk].reference}",
                    reference=f"PAYMENT-{attempt.idempotency_key}",
                    posted_at=now,
                )
                for attempt in succeeded
            ]
        )
        audits = []
        for attempt, payment in zip(succeeded, payments, strict=True):
            attempt.payment = payment
            attempt.status = models.CollectionAttemptStatus.SUCCEEDED
            attempt.vendor_reference = charges[attempt.pk].reference
            attempt.error_code, attempt.error_detail, attempt.completed_at = "", "", now
            attempt.claimed_by, attempt.lease_until = "", None
            audits.append(
                accounts_operations.audit_row(
                    action="PAYMENT_COLLECTED",
                    obj=payment,
                    account_id=attempt.account_id,
                    occurred_at=now,
                    data={"amount": attempt.amount, "idempotency_key": attempt.idempotency_key},
                )
            )
        failures = [a for a in open_attempts if isinstance(charges[a.pk], Exception)]
        audits += _record_failures(attempts=failures, charges=charges, now=now)
        _save_attempts(open_attempts)
        accounts_operations.record_audits(rows=audits)
    return {attempt.pk: locked.get(attempt.pk, attempt) for attempt in attempts}


def _record_failures(
    *, attempts: list[models.PaymentCollectionAttempt], charges: dict, now: datetime
) -> list:
    """Mark attempts the vendor did not charge: an outage keeps one PENDING, leased until its retry
    is due (so a lost retry is re-sent by the sweep); a decline or a failure ends it, and a FAILED
    attempt's bill is due again on the dunning schedule. Returns the audit rows."""
    if not attempts:
        return []
    database_clock = database_now()
    failed_before = dict(
        models.PaymentCollectionAttempt.objects.filter(
            bill_id__in=[a.bill_id for a in attempts], status=models.CollectionAttemptStatus.FAILED
        )
        .values_list("bill_id")
        .annotate(failed=Count("id"))
        .values_list("bill_id", "failed")
    )
    audits = []
    for attempt in attempts:
        charge = charges[attempt.pk]
        cause = charge.__cause__ if isinstance(charge, CollectionFailed) else charge
        attempt.error_code = getattr(cause, "code", None) or error_codes.UNEXPECTED_ERROR
        attempt.error_detail = str(charge)
        attempt.claimed_by = ""
        if isinstance(charge, vendors.VendorUnavailable):
            retry_in = vendor_retry_delay(tries=attempt.tries) + collection_lease_seconds()
            attempt.lease_until = database_clock + timedelta(seconds=retry_in)
            continue
        attempt.lease_until = None
        if isinstance(charge, vendors.VendorDeclined):
            attempt.status = models.CollectionAttemptStatus.DECLINED
        else:
            attempt.status = models.CollectionAttemptStatus.FAILED
            attempt.next_retry_at = dunning_retry_at(
                failed=failed_before.get(attempt.bill_id, 0) + 1, now=now
            )
            logger.warning("Collection %s FAILED: %s", attempt.idempotency_key, attempt.error_detail)
        attempt.completed_at = now
        audits.append(
            accounts_operations.audit_row(
                action=f"PAYMENT_{attempt.status}",
                obj=attempt,
                account_id=attempt.account_id,
                occurred_at=now,
                data={
                    "code": attempt.error_code,
                    "next_retry_at": attempt.next_retry_at.isoformat() if attempt.next_retry_at else None,
                },
            )
        )
    return audits


def dunning_retry_at(*, failed: int, now: datetime) -> datetime | None:
    """When a bill whose collection FAILED `failed` times is collected again (COLLECTION_RETRY_DELAYS),
    or None once the schedule is spent."""
    delays = settings.COLLECTION_RETRY_DELAYS
    return now + timedelta(seconds=delays[failed - 1]) if failed <= len(delays) else None


class _AttemptOutcome(NamedTuple):
    id: int
    payment_id: int | None
    status: str
    vendor_reference: str
    error_code: str
    error_detail: str
    completed_at: datetime | None
    claimed_by: str
    lease_until: datetime | None
    next_retry_at: datetime | None


def _save_attempts(attempts: list[models.PaymentCollectionAttempt]) -> None:
    bulk.update_rows(
        model=models.PaymentCollectionAttempt,
        rows=[
            _AttemptOutcome(
                a.pk,
                a.payment_id,
                a.status,
                a.vendor_reference,
                a.error_code,
                a.error_detail,
                a.completed_at,
                a.claimed_by,
                a.lease_until,
                a.next_retry_at,
            )
            for a in attempts
        ],
    )
