"""Ledger adjustments by ops users: bounded per currency, posted once per submitted form, and above
the currency's approval threshold held until a second person approves (maker-checker)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from accounts import models, queries
from accounts.operations._audit import record_audit
from accounts.operations._ledgers import CurrencyMismatch, ZeroAmount, post_ledger_entry


class AmountOverLimit(ValueError):
    """The adjustment moves more than one money action may in its currency (configuration)."""


class IdempotencyKeyReused(ValueError):
    """A form's token came back with different contents: the first submission stands."""


class AdjustmentAlreadyDecided(ValueError):
    """The adjustment was approved or rejected already."""


class SelfApproval(ValueError):
    """The person who asked for an adjustment may not approve or reject it."""


def request_ledger_adjustment(
    *,
    account: models.Account,
    amount: int,
    currency: str,
    description: str,
    idempotency_key: str,
    requested_by: models.User,
    requested_at: datetime,
) -> models.LedgerAdjustment:
    """Adjust the account's energy ledger by `amount` minor units (positive credits the customer).
    At most the approval threshold: posted at once. Above it: PENDING_APPROVAL until a second person
    decides. The same `idempotency_key` again returns the first adjustment and posts nothing more.

    Raises CurrencyMismatch, ZeroAmount, AmountOverLimit, queries.NoMoneyLimits (currency not
    configured), IdempotencyKeyReused.
    """
    if currency != account.currency:
        raise CurrencyMismatch(f"{account.number} is billed in {account.currency}, not {currency}")
    if amount == 0:
        raise ZeroAmount("An adjustment must move money")
    limits = queries.money_action_limits(currency=currency)
    if abs(amount) > limits.limit:
        raise AmountOverLimit(f"One adjustment may move at most {limits.display(limits.limit)}")
    ledger = account.ledgers.get(ledger_type=models.LedgerType.ENERGY)
    try:
        with transaction.atomic():
            adjustment = models.LedgerAdjustment.objects.create(
                account=account,
                ledger=ledger,
                amount=amount,
                currency=currency,
                description=description,
                status=models.LedgerAdjustmentStatus.PENDING_APPROVAL,
                idempotency_key=idempotency_key,
                requested_by=requested_by,
                requested_at=requested_at,
            )
            record_audit(
                action="LEDGER_ADJUSTMENT_REQUESTED",
                obj=adjustment,
                account=account,
                actor=requested_by,
                data={"amount": amount, "currency": currency, "description": description},
                occurred_at=requested_at,
            )
            if abs(amount) <= limits.approval_threshold:
                _post(adjustment, at=requested_at, by=requested_by)
            return adjustment
    except IntegrityError:
        existing = models.LedgerAdjustment.objects.filter(
            account=account, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            raise
        if (existing.amount, existing.currency, existing.description) != (amount, currency, description):
            raise IdempotencyKeyReused("This form was already submitted with other values") from None
        return existing


def approve_ledger_adjustment(
    *, adjustment_id: int, approved_by: models.User, approved_at: datetime
) -> models.LedgerAdjustment:
    """Post a PENDING_APPROVAL adjustment on a second person's say-so; both people are in the audit
    trail.

    Raises LedgerAdjustment.DoesNotExist, AdjustmentAlreadyDecided, SelfApproval, AmountOverLimit
    (the limit was lowered meanwhile).
    """
    with transaction.atomic():
        adjustment = _pending(adjustment_id=adjustment_id, decided_by=approved_by)
        limits = queries.money_action_limits(currency=adjustment.currency)
        if abs(adjustment.amount) > limits.limit:
            raise AmountOverLimit(f"One adjustment may move at most {limits.display(limits.limit)}")
        adjustment.decided_by, adjustment.decided_at = approved_by, approved_at
        _post(adjustment, at=approved_at, by=approved_by)
        record_audit(
            action="LEDGER_ADJUSTMENT_APPROVED",
            obj=adjustment,
            account=adjustment.account,
            actor=approved_by,
            data={"amount": adjustment.amount, "requested_by": adjustment.requested_by.email},
            occurred_at=approved_at,
        )
    return adjustment


def reject_ledger_adjustment(
    *, adjustment_id: int, rejected_by: models.User, rejected_at: datetime, note: str
) -> models.LedgerAdjustment:
    """Refuse a PENDING_APPROVAL adjustment; nothing is posted.

    Raises LedgerAdjustment.DoesNotExist, AdjustmentAlreadyDecided, SelfApproval.
    """
    with transaction.atomic():
        adjustment = _pending(adjustment_id=adjustment_id, decided_by=rejected_by)
        adjustment.status = models.LedgerAdjustmentStatus.REJECTED
        adjustment.decided_by, adjustment.decided_at, adjustment.decision_note = (
            rejected_by,
            rejected_at,
            note,
        )
        adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record_audit(
            action="LEDGER_ADJUSTMENT_REJECTED",
            obj=adjustment,
            account=adjustment.account,
            actor=rejected_by,
            data={"amount": adjustment.amount, "note": note, "requested_by": adjustment.requested_by.email},
            occurred_at=rejected_at,
        )
    return adjustment


def _pending(*, adjustment_id: int, decided_by: models.User) -> models.LedgerAdjustment:
    adjustment = (
        models.LedgerAdjustment.objects.select_for_update(of=("self",))
        .select_related("account", "ledger__account", "requested_by")
        .get(id=adjustment_id)
    )
    if adjustment.status != models.LedgerAdjustmentStatus.PENDING_APPROVAL:
        raise AdjustmentAlreadyDecided(f"This adjustment is already {adjustment.get_status_display()}")
    if adjustment.requested_by_id == decided_by.pk:
        raise SelfApproval("A second person must decide on an adjustment you asked for")
    return adjustment


def _post(adjustment: models.LedgerAdjustment, *, at: datetime, by: models.User) -> None:
    adjustment.ledger_entry = post_ledger_entry(
        ledger=adjustment.ledger,
        amount=adjustment.amount,
        currency=adjustment.currency,
        kind=models.LedgerEntryKind.ADJUSTMENT,
        description=adjustment.description,
        reference=f"ADJUSTMENT-{adjustment.pk}",
        posted_at=at,
        created_by=by,
    )
    adjustment.status = models.LedgerAdjustmentStatus.POSTED
    adjustment.save(update_fields=["status", "ledger_entry", "decided_by", "decided_at"])
