"""Reads of accounts, ledgers and balances."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, OuterRef, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Coalesce, Upper

from accounts import models
from kernel import crypto, money, search


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


# --- Customer API keys ------------------------------------------------------------------------------


def user_of_api_key(*, api_key: str) -> models.User | None:
    """The active user whose live (unrevoked) secret key this is, else None. One query, on the
    key's hash."""
    key = (
        models.APIKey.objects.select_related("user", "user__authentication_state")
        .filter(key_hash=crypto.hash_secret(api_key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return key.user if key is not None else None


def live_api_key(*, user: models.User) -> str | None:
    """The user's live secret key, decrypted, or None if they have none (or it was issued before
    keys were kept, or under an encryption key no longer configured)."""
    encrypted = (
        models.APIKey.objects.filter(user=user, revoked_at__isnull=True)
        .values_list("encrypted_key", flat=True)
        .first()
    )
    if not encrypted:
        return None
    try:
        return crypto.decrypt(encrypted, purpose=models.APIKey.ENCRYPTION_PURPOSE)
    except crypto.CannotDecrypt:
        return None


def properties_of_account(*, account: models.Account) -> list[models.Property]:
    """The account's properties with their addresses: the one it occupies now (no move-out) first,
    then the latest moved into first."""
    return list(
        models.Property.objects.filter(account=account)
        .select_related("address")
        .order_by(F("occupied_to").desc(nulls_first=True), "-occupied_from", "-id")
    )


# --- Back office: balances, search, the account page ---------------------------------------------------


def with_balances(accounts: QuerySet[models.Account]) -> QuerySet[models.Account]:
    """Annotate `balance` (minor units over all the account's ledgers) with a correlated subquery, so
    joins elsewhere in the query (searching by meter point, dual-fuel properties) never multiply it."""
    return accounts.annotate(balance=_entries_total(owner="ledger__account"))


def with_ledger_balances(ledgers: QuerySet[models.Ledger]) -> QuerySet[models.Ledger]:
    """Annotate each ledger's `balance` with a correlated subquery (see `with_balances`)."""
    return ledgers.annotate(balance=_entries_total(owner="ledger"))


def _entries_total(*, owner: str) -> Coalesce:
    """The sum of the entries whose `owner` is the outer row, as one scalar subquery (0 if none)."""
    total = (
        models.LedgerEntry.objects.filter(**{owner: OuterRef("pk")})
        .order_by()
        .values(owner)
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total), 0)


ACCOUNT_NUMBER_PREFIX = re.compile(r"A-[0-9A-F]{1,8}", re.IGNORECASE)
POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")  # GB, spaces removed
PHONE = re.compile(r"\+?[0-9][0-9 ()-]{8,}")


def account_ids_by_identifier(*, term: str, limit: int = 500) -> list[int] | None:
    """Ids of the accounts an ops user means by `term`: an account number (or its start), an email
    (a user's or the billing email, any case), a phone number (its last ten digits) or a postcode
    (any spacing or case, supply or billing address). None if `term` looks like none of these. Each
    lookup is one indexed query."""
    term = term.strip()
    if ACCOUNT_NUMBER_PREFIX.fullmatch(term):
        return list(
            models.Account.objects.filter(number__startswith=term.upper()).values_list("id", flat=True)[
                :limit
            ]
        )
    if "@" in term:
        email = term.upper()
        by_user = models.AccountUserRole.objects.alias(email=Upper("user__email")).filter(email=email)
        by_billing = models.Account.objects.alias(email=Upper("billing_email")).filter(email=email)
        return _ids(
            by_user.values_list("account_id", flat=True), by_billing.values_list("id", flat=True), limit
        )
    if POSTCODE.fullmatch(search.postcode_key(term)):
        key = search.postcode_key(term)
        addresses = models.Address.objects.alias(key=search.postcode_key_expression("postcode")).filter(
            key=key
        )
        supplied = models.Property.objects.filter(address__in=addresses).values_list("account_id", flat=True)
        billed = models.Account.objects.filter(billing_address__in=addresses).values_list("id", flat=True)
        return _ids(supplied, billed, limit)
    if PHONE.fullmatch(term) and len(search.phone_key(term)) == search.PHONE_DIGITS:
        key = search.phone_key(term)
        mobiles = models.AccountUserRole.objects.alias(key=search.PhoneKey("user__mobile")).filter(key=key)
        landlines = models.AccountUserRole.objects.alias(key=search.PhoneKey("user__landline")).filter(
            key=key
        )
        return _ids(
            mobiles.values_list("account_id", flat=True),
            landlines.values_list("account_id", flat=True),
            limit,
        )
    return None


def _ids(first: QuerySet, second: QuerySet, limit: int) -> list[int]:
    return sorted(set(first[:limit]) | set(second[:limit]))[:limit]


def ledger_with_running_balance(*, account: models.Account, limit: int) -> list[models.LedgerEntry]:
    """The account's latest `limit` entries, newest first, each with `balance_after` (the balance of
    its ledger once it was posted)."""
    return list(
        models.LedgerEntry.objects.filter(ledger__account=account)
        .select_related("ledger", "created_by")
        .annotate(
            balance_after=Window(
                Sum("amount"), partition_by=[F("ledger_id")], order_by=[F("posted_at").asc(), F("id").asc()]
            )
        )
        .order_by("-posted_at", "-id")[:limit]
    )


def notes_of_account(*, account: models.Account, limit: int) -> list[models.AccountNote]:
    return list(
        models.AccountNote.objects.filter(account=account)
        .select_related("created_by")
        .order_by("-is_pinned", "-created_at", "-id")[:limit]
    )


def audit_trail(*, account: models.Account, limit: int) -> list[models.AuditEntry]:
    return list(
        models.AuditEntry.objects.filter(account=account)
        .select_related("actor")
        .order_by("-occurred_at", "-id")[:limit]
    )


def adjustments_of_account(*, account: models.Account, limit: int) -> list[models.LedgerAdjustment]:
    return list(
        models.LedgerAdjustment.objects.filter(account=account)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-id")[:limit]
    )


def account_time_zone(*, account: models.Account) -> ZoneInfo:
    """The zone whose calendar the account's periods are shown in (the supplier's billing zone)."""
    return ZoneInfo(settings.TIME_ZONE)


class NoMoneyLimits(ValueError):
    """No money action limits are configured for the currency, so no money action may use it."""


@dataclass(frozen=True)
class MoneyLimits:
    """Minor units: the most one money action may move, and the most it moves without approval."""

    currency: str
    limit: int
    approval_threshold: int

    def display(self, minor_units: int) -> str:
        return money.format_amount(minor_units=minor_units, currency=self.currency)


def money_action_limits(*, currency: str) -> MoneyLimits:
    """The configured limits (settings.MONEY_ACTION_LIMITS, major units) of `currency`.

    Raises NoMoneyLimits.
    """
    configured = settings.MONEY_ACTION_LIMITS.get(currency)
    if configured is None or currency not in money.MINOR_UNIT_EXPONENTS:
        raise NoMoneyLimits(f"No money action limits are configured for {currency}")
    limit, threshold = (
        money.to_minor_units(amount=Decimal(str(configured[name])), currency=currency)
        for name in ("limit", "approval_threshold")
    )
    return MoneyLimits(currency=currency, limit=limit, approval_threshold=min(threshold, limit))
