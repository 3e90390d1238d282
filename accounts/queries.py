"""Reads of accounts, ledgers and balances."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db.models import BigIntegerField, F, QuerySet, Sum, Window
from django.db.models.functions import Coalesce

from accounts import models
from kernel import ranges


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
    """A user's loyalty point entries, newest first, each with the balance before and after it
    (`balance_before`, `balance_after`)."""
    return (
        models.LoyaltyPointLedgerEntry.objects.filter(user=user)
        .select_related("account")
        .annotate(
            balance_after=Window(Sum("points"), order_by=[F("posted_at").asc(), F("id").asc()]),
        )
        .annotate(balance_before=F("balance_after") - F("points"))
        .order_by("-posted_at", "-id")
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


def user_has_role(*, account: models.Account, user: models.User, role: str) -> bool:
    return models.AccountUserRole.objects.filter(account=account, user=user, role=role).exists()


BUSINESS_ACCOUNT_TYPES = (
    models.AccountType.BUSINESS,
    models.AccountType.BUSINESS_OCCUPIER,
    models.AccountType.BUSINESS_VACANT,
)


def is_business(*, account: models.Account) -> bool:
    """Whether the account is a business's (occupied or vacant)."""
    return account.account_type in BUSINESS_ACCOUNT_TYPES


# --- Batch reads (one query for any number of ids, for the customer graph's dataloaders) ----------


def accounts_by_id(*, ids: Collection[int]) -> QuerySet[models.Account]:
    return models.Account.objects.filter(pk__in=ids)


def addresses_by_id(*, ids: Collection[int]) -> QuerySet[models.Address]:
    return models.Address.objects.filter(pk__in=ids)


def users_by_id(*, ids: Collection[int]) -> QuerySet[models.User]:
    return models.User.objects.filter(pk__in=ids)


def roles_on_accounts(*, account_ids: Collection[int]) -> QuerySet[models.AccountUserRole]:
    """The user roles on these accounts, with their users, in the order they were given."""
    return (
        models.AccountUserRole.objects.filter(account_id__in=account_ids)
        .select_related("user")
        .order_by("id")
    )


def roles_of_users(*, user_ids: Collection[int]) -> QuerySet[models.AccountUserRole]:
    """The account roles of these users, with their accounts, by account number."""
    return (
        models.AccountUserRole.objects.filter(user_id__in=user_ids)
        .select_related("account")
        .order_by("account__number")
    )


# --- Properties ------------------------------------------------------------------------------------


def properties_of_accounts(*, account_ids: Collection[int]) -> QuerySet[models.Property]:
    """The accounts' properties with their addresses, by start of occupancy."""
    return (
        models.Property.objects.filter(account_id__in=account_ids)
        .select_related("address")
        .order_by("occupied_from", "id")
    )


def has_properties(*, account: models.Account) -> bool:
    return models.Property.objects.filter(account=account).exists()


def get_property(*, public_id: int) -> models.Property | None:
    """The property with this public number (and its address), or None."""
    return models.Property.objects.select_related("address").filter(public_id=public_id).first()


def occupancy(prop: models.Property) -> ranges.Period:
    """The half-open period `[occupied_from, occupied_to)` during which the account occupies it."""
    return ranges.Period(prop.occupied_from, prop.occupied_to)


def is_occupied(*, prop: models.Property, at: datetime) -> bool:
    return at in occupancy(prop)


# --- Ledgers ---------------------------------------------------------------------------------------


def ledgers_of_accounts(*, account_ids: Collection[int]) -> QuerySet[models.Ledger]:
    """The accounts' ledgers, each with its balance (`balance`, minor units, 0 without entries)."""
    return (
        models.Ledger.objects.filter(account_id__in=account_ids)
        .annotate(balance=Coalesce(Sum("entries__amount"), 0, output_field=BigIntegerField()))
        .order_by("id")
    )


def balances_of_accounts(*, account_ids: Collection[int]) -> dict[int, int]:
    """Each account's balance over all its ledgers, minor units (0 without entries)."""
    totals = dict(
        models.LedgerEntry.objects.filter(ledger__account_id__in=account_ids)
        .order_by()
        .values_list("ledger__account_id")
        .annotate(total=Sum("amount"))
        .values_list("ledger__account_id", "total")
    )
    return {account_id: totals.get(account_id) or 0 for account_id in account_ids}


def amount_owed(*, balance: int) -> int:
    """What the customer owes on a balance (positive means in credit): its debit part, else 0."""
    return max(-balance, 0)


def ledger_entries_with_balances(
    *, kinds: Collection[str] = (), excluded: Collection[str] = (), newest_first: bool = True
) -> QuerySet[models.LedgerEntry]:
    """Ledger entries (with ledger and account), optionally only of `kinds` or not of `excluded`.

    An unfiltered set carries each entry's running ledger balance after it (`balance_after`); a
    filter by kind would make that sum wrong, so a filtered set carries none.
    """
    rows = models.LedgerEntry.objects.select_related("ledger__account")
    if not kinds and not excluded:
        rows = rows.annotate(
            balance_after=Window(
                Sum("amount"), partition_by=[F("ledger_id")], order_by=[F("posted_at").asc(), F("id").asc()]
            )
        )
    if kinds:
        rows = rows.filter(kind__in=kinds)
    if excluded:
        rows = rows.exclude(kind__in=excluded)
    return rows.order_by("-posted_at", "-id") if newest_first else rows.order_by("posted_at", "id")
