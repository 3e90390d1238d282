"""Writes to accounts and ledgers. Each public function is one business operation in one transaction."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from accounts import models

MAX_ACCOUNT_NUMBER_ATTEMPTS = 5


class CurrencyMismatch(ValueError):
    """An entry's currency differs from its ledger's."""


class ZeroAmount(ValueError):
    """A ledger entry of nothing."""


def record_audit(
    *,
    action: str,
    obj: object,
    occurred_at: datetime,
    account: models.Account | None = None,
    actor: models.User | None = None,
    data: dict | None = None,
) -> models.AuditEntry:
    """Leave an audit row for a state change that matters. Call inside the operation's transaction."""
    return models.AuditEntry.objects.create(
        account=account,
        actor=actor,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "pk", obj)),
        data=data or {},
        occurred_at=occurred_at,
    )


def create_account(
    *,
    billing_name: str,
    currency: str,
    created_at: datetime,
    billing_address: models.Address | None = None,
    account_type: str = models.AccountType.DOMESTIC,
    status: str = models.AccountStatus.ACTIVE,
    number: str | None = None,
) -> models.Account:
    """Create an account with its energy ledger, under a fresh public number.

    Raises IntegrityError if `number` is given and taken.
    """
    for _ in range(MAX_ACCOUNT_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                account = models.Account.objects.create(
                    billing_name=billing_name,
                    billing_address=billing_address,
                    currency=currency,
                    account_type=account_type,
                    status=status,
                    **({"number": number} if number else {}),
                )
                models.Ledger.objects.create(
                    account=account, ledger_type=models.LedgerType.ENERGY, currency=currency
                )
                record_audit(action="ACCOUNT_CREATED", obj=account, account=account, occurred_at=created_at)
                return account
        except IntegrityError:
            if number:
                raise
    raise RuntimeError("Could not find a free account number")


def post_ledger_entry(
    *,
    ledger: models.Ledger,
    amount: int,
    currency: str,
    kind: str,
    description: str,
    posted_at: datetime,
    reference: str = "",
    created_by: models.User | None = None,
) -> models.LedgerEntry:
    """Append an entry to a ledger, with its audit row.

    Raises CurrencyMismatch, ZeroAmount, IntegrityError if `reference` was already posted.
    """
    if currency != ledger.currency:
        raise CurrencyMismatch(f"Ledger {ledger} is in {ledger.currency}, not {currency}")
    if amount == 0:
        raise ZeroAmount("A ledger entry must move money")
    with transaction.atomic():
        entry = models.LedgerEntry.objects.create(
            ledger=ledger,
            amount=amount,
            currency=currency,
            kind=kind,
            description=description,
            reference=reference,
            posted_at=posted_at,
            created_by=created_by,
        )
        record_audit(
            action=f"LEDGER_{kind}",
            obj=entry,
            account=ledger.account,
            actor=created_by,
            data={"amount": amount, "currency": currency, "reference": reference},
            occurred_at=posted_at,
        )
    return entry


def add_note(
    *, account: models.Account, body: str, created_at: datetime, created_by: models.User | None = None
) -> models.AccountNote:
    return models.AccountNote.objects.create(
        account=account, body=body, created_at=created_at, created_by=created_by
    )


class UnchangedStatus(ValueError):
    """The account already has the requested status."""


def change_account_status(
    *,
    account: models.Account,
    status: str,
    reason: str,
    changed_at: datetime,
    changed_by: models.User | None = None,
) -> models.Account:
    """Move an account to another status, leaving a note with the reason and an audit row.

    Raises UnchangedStatus, ValueError for an unknown status.
    """
    if status not in models.AccountStatus.values:
        raise ValueError(f"Unknown account status {status!r}")
    if account.status == status:
        raise UnchangedStatus(f"{account.number} is already {status}")
    with transaction.atomic():
        previous = account.status
        account.status = status
        account.save(update_fields=["status"])
        models.AccountNote.objects.create(
            account=account,
            body=f"Status {previous} → {status}: {reason}",
            created_at=changed_at,
            created_by=changed_by,
        )
        record_audit(
            action="ACCOUNT_STATUS_CHANGED",
            obj=account,
            account=account,
            actor=changed_by,
            data={"from": previous, "to": status, "reason": reason},
            occurred_at=changed_at,
        )
    return account


# --- Loyalty points ---------------------------------------------------------------------------------

# Octopoints are worth 12.5p each and are redeemed in whole pounds: 8 points for £1.
LOYALTY_POINTS_PER_POUND = 8
LOYALTY_POINT_CURRENCY = "GBP"


class NoLoyaltyPoints(Exception):
    """The user has never had loyalty points (no ledger)."""


class NonPositivePoints(ValueError):
    """Zero or negative points asked for."""


class IndivisiblePoints(ValueError):
    """Points that do not make whole pounds."""


class InsufficientPoints(ValueError):
    """More points than the user holds."""


def award_loyalty_points(
    *,
    user: models.User,
    account: models.Account | None,
    points: int,
    reason: str,
    reference: str,
    posted_at: datetime,
) -> models.LoyaltyPointLedgerEntry:
    """Give a user points. Idempotent on `reference`: awarding the same reference again returns the
    first entry. Raises NonPositivePoints."""
    if points <= 0:
        raise NonPositivePoints(points)
    with transaction.atomic():
        entry, created = models.LoyaltyPointLedgerEntry.objects.get_or_create(
            user=user,
            reference=reference,
            defaults={"account": account, "points": points, "reason": reason, "posted_at": posted_at},
        )
        if created:
            record_audit(
                action="LOYALTY_POINTS_AWARDED",
                obj=entry,
                account=account,
                actor=None,
                data={"points": points, "reason": reason, "reference": reference},
                occurred_at=posted_at,
            )
    return entry


def redeem_loyalty_points(
    *, user: models.User, account: models.Account, points: int, now: datetime
) -> models.LedgerEntry:
    """Turn a user's points into a credit on the account's energy ledger, 8 points to £1. The points
    leave the user's loyalty ledger and the credit is posted in the same transaction; a lock on the
    user keeps concurrent redemptions from spending the same points twice.

    Raises NonPositivePoints, IndivisiblePoints, NoLoyaltyPoints, InsufficientPoints,
    CurrencyMismatch for an account not billed in pounds, Ledger.DoesNotExist without an energy ledger.
    """
    if points <= 0:
        raise NonPositivePoints(points)
    if points % LOYALTY_POINTS_PER_POUND:
        raise IndivisiblePoints(points)
    if account.currency != LOYALTY_POINT_CURRENCY:
        raise CurrencyMismatch(f"Loyalty points pay out in {LOYALTY_POINT_CURRENCY}, not {account.currency}")
    with transaction.atomic():
        models.User.objects.select_for_update().filter(pk=user.pk).first()
        entries = models.LoyaltyPointLedgerEntry.objects.filter(user=user)
        if not entries.exists():
            raise NoLoyaltyPoints(user.pk)
        if entries.balance() < points:
            raise InsufficientPoints(points)
        ledger = models.Ledger.objects.get(account=account, ledger_type=models.LedgerType.ENERGY)
        redemption = models.LoyaltyPointLedgerEntry.objects.create(
            user=user,
            account=account,
            points=-points,
            reason=models.LoyaltyPointReason.ACCOUNT_CREDIT_REDEMPTION,
            posted_at=now,
        )
        return post_ledger_entry(
            ledger=ledger,
            amount=points // LOYALTY_POINTS_PER_POUND * 100,
            currency=LOYALTY_POINT_CURRENCY,
            kind=models.LedgerEntryKind.CREDIT,
            description=f"{points} loyalty points redeemed",
            posted_at=now,
            reference=f"loyalty-redemption-{redemption.pk}",
            created_by=user,
        )
