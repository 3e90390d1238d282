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


# --- Loyalty points ---------------------------------------------------------------------------------


def loyalty_point_entries(*, user: models.User) -> QuerySet[models.LoyaltyPointLedgerEntry]:
    """A user's loyalty point entries, oldest first, each with the balance after it
    (`balance_after`)."""
    from django.db.models import F, Sum, Window

    return (
        models.LoyaltyPointLedgerEntry.objects.filter(user=user)
        .select_related("account")
        .annotate(
            balance_after=Window(Sum("points"), order_by=[F("posted_at").asc(), F("id").asc()]),
        )
        .order_by("posted_at", "id")
    )


def loyalty_point_balance(*, user: models.User) -> int:
    return models.LoyaltyPointLedgerEntry.objects.filter(user=user).balance()


def is_loyalty_point_user(*, account: models.Account) -> bool:
    """Whether one of the account's users holds the LOYALTY_POINT_USER role (enrolled in Octoplus)."""
    return models.AccountUserRole.objects.filter(
        account=account, role=models.AccountUserRoleType.LOYALTY_POINT_USER
    ).exists()


def has_active_direct_debit(*, account: models.Account) -> bool:
    return models.PaymentMethod.objects.filter(
        account=account,
        method_type=models.PaymentMethodType.DIRECT_DEBIT,
        status=models.PaymentMethodStatus.ACTIVE,
    ).exists()


def comms_preferences_of_users(*, user_ids: list[int]) -> dict[int, models.CommsPreferences]:
    """Each user's comms preferences, in one query; a user who never set any gets an unsaved row
    holding the defaults."""
    found = {p.user_id: p for p in models.CommsPreferences.objects.filter(user_id__in=user_ids)}
    return {uid: found.get(uid) or models.CommsPreferences(user_id=uid) for uid in user_ids}


def first_users(*, account_ids: list[int]) -> dict[int, models.User]:
    """Each account's first user (the earliest role), in one query; accounts without one are left out."""
    users: dict[int, models.User] = {}
    for role in (
        models.AccountUserRole.objects.filter(account_id__in=account_ids)
        .select_related("user")
        .order_by("id")
    ):
        users.setdefault(role.account_id, role.user)
    return users


def account_ids_of_user(*, user: models.User) -> set[int]:
    """Ids of the accounts the user holds a role on."""
    return set(models.AccountUserRole.objects.filter(user=user).values_list("account_id", flat=True))


def account_of_user(
    *, number: str, user: models.User, known_account_ids: set[int] | None = None
) -> models.Account | None:
    """The account with this number if the user holds a role on it, else None. With the user's
    account ids already known, one query on the account alone."""
    accounts = models.Account.objects.filter(number=number)
    if known_account_ids is not None:
        return accounts.filter(pk__in=known_account_ids).first()
    return accounts.filter(user_roles__user=user).first()
