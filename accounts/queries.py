"""Reads of accounts, ledgers and balances."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db.models import QuerySet
from django.db.models.functions import Lower

from accounts import models


def get_account(*, number: str) -> models.Account:
    """Raises Account.DoesNotExist."""
    return models.Account.objects.get(number=number)


def account_number(*, account_id: int) -> str:
    """The public number of the account with this id. Raises Account.DoesNotExist."""
    return models.Account.objects.values_list("number", flat=True).get(pk=account_id)


def energy_ledger(*, account: models.Account) -> models.Ledger:
    """Raises Ledger.DoesNotExist."""
    return models.Ledger.objects.get(account=account, ledger_type=models.LedgerType.ENERGY)


def posted_references(*, ledger: models.Ledger, references: Collection[str]) -> set[str]:
    """Which of these references the ledger has entries for (one query)."""
    return set(
        models.LedgerEntry.objects.filter(ledger=ledger, reference__in=references).values_list(
            "reference", flat=True
        )
    )


def taken_payment_references(*, references: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (vendor, vendor reference) pairs a payment method has already (one query; none
    without pairs)."""
    if not references:
        return set()
    vendors = {vendor for vendor, _ in references}
    found = models.PaymentMethod.objects.filter(
        vendor__in=vendors, vendor_reference__in={reference for _, reference in references}
    ).values_list("vendor", "vendor_reference")
    return set(found) & set(references)


def roles_of_users(*, emails: Collection[str]) -> dict[str, set[str]]:
    """The account roles the users with these emails (compared in lower case) hold on any account,
    keyed by email in lower case (one query; none without emails)."""
    if not emails:
        return {}
    held: dict[str, set[str]] = {}
    rows = (
        models.AccountUserRole.objects.annotate(email=Lower("user__email"))
        .filter(email__in=[email.lower() for email in emails])
        .values_list("email", "role")
    )
    for email, role in rows:
        held.setdefault(email.lower(), set()).add(role)
    return held


def note_keys(*, account: models.Account) -> set[tuple[str, datetime]]:
    """(body, created_at) of every note on the account (one query)."""
    return set(models.AccountNote.objects.filter(account=account).values_list("body", "created_at"))


def user_ids_by_email(*, emails: Collection[str]) -> dict[str, int]:
    """The ids of the users whose email is one of `emails` (compared as given), keyed by the email in
    lower case. One query; none without emails."""
    if not emails:
        return {}
    found = models.User.objects.filter(email__in=emails).values_list("email", "id")
    return {email.lower(): user_id for email, user_id in found}


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


def lock_account(*, account_id: int) -> models.Account:
    """The account, locked (`SELECT … FOR UPDATE`) until the caller's transaction ends: serialises
    operations that must not run twice at once for one account. Raises Account.DoesNotExist."""
    return models.Account.objects.select_for_update().get(pk=account_id)
