"""Reads of accounts, ledgers and balances."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts import models


def get_account(*, number: str) -> models.Account:
    """Raises Account.DoesNotExist."""
    return models.Account.objects.get(number=number)


def ledger_balance(*, ledger: models.Ledger) -> int:
    """The balance of a ledger in minor units: the sum of its entries (positive means in credit)."""
    return models.LedgerEntry.objects.filter(ledger=ledger).balance()


def account_balance(*, account: models.Account) -> int:
    """The balance over all of an account's ledgers, in minor units."""
    return models.LedgerEntry.objects.filter(ledger__account=account).balance()


def ledger_entries(*, account: models.Account) -> QuerySet[models.LedgerEntry]:
    return (
        models.LedgerEntry.objects.filter(ledger__account=account)
        .select_related("ledger")
        .order_by("-posted_at", "-id")
    )


def accounts_of_user(*, user: models.User) -> QuerySet[models.Account]:
    return models.Account.objects.filter(user_roles__user=user).order_by("number")
