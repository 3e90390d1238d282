"""Statements as Kraken shows them: balances, transactions with net, tax and gross, and line items
per agreement, as plain data for any door (GraphQL, REST, admin, PDF).

A statement is an issued bill (STATEMENT) together with the ledger entries the billing engine put
on it when it was issued (`StatementTransaction`): its closing balance is its opening balance plus
its transactions, and equals the account's ledger balance over every entry on it or an earlier
statement. Entries posted since the last statement are on the account's OPEN statement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q, Sum

from accounts import models as accounts_models
from accounts import queries as accounts_queries
from billing import models
from kernel import ranges

OPEN = "OPEN"
CLOSED = "CLOSED"
# Ledger kinds that are not a statement transaction kind of their own: by sign.
_KINDS = {
    accounts_models.LedgerEntryKind.CHARGE: models.StatementTransactionKind.CHARGE,
    accounts_models.LedgerEntryKind.PAYMENT: models.StatementTransactionKind.PAYMENT,
    accounts_models.LedgerEntryKind.CREDIT: models.StatementTransactionKind.CREDIT,
    accounts_models.LedgerEntryKind.REFUND: models.StatementTransactionKind.REFUND,
}


@dataclass(frozen=True)
class Amounts:
    """Magnitudes in minor units: gross = net + tax."""

    net: int = 0
    tax: int = 0
    gross: int = 0

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(self.net + other.net, self.tax + other.tax, self.gross + other.gross)


@dataclass(frozen=True)
class Transaction:
    """A ledger entry on a statement. `amount` is signed (positive in the customer's favour);
    `amounts` are magnitudes; `balance_carried_forward` is the balance after it."""

    ledger_entry_id: int
    kind: str
    posted_at: datetime
    title: str
    reference: str
    amount: int
    amounts: Amounts
    balance_carried_forward: int
    bill_id: int | None = None

    @property
    def is_credit(self) -> bool:
        return self.amount > 0


@dataclass(frozen=True)
class LineItem:
    kind: str
    description: str
    band: str
    period: ranges.Period
    quantity: Decimal
    unit_rate: Decimal
    amount: int
    is_estimated: bool
    half_hours: int


@dataclass(frozen=True)
class AgreementLineItems:
    """The lines of a bill raised under one agreement (agreement None: the tax lines)."""

    agreement_id: int | None
    meter_point_identifier: str
    utility_type: str
    tariff_code: str
    line_items: tuple[LineItem, ...]

    @property
    def net_amount(self) -> int:
        return sum(item.amount for item in self.line_items)


@dataclass(frozen=True)
class Statement:
    """One statement. `id` is the bill's (None for the OPEN statement); consumption runs over
    `period`; `total_charges` add the transactions that take money from the balance (charges,
    refunds), `total_credits` those that add to it (payments, credits)."""

    id: int | None
    account_id: int
    account_number: str
    bill_type: str
    status: str
    period: ranges.Period | None
    issued_at: datetime | None
    payment_due_date: date | None
    currency: str
    opening_balance: int
    closing_balance: int
    subtotal: int
    tax: int
    total: int
    total_charges: Amounts
    total_credits: Amounts
    transactions: tuple[Transaction, ...]
    agreements: tuple[AgreementLineItems, ...]
    is_external: bool = False
    is_estimated: bool = False


def statements_of_accounts(*, account_ids: Collection[int]) -> dict[int, list[Statement]]:
    """Every issued bill of these accounts as a statement, newest period first, in three queries."""
    bills = list(
        models.Bill.objects.filter(account_id__in=account_ids)
        .exclude(status=models.BillStatus.VOID)
        .select_related("account")
        .order_by("account_id", "-period_start", "-id")
    )
    built = _statements(bills)
    result: dict[int, list[Statement]] = {account_id: [] for account_id in account_ids}
    for statement in built:
        result[statement.account_id].append(statement)
    return result


def balances_of(bill: models.Bill) -> tuple[int, int]:
    """A statement's opening and closing balance; a bill issued before statements carried balances
    (none recorded) opens and closes at 0."""
    opening = bill.opening_balance or 0
    return opening, bill.closing_balance if bill.opening_balance is not None else opening


def statement_totals(*, bill_ids: Collection[int]) -> dict[int, tuple[Amounts, Amounts]]:
    """(total charges, total credits) of each bill's statement, by bill id, in one query: what its
    transactions took from the balance and what they added (bills without any are left out)."""
    charge, credit = Q(amount__lt=0), Q(amount__gt=0)
    rows = (
        models.StatementTransaction.objects.filter(statement_id__in=bill_ids)
        .values("statement_id")
        .annotate(
            charge_net=Sum("net", filter=charge),
            charge_tax=Sum("tax", filter=charge),
            charge_gross=Sum("gross", filter=charge),
            credit_net=Sum("net", filter=credit),
            credit_tax=Sum("tax", filter=credit),
            credit_gross=Sum("gross", filter=credit),
        )
    )
    return {
        row["statement_id"]: (
            Amounts(row["charge_net"] or 0, row["charge_tax"] or 0, row["charge_gross"] or 0),
            Amounts(row["credit_net"] or 0, row["credit_tax"] or 0, row["credit_gross"] or 0),
        )
        for row in rows
    }


def statements_of_ledger_entries(*, entry_ids: Collection[int]) -> dict[int, models.Bill]:
    """The statement (bill) each of these ledger entries is on, by entry id; entries on no
    statement yet (the open one) are left out."""
    return {
        row.ledger_entry_id: row.statement
        for row in models.StatementTransaction.objects.filter(ledger_entry_id__in=entry_ids).select_related(
            "statement"
        )
    }


def overdue_balances(*, account_ids: Collection[int], today: date) -> dict[int, int]:
    """What each account owes that was due by `today` (minor units, 0 when nothing is overdue): the
    amount it owes less what its issued bills not yet due charge."""
    balances = accounts_queries.balances_of_accounts(account_ids=account_ids)
    not_yet_due = dict(
        models.Bill.objects.filter(
            account_id__in=account_ids, status=models.BillStatus.ISSUED, payment_due_date__gt=today
        )
        .values("account_id")
        .annotate(total=Sum("total"))
        .values_list("account_id", "total")
    )
    return {
        account_id: max(
            0, accounts_queries.amount_owed(balance=balances[account_id]) - not_yet_due.get(account_id, 0)
        )
        for account_id in account_ids
    }


def get_statement(*, account: accounts_models.Account, statement_id: int) -> Statement:
    """Raises Bill.DoesNotExist for a bill not of this account."""
    bill = models.Bill.objects.select_related("account").get(pk=statement_id, account=account)
    return _statements([bill])[0]


def open_statement(*, account: accounts_models.Account, as_of: datetime) -> Statement:
    """What the account's next statement holds so far: the entries posted by `as_of` that are on
    no statement yet, from the last statement's closing balance."""
    last = (
        models.Bill.objects.filter(account=account, closing_balance__isnull=False)
        .order_by("-issued_at", "-id")
        .values_list("closing_balance", flat=True)
        .first()
    )
    entries = (
        accounts_models.LedgerEntry.objects.filter(
            ledger__account=account, statement_transaction__isnull=True, posted_at__lte=as_of
        )
        .order_by("posted_at", "id")
        .values_list("id", "kind", "posted_at", "description", "reference", "amount")
    )
    opening = last or 0
    transactions = _running(
        opening,
        [
            (entry_id, _kind(kind, amount), posted_at, title, reference, amount, _magnitudes(amount), None)
            for entry_id, kind, posted_at, title, reference, amount in entries
        ],
    )
    closing = transactions[-1].balance_carried_forward if transactions else opening
    return Statement(
        id=None,
        account_id=account.pk,
        account_number=account.number,
        bill_type=models.BillType.STATEMENT,
        status=OPEN,
        period=None,
        issued_at=None,
        payment_due_date=None,
        currency=account.currency,
        opening_balance=opening,
        closing_balance=closing,
        subtotal=0,
        tax=0,
        total=0,
        total_charges=_total(transactions, credits=False),
        total_credits=_total(transactions, credits=True),
        transactions=tuple(transactions),
        agreements=(),
    )


def statement_transactions(*, bills: Collection[models.Bill]) -> dict[int, list[Transaction]]:
    """The transactions on each bill's statement by bill id, in posting order, each with the balance
    after it (from the statement's opening balance), in one query."""
    rows_by_bill = defaultdict(list)
    for row in (
        models.StatementTransaction.objects.filter(statement_id__in=[bill.pk for bill in bills])
        .order_by("ledger_entry__posted_at", "ledger_entry_id")
        .values_list(
            "statement_id",
            "ledger_entry_id",
            "kind",
            "ledger_entry__posted_at",
            "ledger_entry__description",
            "ledger_entry__reference",
            "amount",
            "net",
            "tax",
            "gross",
            "charged_bill_id",
        )
    ):
        statement_id, entry_id, kind, posted_at, title, reference, amount, net, tax, gross, bill_id = row
        rows_by_bill[statement_id].append(
            (entry_id, kind, posted_at, title, reference, amount, Amounts(net, tax, gross), bill_id)
        )
    return {bill.pk: _running(balances_of(bill)[0], rows_by_bill.get(bill.pk, [])) for bill in bills}


def _statements(bills: list[models.Bill]) -> list[Statement]:
    bill_ids = [bill.pk for bill in bills]
    transactions_by_bill = statement_transactions(bills=bills)
    lines_by_bill = defaultdict(list)
    for line in (
        models.BillLine.objects.filter(bill_id__in=bill_ids)
        .select_related("agreement__meter_point", "agreement__tariff")
        .order_by("bill_id", "id")
    ):
        lines_by_bill[line.bill_id].append(line)
    statements = []
    for bill in bills:
        opening, closing = balances_of(bill)
        transactions = transactions_by_bill[bill.pk]
        statements.append(
            Statement(
                id=bill.pk,
                account_id=bill.account_id,
                account_number=bill.account.number,
                bill_type=bill.bill_type,
                status=CLOSED,
                period=ranges.Period(bill.period_start, bill.period_end),
                issued_at=bill.issued_at,
                payment_due_date=bill.payment_due_date,
                currency=bill.currency,
                opening_balance=opening,
                closing_balance=closing,
                subtotal=bill.subtotal,
                tax=bill.tax,
                total=bill.total,
                total_charges=_total(transactions, credits=False),
                total_credits=_total(transactions, credits=True),
                transactions=tuple(transactions),
                agreements=_agreement_line_items(lines_by_bill.get(bill.pk, [])),
                is_external=bill.bill_type == models.BillType.PRE_KRAKEN,
                is_estimated=any(line.is_estimated for line in lines_by_bill.get(bill.pk, [])),
            )
        )
    return statements


def _agreement_line_items(lines: list[models.BillLine]) -> tuple[AgreementLineItems, ...]:
    grouped: dict[int | None, list[models.BillLine]] = {}
    for line in lines:
        grouped.setdefault(line.agreement_id, []).append(line)
    result = []
    for agreement_id, items in grouped.items():
        agreement = items[0].agreement
        result.append(
            AgreementLineItems(
                agreement_id=agreement_id,
                meter_point_identifier=agreement.meter_point.identifier if agreement else "",
                utility_type=agreement.meter_point.utility_type if agreement else "",
                tariff_code=agreement.tariff.code if agreement else "",
                line_items=tuple(
                    LineItem(
                        kind=line.kind,
                        description=line.description,
                        band=line.band,
                        period=ranges.Period(line.period_start, line.period_end),
                        quantity=line.quantity,
                        unit_rate=line.unit_rate,
                        amount=line.amount,
                        is_estimated=line.is_estimated,
                        half_hours=line.half_hours,
                    )
                    for line in items
                ),
            )
        )
    return tuple(result)


def _running(opening: int, rows: list[tuple]) -> list[Transaction]:
    balance, transactions = opening, []
    for entry_id, kind, posted_at, title, reference, amount, amounts, bill_id in rows:
        balance += amount
        transactions.append(
            Transaction(
                ledger_entry_id=entry_id,
                kind=kind,
                posted_at=posted_at,
                title=title,
                reference=reference,
                amount=amount,
                amounts=amounts,
                balance_carried_forward=balance,
                bill_id=bill_id,
            )
        )
    return transactions


def _total(transactions: list[Transaction], *, credits: bool) -> Amounts:
    total = Amounts()
    for transaction in transactions:
        if transaction.is_credit == credits and transaction.amount:
            total = total + transaction.amounts
    return total


def _kind(ledger_kind: str, amount: int) -> str:
    """The statement kind of a ledger entry: by its ledger kind, else by its sign."""
    if ledger_kind in _KINDS:
        return _KINDS[ledger_kind]
    return models.StatementTransactionKind.CREDIT if amount > 0 else models.StatementTransactionKind.CHARGE


def _magnitudes(amount: int) -> Amounts:
    return Amounts(net=abs(amount), tax=0, gross=abs(amount))


def transaction_kind(*, ledger_kind: str, amount: int) -> str:
    """The statement transaction kind the engine records for a ledger entry."""
    return _kind(ledger_kind, amount)
