"""Issuing bills: a bill, its lines, its ledger charge and its statement, in one transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from billing import calculation, error_codes, models, queries
from kernel import bulk, clock, ranges

# What a statement asks for is due this many days after it is issued.
PAYMENT_TERMS_DAYS = 14


class AlreadyBilled(calculation.BillingError):
    """The account already has a live bill overlapping the period."""

    code = error_codes.ALREADY_BILLED


def issue_bill(
    *,
    account: accounts_models.Account,
    period: ranges.Period,
    issued_at: datetime,
    billing_run: models.BillingRun | None = None,
) -> models.Bill:
    """Calculate and issue one bill, with its ledger charge and statement, in one transaction.

    Raises AlreadyBilled, calculation.NothingToBill, CurrencyMismatch, MissingRate, InvalidReadings,
    MissingCalorificValue.
    """
    draft = queries.preview_bill(account=account, period=period, as_of=issued_at)
    try:
        with transaction.atomic():
            return write_bills(
                drafts={account.pk: draft},
                ledger_ids=energy_ledger_ids(account_ids=[account.pk]),
                issued_at=issued_at,
                run=billing_run,
            )[account.pk]
    except IntegrityError as error:
        if "no_overlapping_live_bills_per_account" in str(error) or "one_bill_per_run_account" in str(error):
            raise AlreadyBilled(f"{account} already has a bill overlapping that period") from error
        raise


def energy_ledgers(*, account_ids) -> dict[int, accounts_models.Ledger]:
    return {
        ledger.account_id: ledger
        for ledger in accounts_models.Ledger.objects.filter(
            account_id__in=account_ids, ledger_type=accounts_models.LedgerType.ENERGY
        ).select_related("account")
    }


class _BillColumns(NamedTuple):
    id: int
    account_id: int
    billing_run_id: int | None
    period_start: datetime
    period_end: datetime
    currency: str
    subtotal: int
    tax: int
    total: int
    issued_at: datetime
    payment_due_date: date
    opening_balance: int
    closing_balance: int


class _LineColumns(NamedTuple):
    bill_id: int
    agreement_id: int | None
    kind: str
    description: str
    band: str
    period_start: datetime
    period_end: datetime
    quantity: Decimal
    unit_rate: Decimal
    amount: int
    is_estimated: bool
    half_hours: int


class _TransactionColumns(NamedTuple):
    statement_id: int
    ledger_entry_id: int
    kind: str
    amount: int
    net: int
    tax: int
    gross: int
    charged_bill_id: int | None


def energy_ledger_ids(*, account_ids) -> dict[int, int]:
    """Each account's energy ledger id."""
    return dict(
        accounts_models.Ledger.objects.filter(
            bulk.AnyOf(F("account_id"), account_ids), ledger_type=accounts_models.LedgerType.ENERGY
        ).values_list("account_id", "id")
    )


def write_bills(
    *,
    drafts: dict[int, calculation.BillDraft],
    ledger_ids: dict[int, int],
    issued_at: datetime,
    run: models.BillingRun | None,
    tz: ZoneInfo | None = None,
) -> dict[int, models.Bill]:
    """`write_bill_rows`, returning the bills written by account. Raises IntegrityError."""
    bills = _write(drafts=drafts, ledger_ids=ledger_ids, issued_at=issued_at, run=run, tz=tz)
    return {account_id: _bill(row) for account_id, row in bills.items()}


def write_bill_rows(
    *,
    drafts: dict[int, calculation.BillDraft],
    ledger_ids: dict[int, int],
    issued_at: datetime,
    run: models.BillingRun | None,
    tz: ZoneInfo | None = None,
) -> dict[int, int]:
    """`write_bills`, returning only the bills' ids by account (a billing run needs no more)."""
    bills = _write(drafts=drafts, ledger_ids=ledger_ids, issued_at=issued_at, run=run, tz=tz)
    return {account_id: row.id for account_id, row in bills.items()}


