"""Billing runs started once, bills held for review and released or discarded, bill numbers."""

import datetime as dt

import pytest

from accounts import models as accounts_models
from billing import models, operations
from kernel import ranges
from tests.accounts.factories import EPOCH
from tests.billing.factories import BillFactory, TariffRateFactory, billable_account

FEB = EPOCH.replace(month=2)
NOW = dt.datetime(2024, 2, 2, tzinfo=dt.UTC)


def _run(accounts, **kwargs):
    return operations.create_billing_run(
        period=ranges.Period(EPOCH, FEB),
        created_at=NOW,
        scope={"account_numbers": [a.number for a in accounts]},
        **kwargs,
    )


def _work(run):
    for chunk in operations.start_billing_run(billing_run_id=run.pk, now=NOW):
        operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=NOW)
    run.refresh_from_db()
    return run


@pytest.mark.django_db
class TestRequestBillingRunStart:
    def test_is_true_for_the_first_press_only(self):
        run = _run([billable_account()])

        presses = [
            operations.request_billing_run_start(billing_run_id=run.pk, requested_at=NOW, requested_by=None)
            for _ in range(3)
        ]

        assert presses == [True, False, False]
        assert accounts_models.AuditEntry.objects.filter(action="BILLING_RUN_START_REQUESTED").count() == 1


@pytest.mark.django_db
class TestHoldForReview:
    def test_calculates_the_bills_and_issues_none(self):
        account = billable_account()

        run = _work(_run([account], hold_for_review=True))

        assert (run.status, run.held_accounts, run.billed_accounts) == ("AWAITING_REVIEW", 1, 0)
        item = run.items.get()
        assert (item.status, item.held_total) == ("HELD", 9440)
        assert not models.Bill.objects.filter(account=account).exists()
        assert not accounts_models.LedgerEntry.objects.filter(ledger__account=account).exists()

    def test_release_issues_the_held_bills_once(self):
        tariff = TariffRateFactory().tariff
        accounts = [billable_account(tariff=tariff) for _ in range(3)]
        run = _work(_run(accounts, hold_for_review=True, chunk_size=2))

        operations.release_held_bills(billing_run_id=run.pk, released_at=NOW, released_by=None)
        run = _work(run)

        assert (run.status, run.billed_accounts, run.held_accounts) == ("COMPLETED", 3, 0)
        assert models.Bill.objects.filter(billing_run=run).count() == 3
        assert (
            sorted(models.Bill.objects.filter(billing_run=run).values_list("total", flat=True)) == [9440] * 3
        )
        with pytest.raises(operations.NotAwaitingReview):
            operations.release_held_bills(billing_run_id=run.pk, released_at=NOW, released_by=None)

    def test_discard_skips_the_held_accounts_with_the_reason(self):
        account = billable_account()
        run = _work(_run([account], hold_for_review=True))

        run = operations.discard_held_bills(
            billing_run_id=run.pk, discarded_at=NOW, discarded_by=None, reason="Wrong rates"
        )

        assert (run.status, run.skipped_accounts) == ("COMPLETED", 1)
        item = run.items.get()
        assert (item.status, item.error_code) == ("SKIPPED", operations.DISCARDED_IN_REVIEW)
        assert "Wrong rates" in item.error_detail
        assert not models.Bill.objects.filter(account=account).exists()


@pytest.mark.django_db
class TestBillNumbers:
    def test_are_public_sequential_and_not_the_primary_key(self):
        bills = [
            BillFactory(period_start=EPOCH.replace(month=m), period_end=EPOCH.replace(month=m + 1))
            for m in (1, 2)
        ]

        numbers = [bill.number for bill in bills]

        assert all(number.startswith("B-") and len(number) == 10 for number in numbers)
        assert int(numbers[1][2:]) == int(numbers[0][2:]) + 1
        assert str(bills[0]) == f"Bill {numbers[0]} [2024-01-01, 2024-02-01)"
