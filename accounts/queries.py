"""Reads of accounts, ledgers and balances."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BigIntegerField, F, OuterRef, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Coalesce, Lower, Upper

from accounts import models
from kernel import bulk, crypto, money, prepared, ranges, search


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
        bulk.AnyOf(F("vendor"), vendors),
        bulk.AnyOf(F("vendor_reference"), {reference for _, reference in references}),
    ).values_list("vendor", "vendor_reference")
    return set(found) & set(references)


def roles_held_by_emails(*, emails: Collection[str]) -> dict[str, set[str]]:
    """The account roles the users with these emails (compared in lower case) hold on any account,
    keyed by email in lower case (one query; none without emails)."""
    if not emails:
        return {}
    held: dict[str, set[str]] = {}
    rows = (
        models.AccountUserRole.objects.annotate(email=Lower("user__email"))
        .filter(bulk.AnyOf(F("email"), [email.lower() for email in emails]))
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
    found = models.User.objects.filter(bulk.AnyOf(F("email"), emails)).values_list("email", "id")
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
    if known_account_ids is not None:
        return models.Account.objects.filter(number=number, pk__in=known_account_ids).first()
    return prepared.first("account_of_user", _account_of_user, number, user.pk)


def _account_of_user(number: str, user_id: int) -> QuerySet[models.Account]:
    return models.Account.objects.filter(number=number).filter(user_roles__user_id=user_id).order_by("pk")[:1]


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


# Compiled once per process (`kernel.prepared`): the graph asks for them in nearly every request.


def accounts_by_id(*, ids: Collection[int]) -> list[models.Account]:
    return prepared.rows("accounts_by_id", lambda ids: models.Account.objects.filter(pk__in=ids), list(ids))


def ledger_entries_by_id(*, ids: Collection[int]) -> list[models.LedgerEntry]:
    return prepared.rows("ledger_entries_by_id", _ledger_entries_by_id, list(ids))


def _ledger_entries_by_id(ids: list[int]) -> QuerySet[models.LedgerEntry]:
    return models.LedgerEntry.objects.filter(pk__in=ids).select_related("ledger__account")


def addresses_by_id(*, ids: Collection[int]) -> list[models.Address]:
    return prepared.rows("addresses_by_id", lambda ids: models.Address.objects.filter(pk__in=ids), list(ids))


def users_by_id(*, ids: Collection[int]) -> list[models.User]:
    return prepared.rows("users_by_id", lambda ids: models.User.objects.filter(pk__in=ids), list(ids))


def roles_on_accounts(*, account_ids: Collection[int]) -> list[models.AccountUserRole]:
    """The user roles on these accounts, with their users, in the order they were given."""
    return prepared.rows("roles_on_accounts", _roles_on_accounts, list(account_ids))


def _roles_on_accounts(account_ids: list[int]) -> QuerySet[models.AccountUserRole]:
    return (
        models.AccountUserRole.objects.filter(account_id__in=account_ids)
        .select_related("user")
        .order_by("id")
    )


def roles_of_users(*, user_ids: Collection[int]) -> list[models.AccountUserRole]:
    """The account roles of these users, with their accounts, by account number."""
    return prepared.rows("roles_of_users", _roles_of_users, list(user_ids))


def _roles_of_users(user_ids: list[int]) -> QuerySet[models.AccountUserRole]:
    return (
        models.AccountUserRole.objects.filter(user_id__in=user_ids)
        .select_related("account")
        .order_by("account__number")
    )


# --- Properties ------------------------------------------------------------------------------------


def properties_of_accounts(*, account_ids: Collection[int]) -> list[models.Property]:
    """The accounts' properties with their addresses, by start of occupancy."""
    return prepared.rows("properties_of_accounts", _properties_of_accounts, list(account_ids))


def _properties_of_accounts(account_ids: list[int]) -> QuerySet[models.Property]:
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


def ledgers_of_accounts(*, account_ids: Collection[int]) -> list[models.Ledger]:
    """The accounts' ledgers, each with its balance (`balance`, minor units, 0 without entries)."""
    return prepared.rows("ledgers_of_accounts", _ledgers_of_accounts, list(account_ids))


def _ledgers_of_accounts(account_ids: list[int]) -> QuerySet[models.Ledger]:
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