def _write(
    *,
    drafts: dict[int, calculation.BillDraft],
    ledger_ids: dict[int, int],
    issued_at: datetime,
    run: models.BillingRun | None,
    tz: ZoneInfo | None,
) -> dict[int, _BillColumns]:
    """Write bills, their lines, their ledger charges, the statements they are and audit rows: one
    COPY per table under ids drawn beforehand, a constant number of statements for any number of
    bills. Call inside a transaction.

    Each bill is a statement of every ledger entry of its account posted by `issued_at` and on no
    statement yet, its own charge included; its opening balance is the sum of the entries on the
    account's earlier statements, its closing balance that plus these.

    Raises IntegrityError (a live bill overlapping the period, a second bill in the run).
    """
    if not drafts:
        return {}
    due = clock.local_date(issued_at, tz or queries.billing_time_zone()) + timedelta(days=PAYMENT_TERMS_DAYS)
    account_ids = list(drafts)
    charged = [account_id for account_id, draft in drafts.items() if draft.total]
    ids = bulk.reserve_ids(counts={models.Bill: len(drafts), accounts_models.LedgerEntry: len(charged)})
    bill_ids = dict(zip(account_ids, ids[models.Bill], strict=True))
    entry_ids = dict(zip(charged, ids[accounts_models.LedgerEntry], strict=True))
    pending, earlier = _unstated(account_ids=account_ids, issued_at=issued_at)

    bills, transactions = {}, []
    for account_id, draft in drafts.items():
        bill_id = bill_ids[account_id]
        moved = 0
        for entry_id, kind, amount in pending.get(account_id, ()):
            transactions.append(
                _TransactionColumns(
                    bill_id,
                    entry_id,
                    queries.transaction_kind(ledger_kind=kind, amount=amount),
                    amount,
                    abs(amount),
                    0,
                    abs(amount),
                    None,
                )
            )
            moved += amount
        if account_id in entry_ids:
            net, tax, gross = _bill_amounts(draft)
            transactions.append(
                _TransactionColumns(
                    bill_id,
                    entry_ids[account_id],
                    models.StatementTransactionKind.CHARGE
                    if draft.total > 0
                    else models.StatementTransactionKind.CREDIT,
                    -draft.total,
                    net,
                    tax,
                    gross,
                    bill_id,
                )
            )
            moved -= draft.total
        opening = earlier.get(account_id) or 0
        bills[account_id] = _BillColumns(
            id=bill_id,
            account_id=account_id,
            billing_run_id=run.pk if run else None,
            period_start=draft.period.start,
            period_end=draft.period.end,
            currency=draft.currency,
            subtotal=draft.subtotal,
            tax=draft.tax,
            total=draft.total,
            issued_at=issued_at,
            payment_due_date=due,
            opening_balance=opening,
            closing_balance=opening + moved,
        )
    bulk.copy_rows(model=models.Bill, rows=list(bills.values()), now=issued_at, binary=True)
    bulk.copy_rows(
        model=models.BillLine,
        rows=[
            _LineColumns(
                bill_ids[account_id],
                line.agreement_id,
                line.kind,
                line.description,
                line.band,
                line.period.start,
                line.period.end,
                line.quantity,
                line.unit_rate,
                line.amount,
                line.is_estimated,
                line.half_hours,
            )
            for account_id, draft in drafts.items()
            for line in draft.lines
        ],
        now=issued_at,
        binary=True,
    )
    bulk.copy_rows(model=models.StatementTransaction, rows=transactions, now=issued_at, binary=True)
    # Formatted once per period (a run's bills share one): strftime costs ~20 µs per bill.
    descriptions = {
        period: f"Bill for {period.start:%Y-%m-%d} to {period.end:%Y-%m-%d}"
        for period in {drafts[account_id].period for account_id in charged}
    }
    accounts_operations.copy_ledger_entries(
        rows=[
            accounts_operations.LedgerEntryRow(
                id=entry_ids[account_id],
                ledger_id=ledger_ids[account_id],
                account_id=account_id,
                amount=-drafts[account_id].total,
                currency=drafts[account_id].currency,
                kind=accounts_models.LedgerEntryKind.CHARGE,
                description=descriptions[drafts[account_id].period],
                reference=f"BILL-{bill_ids[account_id]}",
                posted_at=issued_at,
            )
            for account_id in charged
        ],
        now=issued_at,
        more_audits=[
            accounts_operations.AuditRow(
                account_id,
                "BILL_ISSUED",
                "Bill",
                str(row.id),
                {"total": row.total, "currency": row.currency, "billing_run": row.billing_run_id},
                issued_at,
            )
            for account_id, row in bills.items()
        ],
    )
    return bills


def _unstated(*, account_ids: list[int], issued_at: datetime) -> tuple[dict[int, list], dict[int, int]]:
    """Per account, the ledger entries posted by `issued_at` and on no statement yet (id, kind,
    amount), and the sum of those on its statements (its last statement's closing balance)."""
    pending = defaultdict(list)
    for entry_id, account_id, kind, amount in (
        accounts_models.LedgerEntry.objects.filter(
            bulk.AnyOf(F("ledger__account_id"), account_ids),
            statement_transaction__isnull=True,
            posted_at__lte=issued_at,
        )
        .order_by("posted_at", "id")
        .values_list("id", "ledger__account_id", "kind", "amount")
    ):
        pending[account_id].append((entry_id, kind, amount))
    # The latest statement's closing balance is the sum of every entry on a statement so far.
    earlier = dict(
        models.Bill.objects.filter(bulk.AnyOf(F("account_id"), account_ids), closing_balance__isnull=False)
        .order_by("account_id", "-issued_at", "-id")
        .distinct("account_id")
        .values_list("account_id", "closing_balance")
    )
    return pending, earlier


def _bill(row: _BillColumns) -> models.Bill:
    bill = models.Bill(**row._asdict())
    bill._state.adding = False
    bill._state.db = "default"
    return bill


def _bill_amounts(draft: calculation.BillDraft) -> tuple[int, int, int]:
    """A bill's (net, tax, gross) as magnitudes; a bill whose tax and subtotal differ in sign shows
    its total as net."""
    if draft.subtotal * draft.tax >= 0:
        return abs(draft.subtotal), abs(draft.tax), abs(draft.total)
    return abs(draft.total), 0, abs(draft.total)
