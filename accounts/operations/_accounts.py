"""Creating accounts, their notes, payment methods and status changes."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from accounts import models
from accounts.operations._audit import record_audit

MAX_ACCOUNT_NUMBER_ATTEMPTS = 5


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


def add_note(
    *, account: models.Account, body: str, created_at: datetime, created_by: models.User | None = None
) -> models.AccountNote:
    return models.AccountNote.objects.create(
        account=account, body=body, created_at=created_at, created_by=created_by
    )


class PaymentMethodConflict(Exception):
    """The account already has an active payment method, or the vendor reference is taken."""


def add_payment_method(
    *, account: models.Account, method_type: str, vendor: str, vendor_reference: str
) -> models.PaymentMethod:
    """Give an account an ACTIVE payment method (a mandate or a card token at `vendor`).

    Raises PaymentMethodConflict (the account has an active method already, or another account
    holds this vendor reference).
    """
    try:
        with transaction.atomic():
            return models.PaymentMethod.objects.create(
                account=account, method_type=method_type, vendor=vendor, vendor_reference=vendor_reference
            )
    except IntegrityError:
        raise PaymentMethodConflict(
            f"{account.number} cannot take payment method {vendor_reference}"
        ) from None


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


def end_occupancy(*, account: models.Account, at: datetime, now: datetime) -> list[models.Property]:
    """The account's customer leaves its properties occupied at `at` (a move-out): their occupancy
    ends then, with one audit row each. Call inside the move-out's transaction. Returns them."""
    properties = list(
        models.Property.objects.select_for_update()
        .filter(account=account, occupied_from__lt=at)
        .exclude(occupied_to__lte=at)
        .order_by("id")
    )
    for prop in properties:
        prop.occupied_to = at
        prop.save(update_fields=["occupied_to"])
        record_audit(
            action="PROPERTY_MOVED_OUT",
            obj=prop,
            account=account,
            occurred_at=now,
            data={"at": at.isoformat()},
        )
    return properties
