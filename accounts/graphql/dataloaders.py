"""Request-scoped batch loads of accounts-app rows: one query per hop, whatever the row count."""

from __future__ import annotations

from django.db.models import F, Sum, Window

from accounts import models, queries
from kernel import graphql as gql


def account(info, account_id: int):
    def batch(ids):
        return gql.by_key(models.Account.objects.filter(pk__in=ids), lambda a: a.pk, ids)

    return gql.context(info).loader("account", batch).load(account_id)


def address(info, address_id: int | None):
    if address_id is None:
        return None

    def batch(ids):
        return gql.by_key(models.Address.objects.filter(pk__in=ids), lambda a: a.pk, ids)

    return gql.context(info).loader("address", batch).load(address_id)


def user(info, user_id: int):
    def batch(ids):
        return gql.by_key(models.User.objects.filter(pk__in=ids), lambda u: u.pk, ids)

    return gql.context(info).loader("user", batch).load(user_id)


def users_of_account(info, account_id: int):
    def batch(ids):
        roles = (
            models.AccountUserRole.objects.filter(account_id__in=ids).select_related("user").order_by("id")
        )
        return [[r.user for r in group] for group in gql.grouped(roles, lambda r: r.account_id, ids)]

    return gql.context(info).loader("users_of_account", batch).load(account_id)


def roles_of_user(info, user_id: int):
    def batch(ids):
        roles = (
            models.AccountUserRole.objects.filter(user_id__in=ids)
            .select_related("account")
            .order_by("account__number")
        )
        return gql.grouped(roles, lambda r: r.user_id, ids)

    return gql.context(info).loader("roles_of_user", batch).load(user_id)


def properties_of_account(info, account_id: int):
    def batch(ids):
        rows = (
            models.Property.objects.filter(account_id__in=ids)
            .select_related("address")
            .order_by("occupied_from", "id")
        )
        return gql.grouped(rows, lambda p: p.account_id, ids)

    return gql.context(info).loader("properties_of_account", batch).load(account_id)


def ledgers_of_account(info, account_id: int):
    def batch(ids):
        rows = models.Ledger.objects.filter(account_id__in=ids).annotate(balance=Sum("entries__amount"))
        return gql.grouped(rows.order_by("id"), lambda lg: lg.account_id, ids)

    return gql.context(info).loader("ledgers_of_account", batch).load(account_id)


def balance_of_account(info, account_id: int):
    def batch(ids):
        totals = dict(
            models.LedgerEntry.objects.filter(ledger__account_id__in=ids)
            .order_by()
            .values_list("ledger__account_id")
            .annotate(total=Sum("amount"))
            .values_list("ledger__account_id", "total")
        )
        return [totals.get(i) or 0 for i in ids]

    return gql.context(info).loader("balance_of_account", batch).load(account_id)


TRANSACTION_ORDER = {"POSTED_DATE_DESC": ("-posted_at", "-id"), "POSTED_DATE_ASC": ("posted_at", "id")}


def _entries(kinds: tuple[str, ...], excluded: tuple[str, ...]):
    """Ledger entries with the ledger's running balance after each. A filter by kind would make the
    window sum wrong, so a filtered list carries no running balance (balanceCarriedForward null)."""
    rows = models.LedgerEntry.objects.select_related("ledger__account")
    if not kinds and not excluded:
        return rows.annotate(
            balance_after=Window(
                Sum("amount"), partition_by=[F("ledger_id")], order_by=[F("posted_at").asc(), F("id").asc()]
            )
        )
    if kinds:
        rows = rows.filter(kind__in=kinds)
    if excluded:
        rows = rows.exclude(kind__in=excluded)
    return rows


def transactions_of(
    info, *, parent: str, parent_id: int, args: gql.PageArgs, order: str, kinds: tuple, excluded: tuple
):
    """A page of ledger entries of an account (`parent="ledger__account_id"`) or a ledger."""

    def batch(ids, page):
        return gql.paginate_by_parent(
            _entries(kinds, excluded),
            parent_field=parent,
            parent_ids=ids,
            order_by=TRANSACTION_ORDER[order],
            args=page,
        )

    return gql.paged_loader(info, f"transactions:{parent}:{order}:{kinds}:{excluded}", args, batch).load(
        parent_id
    )


def comms_preferences(info, user_id: int):
    """AccountUserCommsPreferences of a user (their defaults when they never set any)."""

    def batch(ids):
        found = queries.comms_preferences_of_users(user_ids=ids)
        return [comms_preferences_view(found[i]) for i in ids]

    return gql.context(info).loader("comms_preferences", batch).load(user_id)


# GraphQL input field -> CommsPreferences field
COMMS_PREFERENCE_INPUTS = {
    "isOptedInToClientMessages": "is_opted_in_to_client_messages",
    "isOptedInToOfferMessages": "is_opted_in_to_offer_messages",
    "isOptedInToRecommendedMessages": "is_opted_in_to_recommended_messages",
    "isOptedInToUpdateMessages": "is_opted_in_to_update_messages",
    "isOptedInToThirdPartyMessages": "is_opted_in_to_third_party_messages",
    "isOptedInMeterReadingConfirmations": "is_opted_in_meter_reading_confirmations",
    "isOptedInToSmsMessages": "is_opted_in_to_sms_messages",
    "isUsingInvertedEmailColours": "is_using_inverted_email_colours",
    "fontSizeMultiplier": "font_size_multiplier",
    "emailFormat": "email_format",
    "preferredHoldMusic": "preferred_hold_music",
}


def comms_preferences_view(prefs: models.CommsPreferences) -> dict:
    """AccountUserCommsPreferences from a user's preferences (saved or defaults)."""
    view = {name: getattr(prefs, field) for name, field in COMMS_PREFERENCE_INPUTS.items()}
    view["fontSizeMultiplier"] = float(prefs.font_size_multiplier)
    view["emailFormat"] = str(prefs.email_format)
    view["preferredHoldMusic"] = str(prefs.preferred_hold_music)
    return view
