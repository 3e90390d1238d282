"""Request-scoped batch loads of accounts-app rows: one query per hop, whatever the row count. Each
batch calls one read of `accounts.queries`."""

from __future__ import annotations

from accounts import queries
from kernel import graphql as gql


def account(info, account_id: int):
    def batch(ids):
        return gql.by_key(queries.accounts_by_id(ids=ids), lambda a: a.pk, ids)

    return gql.context(info).loader("account", batch).load(account_id)


def address(info, address_id: int | None):
    if address_id is None:
        return None

    def batch(ids):
        return gql.by_key(queries.addresses_by_id(ids=ids), lambda a: a.pk, ids)

    return gql.context(info).loader("address", batch).load(address_id)


def user(info, user_id: int):
    def batch(ids):
        return gql.by_key(queries.users_by_id(ids=ids), lambda u: u.pk, ids)

    return gql.context(info).loader("user", batch).load(user_id)


def users_of_account(info, account_id: int):
    def batch(ids):
        roles = queries.roles_on_accounts(account_ids=ids)
        return [[r.user for r in group] for group in gql.grouped(roles, lambda r: r.account_id, ids)]

    return gql.context(info).loader("users_of_account", batch).load(account_id)


def roles_of_user(info, user_id: int):
    def batch(ids):
        return gql.grouped(queries.roles_of_users(user_ids=ids), lambda r: r.user_id, ids)

    return gql.context(info).loader("roles_of_user", batch).load(user_id)


def properties_of_account(info, account_id: int):
    def batch(ids):
        return gql.grouped(queries.properties_of_accounts(account_ids=ids), lambda p: p.account_id, ids)

    return gql.context(info).loader("properties_of_account", batch).load(account_id)


def ledgers_of_account(info, account_id: int):
    def batch(ids):
        return gql.grouped(queries.ledgers_of_accounts(account_ids=ids), lambda lg: lg.account_id, ids)

    return gql.context(info).loader("ledgers_of_account", batch).load(account_id)


def balance_of_account(info, account_id: int):
    def batch(ids):
        balances = queries.balances_of_accounts(account_ids=ids)
        return [balances[i] for i in ids]

    return gql.context(info).loader("balance_of_account", batch).load(account_id)


def transactions_of_account(
    info, account_id: int, *, args: gql.PageArgs, newest_first: bool, kinds: tuple, excluded: tuple
):
    """A page of the ledger entries of an account (all its ledgers)."""

    def batch(ids, page):
        rows = queries.ledger_entries_with_balances(kinds=kinds, excluded=excluded, newest_first=newest_first)
        return gql.paginate_by_parent(rows, parent_field="ledger__account_id", parent_ids=ids, args=page)

    name = f"transactions_of_account:{newest_first}:{kinds}:{excluded}"
    return gql.paged_loader(info, name, args, batch).load(account_id)


def transactions_of_ledger(info, ledger_id: int, *, args: gql.PageArgs, kinds: tuple):
    """A page of the entries of a ledger, newest first."""

    def batch(ids, page):
        rows = queries.ledger_entries_with_balances(kinds=kinds)
        return gql.paginate_by_parent(rows, parent_field="ledger_id", parent_ids=ids, args=page)

    return gql.paged_loader(info, f"transactions_of_ledger:{kinds}", args, batch).load(ledger_id)


def comms_preferences(info, user_id: int):
    """A user's CommsPreferences (an unsaved row of defaults when they never set any)."""

    def batch(ids):
        found = queries.comms_preferences_of_users(user_ids=ids)
        return [found[i] for i in ids]

    return gql.context(info).loader("comms_preferences", batch).load(user_id)


def live_api_key(info) -> str | None:
    """The viewer's live secret key (`queries.live_api_key`), read and decrypted once per request:
    a crawl reaches the viewer by several paths (viewer, account users, statement users).
    `forget_live_api_key` after the request changes it."""
    ctx = gql.context(info)
    return ctx.remembered("live_api_key", lambda: queries.live_api_key(user=ctx.viewer()))


def forget_live_api_key(info) -> None:
    gql.context(info).memo.pop("live_api_key", None)
