"""Request-scoped batch loads of agreements (with tariffs and rates), tariffs of products, bills
and payments. Each batch calls one read of `billing.queries`. Agreements' line items are priced by
one request-scoped pricer instead, which reads once what its agreements share."""

from __future__ import annotations

from datetime import date

from accounts import queries as accounts_queries
from billing import queries
from kernel import graphql as gql


def agreements_of_meter_point(info, meter_point_id: int):
    def batch(ids):
        rows = queries.agreements_of_meter_points(meter_point_ids=ids)
        return gql.grouped(rows, lambda a: a.meter_point_id, ids)

    return gql.context(info).loader("agreements_of_meter_point", batch).load(meter_point_id)


def agreements_of_account(info, account_id: int):
    def batch(ids):
        return gql.grouped(queries.agreements_of_accounts(account_ids=ids), lambda a: a.account_id, ids)

    return gql.context(info).loader("agreements_of_account", batch).load(account_id)


def tariffs_of_product(info, product_id: int, *, regions: set[str], args: gql.PageArgs):
    """A page of the tariffs of a product offered in `regions`, with their rates: one query for the
    pages, one for their rates, however many products are listed."""

    def batch(ids, page):
        rows = queries.tariffs_offered(regions=regions)
        pages = gql.paginate_by_parent(rows, parent_field="product_id", parent_ids=ids, args=page)
        queries.with_rates([e["node"] for p in pages.values() for e in p["edges"]])
        return pages

    return gql.paged_loader(info, f"tariffs_of_product:{sorted(regions)}", args, batch).load(product_id)


def is_time_of_use(info, product_id: int):
    """Whether a tariff of the product prices by time of day."""

    def batch(ids):
        timed = queries.time_of_use_product_ids(product_ids=ids)
        return [i in timed for i in ids]

    return gql.context(info).loader("product_is_time_of_use", batch).load(product_id)


def bills_of_account(info, account_id: int, *, args: gql.PageArgs, order: str, filters: tuple):
    """A page of the account's bills; `filters` are (name, value) pairs of `queries.bills`."""

    def batch(ids, page):
        rows = queries.bills(order=order, **dict(filters))
        # Dates of filters would make a shape per date: only the unfiltered pages are compiled once.
        shape = None if filters else f"bills:{order}"
        return gql.paginate_by_parent(rows, parent_field="account_id", parent_ids=ids, args=page, shape=shape)

    return gql.paged_loader(info, f"bills:{order}:{filters}", args, batch).load(account_id)


def payments_of_account(info, account_id: int, *, args: gql.PageArgs, status: str | None):
    def batch(ids, page):
        rows = queries.payments(status=status)
        return gql.paginate_by_parent(rows, parent_field="account_id", parent_ids=ids, args=page)

    return gql.paged_loader(info, f"payments:{status}", args, batch).load(account_id)


def bill_of_ledger_reference(info, reference: str):
    """The bill a ledger entry's reference names (None for entries that do not come from a bill)."""
    if not reference:
        return None

    def batch(references):
        found = queries.bills_of_ledger_references(references=references)
        return [found.get(r) for r in references]

    return gql.context(info).loader("bill_of_ledger_reference", batch).load(reference)


def statement_of_ledger_entry(info, entry):
    """The statement (bill) a ledger entry is on; else the bill its reference names (a charge whose
    statement is not recorded); None for neither."""

    def batch(keys):
        on = queries.statements_of_ledger_entries(entry_ids=[entry_id for entry_id, _ in keys])
        named = queries.bills_of_ledger_references(
            references=[reference for entry_id, reference in keys if entry_id not in on and reference]
        )
        return [on.get(entry_id) or named.get(reference) for entry_id, reference in keys]

    return gql.context(info).loader("statement_of_ledger_entry", batch).load((entry.pk, entry.reference))


def statement_totals(info, bill):
    """(total charges, total credits) of the bill's statement, None without transactions on it.
    Only the engine records transactions, and always with the statement's opening balance: a bill
    without one has none, and costs no query."""
    if bill.opening_balance is None:
        return None

    def batch(ids):
        found = queries.statement_totals(bill_ids=ids)
        return [found.get(i) for i in ids]

    return gql.context(info).loader("statement_totals", batch).load(bill.pk)


def statement_transactions(info, bill):
    """The ledger entries on the bill's statement in posting order, each carrying the balance after
    it (`balance_after`), as the account's transactions do."""

    def batch(bills):
        found = queries.statement_transactions(bills=bills)
        transactions = [t for bill in bills for t in found[bill.pk]]
        entries = {
            entry.pk: entry
            for entry in accounts_queries.ledger_entries_by_id(ids=[t.ledger_entry_id for t in transactions])
        }
        for transaction in transactions:
            entries[transaction.ledger_entry_id].balance_after = transaction.balance_carried_forward
        return [[entries[t.ledger_entry_id] for t in found[bill.pk]] for bill in bills]

    return gql.context(info).loader("statement_transactions", batch).load(bill)


def line_item_pricer(info) -> queries.LineItemPricer:
    """The request's pricer of agreements' `lineItems`: the agreements asked for under the same
    account, span and page boundaries (a crawl reaches the same agreements by several paths) read
    their inputs once and price each bucket once (`queries.LineItemPricer`), however many there are."""
    ctx = gql.context(info)
    return ctx.remembered("line_item_pricer", lambda: queries.LineItemPricer(as_of=ctx.now))


def overdue_balance(info, account_id: int, *, today: date):
    def batch(ids):
        overdue = queries.overdue_balances(account_ids=ids, today=today)
        return [overdue[i] for i in ids]

    return gql.context(info).loader(("overdue_balance", today), batch).load(account_id)
