"""Payment collection: one idempotency key per (account, bill, attempt), sent to the vendor."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Max

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from billing import error_codes, models, queries, vendors
from billing.operations._bills import energy_ledgers

logger = logging.getLogger(__name__)


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


class NotDeclined(CollectionError):
    """A re-presentation asked for a bill whose last collection was not declined."""

    code = error_codes.NOT_DECLINED


def represent_bill_payment(*, bill_id: int, now: datetime) -> models.PaymentCollectionAttempt:
    """Present a declined direct debit again (a Bacs re-presentation): a new attempt, with its own
    idempotency key, on the account's active payment method even if that method was declined;
    the Payment it makes is a DD_RE_PRESENTATION. Same steps and guarantees as
    `collect_bill_payment`.

    Raises NotDeclined, BillAlreadyPaid, NothingToCollect, NoActivePaymentMethod, PaymentDeclined,
    vendors.VendorUnavailable, vendors.VendorError, vendors.UnknownVendor.
    """
    return _collect(bill_id=bill_id, now=now, representation=True)


def collect_bill_payment(*, bill_id: int, now: datetime) -> models.PaymentCollectionAttempt:
    """Ask the account's payment vendor for what is owed on a bill; on success write the Payment, the
    ledger credit and the attempt's outcome.

    Three short steps rather than one transaction, because a vendor call cannot be rolled back:
    (1) claim an attempt (reusing a PENDING one, so its idempotency key is re-sent), (2) call the
    vendor, (3) record the outcome. Running it twice, or after a crash at any point, charges once.

    Raises BillAlreadyPaid, NothingToCollect, NoActivePaymentMethod, PaymentDeclined,
    vendors.VendorUnavailable (transient: retry later), vendors.VendorError, vendors.UnknownVendor.
    """
    return _collect(bill_id=bill_id, now=now, representation=False)


def _collect(*, bill_id: int, now: datetime, representation: bool) -> models.PaymentCollectionAttempt:
    attempt = _claim_attempt(bill_id=bill_id, now=now, representation=representation)
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


def _claim_attempt(*, bill_id: int, now: datetime, representation: bool) -> models.PaymentCollectionAttempt:
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
        declined = latest is not None and latest.status == models.CollectionAttemptStatus.DECLINED
        if representation and not declined:
            raise NotDeclined(f"Bill {bill.pk}'s last collection was not declined")
        if declined and not representation and latest.payment_method_id == method.pk:
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
            transaction_type=models.PaymentTransactionType.DD_RE_PRESENTATION
            if models.PaymentCollectionAttempt.objects.filter(
                bill_id=attempt.bill_id, status=models.CollectionAttemptStatus.DECLINED
            ).exists()
            else models.PaymentTransactionType.DD_REGULAR_COLLECTION,
            idempotency_key=attempt.idempotency_key,
            vendor_reference=charge.reference,
            paid_at=now,
        )
        ledger = energy_ledgers(account_ids=[attempt.account_id])[attempt.account_id]
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
