"""Issuing bills: a bill, its lines and its ledger entry in one transaction."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from billing import calculation, error_codes, models, queries
from kernel import ranges


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
    """Calculate and issue one bill, with its ledger charge, in one transaction.

    Raises AlreadyBilled, calculation.NothingToBill, CurrencyMismatch, MissingRate, InvalidReadings.
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
) -> dict[int, models.Bill]:
    """Insert bills, their lines, ledger charges and audit rows. Call inside a transaction."""
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
            )
            for account_id, draft in drafts.items()
            for line in draft.lines
        ]
    )
    for account_id, bill in by_account.items():
        if bill.total:
            accounts_operations.post_ledger_entry(
                ledger=ledgers[account_id],
                amount=-bill.total,
                currency=bill.currency,
                kind=accounts_models.LedgerEntryKind.CHARGE,
                description=f"Bill for {bill.period_start:%Y-%m-%d} to {bill.period_end:%Y-%m-%d}",
                reference=f"BILL-{bill.pk}",
                posted_at=issued_at,
            )
        accounts_operations.record_audit(
            action="BILL_ISSUED",
            obj=bill,
            account=ledgers[account_id].account,
            occurred_at=issued_at,
            data={"total": bill.total, "currency": bill.currency, "billing_run": run.pk if run else None},
        )
    return by_account
