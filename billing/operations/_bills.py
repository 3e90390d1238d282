"""Issuing bills: a bill, its lines, its ledger charge and its statement, in one transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Sum

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from billing import calculation, error_codes, models, queries
from kernel import clock, ranges

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
    ledger = energy_ledgers(account_ids=[account.pk])[account.pk]
    try:
        with transaction.atomic():
            return write_bills(
                drafts={account.pk: draft}, ledgers={account.pk: ledger}, issued_at=issued_at, run=billing_run
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


def write_bills(
    *,
    drafts: dict[int, calculation.BillDraft],
    ledgers: dict[int, accounts_models.Ledger],
    issued_at: datetime,
    run: models.BillingRun | None,
    tz: ZoneInfo | None = None,
) -> dict[int, models.Bill]:
    """Insert bills, their lines, their ledger charges, the statements they are (transactions and
    balances) and audit rows, a constant number of statements for any number of bills. Call inside
    a transaction."""
    due = clock.local_date(issued_at, tz or queries.billing_time_zone()) + timedelta(days=PAYMENT_TERMS_DAYS)
    bills = models.Bill.objects.bulk_create(
        [
            models.Bill(
                account_id=account_id,
                billing_run=run,
                period_start=draft.period.start,
                period_end=draft.period.end,
                currency=draft.currency,
                subtotal=draft.subtotal,
                tax=draft.tax,
                total=draft.total,
                issued_at=issued_at,
                payment_due_date=due,
            )
            for account_id, draft in drafts.items()
        ]
    )
    by_account = {bill.account_id: bill for bill in bills}
    models.BillLine.objects.bulk_create(
        [
            models.BillLine(
                bill=by_account[account_id],
                agreement_id=line.agreement_id,
                kind=line.kind,
                description=line.description,
                band=line.band,
                period_start=line.period.start,
                period_end=line.period.end,
                quantity=line.quantity,
                unit_rate=line.unit_rate,
                amount=line.amount,
                is_estimated=line.is_estimated,
                half_hours=line.half_hours,
            )
            for account_id, draft in drafts.items()
            for line in draft.lines
        ],
        batch_size=5000,
    )
    charged = [bill for bill in bills if bill.total]
    accounts_operations.post_ledger_entries(
        entries=[
            accounts_operations.NewLedgerEntry(
                ledger=ledgers[bill.account_id],
                amount=-bill.total,
                currency=bill.currency,
                kind=accounts_models.LedgerEntryKind.CHARGE,
                description=f"Bill for {bill.period_start:%Y-%m-%d} to {bill.period_end:%Y-%m-%d}",
                reference=f"BILL-{bill.pk}",
                posted_at=issued_at,
            )
            for bill in charged
        ]
    )
    _put_on_statements(bills=by_account, issued_at=issued_at)
    accounts_operations.record_audits(
        rows=[
            accounts_operations.audit_row(
                action="BILL_ISSUED",
                obj=bill,
                account_id=account_id,
                occurred_at=issued_at,
                data={"total": bill.total, "currency": bill.currency, "billing_run": run.pk if run else None},
            )
            for account_id, bill in by_account.items()
        ]
    )
    return by_account


def _put_on_statements(*, bills: dict[int, models.Bill], issued_at: datetime) -> None:
    """Put on each new bill every ledger entry of its account posted by `issued_at` and on no
    statement yet (its own charge included), and write its opening and closing balances: the sum
    of the entries on the account's earlier statements, and that plus these."""
    account_ids = list(bills)
    charges = {f"BILL-{bill.pk}": bill for bill in bills.values()}
    entries = (
        accounts_models.LedgerEntry.objects.filter(
            ledger__account_id__in=account_ids, statement_transaction__isnull=True, posted_at__lte=issued_at
        )
        .order_by("posted_at", "id")
        .values_list("id", "ledger__account_id", "kind", "amount", "reference")
    )
    earlier = dict(
        models.StatementTransaction.objects.filter(statement__account_id__in=account_ids)
        .values_list("statement__account_id")
        .annotate(balance=Sum("amount"))
        .values_list("statement__account_id", "balance")
    )
    links, moved = [], defaultdict(int)
    for entry_id, account_id, kind, amount, reference in entries:
        bill = charges.get(reference)
        net, tax, gross = _bill_amounts(bill) if bill is not None else (abs(amount), 0, abs(amount))
        links.append(
            models.StatementTransaction(
                statement=bills[account_id],
                ledger_entry_id=entry_id,
                kind=queries.transaction_kind(ledger_kind=kind, amount=amount),
                amount=amount,
                net=net,
                tax=tax,
                gross=gross,
                charged_bill=bill,
            )
        )
        moved[account_id] += amount
    models.StatementTransaction.objects.bulk_create(links, batch_size=5000)
    for account_id, bill in bills.items():
        bill.opening_balance = earlier.get(account_id) or 0
        bill.closing_balance = bill.opening_balance + moved[account_id]
    models.Bill.objects.bulk_update(
        list(bills.values()), ["opening_balance", "closing_balance"], batch_size=2000
    )


def _bill_amounts(bill: models.Bill) -> tuple[int, int, int]:
    """A bill's (net, tax, gross) as magnitudes; a bill whose tax and subtotal differ in sign shows
    its total as net."""
    if bill.subtotal * bill.tax >= 0:
        return abs(bill.subtotal), abs(bill.tax), abs(bill.total)
    return abs(bill.total), 0, abs(bill.total)
