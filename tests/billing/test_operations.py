import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import models as accounts_models
from accounts import queries as accounts_queries
from billing import calculation, models, operations, queries, vendors
from kernel import ranges
from tests.accounts.factories import EPOCH
from tests.billing.factories import (
    AgreementFactory,
    BillFactory,
    TariffRateFactory,
    billable_account,
)

FEB = EPOCH.replace(month=2)
MAR = EPOCH.replace(month=3)
JAN = ranges.Period(EPOCH, FEB)
ISSUED_AT = dt.datetime(2024, 2, 2, 9, tzinfo=dt.UTC)


def _ledger_delta(account) -> int:
    return accounts_queries.account_balance(account=account)


@pytest.mark.django_db
class TestIssueBill:
    def test_writes_the_bill_its_lines_and_the_ledger_charge_together(self):
        account = billable_account()

        bill = operations.issue_bill(account=account, period=JAN, issued_at=ISSUED_AT)

        # 31 x 45p + 310 kWh x 24.5p = 8990; VAT 450.
        assert (bill.subtotal, bill.tax, bill.total) == (8990, 450, 9440)
        assert sum(bill.lines.values_list("amount", flat=True)) == bill.total
        assert _ledger_delta(account) == -9440
        assert accounts_models.AuditEntry.objects.filter(
            action="BILL_ISSUED", object_id=str(bill.pk)
        ).exists()

    def test_refuses_the_same_period_twice_and_writes_nothing_more(self):
        account = billable_account()
        operations.issue_bill(account=account, period=JAN, issued_at=ISSUED_AT)

        with pytest.raises(operations.AlreadyBilled):
            operations.issue_bill(
                account=account, period=ranges.Period(EPOCH + dt.timedelta(days=3), FEB), issued_at=ISSUED_AT
            )

        assert models.Bill.objects.filter(account=account).count() == 1
        assert _ledger_delta(account) == -9440


@pytest.mark.django_db
class TestPreviewBill:
    def test_shows_the_bill_without_writing_anything(self):
        account = billable_account()

        draft = queries.preview_bill(account=account, period=JAN, as_of=ISSUED_AT)

        assert draft.total == 9440
        assert not models.Bill.objects.filter(account=account).exists()
        assert _ledger_delta(account) == 0

    def test_uses_only_readings_taken_by_as_of(self):
        account = billable_account()

        draft = queries.preview_bill(account=account, period=JAN, as_of=EPOCH + dt.timedelta(days=10))

        assert draft.is_estimated

    def test_loads_many_accounts_in_a_constant_number_of_queries(self, django_assert_num_queries):
        tariff = TariffRateFactory().tariff
        account_ids = [billable_account(tariff=tariff).pk for _ in range(5)]

        with django_assert_num_queries(5):
            inputs = queries.billing_inputs(account_ids=account_ids, period=JAN, as_of=ISSUED_AT)

        assert len(inputs) == 5


def _run_to_completion(run) -> None:
    for chunk in operations.start_billing_run(billing_run_id=run.pk, now=ISSUED_AT):
        operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=ISSUED_AT)


@pytest.mark.django_db
class TestBillingRun:
    def _run(self, accounts, chunk_size=2):
        return operations.create_billing_run(
            period=JAN,
            created_at=ISSUED_AT,
            scope={"account_numbers": [account.number for account in accounts]},
            chunk_size=chunk_size,
        )

    def test_bills_every_account_in_scope_once(self):
        tariff = TariffRateFactory().tariff
        accounts = [billable_account(tariff=tariff) for _ in range(5)]
        run = self._run(accounts)

        _run_to_completion(run)

        run.refresh_from_db()
        assert run.status == models.BillingRunStatus.COMPLETED
        assert (run.total_accounts, run.billed_accounts, run.chunk_count) == (5, 5, 3)
        assert models.Bill.objects.filter(billing_run=run).count() == 5

    def test_does_nothing_when_run_again_after_finishing(self):
        account = billable_account()
        run = self._run([account])
        _run_to_completion(run)

        chunks = operations.start_billing_run(billing_run_id=run.pk, now=ISSUED_AT)
        result = operations.bill_chunk(billing_run_id=run.pk, chunk=0, now=ISSUED_AT)

        assert chunks == []
        assert result.claimed == 0
        assert models.Bill.objects.filter(account=account).count() == 1

    def test_resumes_with_only_the_chunks_left_undone(self):
        tariff = TariffRateFactory().tariff
        accounts = [billable_account(tariff=tariff) for _ in range(4)]
        run = self._run(accounts)
        operations.start_billing_run(billing_run_id=run.pk, now=ISSUED_AT)
        operations.bill_chunk(billing_run_id=run.pk, chunk=0, now=ISSUED_AT)

        chunks = operations.start_billing_run(billing_run_id=run.pk, now=ISSUED_AT)

        assert chunks == [1]
        operations.bill_chunk(billing_run_id=run.pk, chunk=1, now=ISSUED_AT)
        assert models.Bill.objects.filter(billing_run=run).count() == 4

    def test_lists_failures_with_their_reasons_and_skips_the_already_billed(self):
        tariff = TariffRateFactory().tariff
        good = billable_account(tariff=tariff)
        backwards = billable_account(tariff=tariff, start_read=1000, end_read=900)
        already = billable_account(tariff=tariff)
        BillFactory(account=already, period_start=EPOCH, period_end=FEB)
        run = self._run([good, backwards, already])

        _run_to_completion(run)

        run.refresh_from_db()
        assert run.status == models.BillingRunStatus.COMPLETED_WITH_ERRORS
        assert (run.billed_accounts, run.skipped_accounts, run.failed_accounts) == (1, 1, 1)
        failed = queries.failed_items(billing_run=run).get()
        assert (failed.account, failed.error_code) == (backwards, "INVALID_READINGS")
        assert (
            models.BillingRunItem.objects.get(billing_run=run, account=already).error_code == "ALREADY_BILLED"
        )

    def test_skips_accounts_with_no_agreement_in_the_period(self):
        late = AgreementFactory(active_from=MAR).account
        run = self._run([late])

        _run_to_completion(run)

        item = models.BillingRunItem.objects.get(billing_run=run)
        assert (item.status, item.error_code) == ("SKIPPED", "NOTHING_TO_BILL")


@pytest.mark.django_db
class TestCreateScheduledBillingRun:
    def test_creates_one_run_for_last_month_however_often_it_fires(self):
        now = dt.datetime(2024, 3, 1, 2, tzinfo=dt.UTC)
        tz = queries.billing_time_zone()

        first = operations.create_scheduled_billing_run(now=now, tz=tz)
        second = operations.create_scheduled_billing_run(now=now, tz=tz)

        assert first == second
        assert first.period_start == dt.datetime(2024, 2, 1, tzinfo=tz)
        assert first.period_end == dt.datetime(2024, 3, 1, tzinfo=tz)


@pytest.mark.django_db
class TestCollectBillPayment:
    def _bill(self, **kwargs):
        account = billable_account(payment_method=True, **kwargs)
        return operations.issue_bill(account=account, period=JAN, issued_at=ISSUED_AT)

    def test_charges_the_vendor_and_credits_the_ledger(self, localpay):
        bill = self._bill()

        attempt = operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)

        assert attempt.status == models.CollectionAttemptStatus.SUCCEEDED
        assert attempt.payment.amount == 9440
        assert [charge["amount"] for charge in localpay.charges()] == [9440]
        assert localpay.charges()[0]["idempotency_key"] == f"{bill.account.number}-{bill.pk}-1"
        assert _ledger_delta(bill.account) == 0

    def test_a_timeout_then_a_retry_charges_once(self, localpay):
        bill = self._bill()
        localpay.behave(mode="timeout", delay=3)

        with pytest.raises(vendors.VendorUnavailable):
            operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)
        attempt = operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)

        assert attempt.status == models.CollectionAttemptStatus.SUCCEEDED
        assert len(localpay.charges()) == 1
        assert [request["replayed"] for request in localpay.requests()] == [False, True]
        assert models.Payment.objects.filter(bill=bill).count() == 1
        assert _ledger_delta(bill.account) == 0

    def test_a_vendor_outage_keeps_the_attempt_pending_for_a_retry_with_the_same_key(self, localpay):
        bill = self._bill()
        localpay.behave(mode="fail")

        with pytest.raises(vendors.VendorUnavailable):
            operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)
        pending = models.PaymentCollectionAttempt.objects.get(bill=bill)
        attempt = operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)

        assert (pending.status, pending.error_code) == ("PENDING", "HTTP_503")
        assert attempt.pk == pending.pk
        assert len(localpay.charges()) == 1

    def test_a_decline_is_recorded_and_not_retried(self, localpay):
        bill = self._bill()
        localpay.behave(mode="decline")

        with pytest.raises(operations.PaymentDeclined):
            operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)
        with pytest.raises(operations.PaymentDeclined):
            operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)

        attempt = models.PaymentCollectionAttempt.objects.get(bill=bill)
        assert (attempt.status, attempt.error_code) == ("DECLINED", "INSUFFICIENT_FUNDS")
        assert len(localpay.requests()) == 1
        assert _ledger_delta(bill.account) == -bill.total

    def test_refuses_a_bill_already_collected(self, localpay):
        bill = self._bill()
        operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)

        with pytest.raises(operations.BillAlreadyPaid):
            operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)

        assert len(localpay.requests()) == 1

    def test_refuses_an_account_without_an_active_payment_method(self, localpay):
        account = billable_account()
        bill = operations.issue_bill(account=account, period=JAN, issued_at=ISSUED_AT)

        with pytest.raises(operations.NoActivePaymentMethod):
            operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)

        assert localpay.requests() == []


@pytest.mark.django_db
class TestCollectableBillIds:
    def test_lists_owed_bills_with_a_payment_method_and_no_attempt(self, localpay):
        owed = operations.issue_bill(
            account=billable_account(payment_method=True), period=JAN, issued_at=ISSUED_AT
        )
        paid = operations.issue_bill(
            account=billable_account(payment_method=True), period=JAN, issued_at=ISSUED_AT
        )
        operations.collect_bill_payment(bill_id=paid.pk, now=ISSUED_AT)
        no_method = operations.issue_bill(account=billable_account(), period=JAN, issued_at=ISSUED_AT)

        bill_ids = queries.collectable_bill_ids(now=ISSUED_AT)

        assert owed.pk in bill_ids
        assert paid.pk not in bill_ids
        assert no_method.pk not in bill_ids


month_reads = st.lists(st.integers(min_value=0, max_value=900), min_size=1, max_size=3)


@pytest.mark.django_db
class TestLedgerProperties:
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        consumptions=month_reads,
        unit_rate=st.decimals(min_value=0, max_value=60, places=4),
        standing=st.decimals(min_value=0, max_value=80, places=4),
        tax_rate=st.sampled_from([Decimal("0"), Decimal("0.05"), Decimal("0.2")]),
    )
    def test_bills_lines_and_ledger_agree_and_no_period_is_billed_twice(
        self, consumptions, unit_rate, standing, tax_rate
    ):
        rate = TariffRateFactory(
            unit_rate=unit_rate, tariff__standing_charge=standing, tariff__product__tax_rate=tax_rate
        )
        account = billable_account(tariff=rate.tariff, end_read=None)
        register = account.agreements.get().meter_point.meters.get().registers.get()
        ledger = account.ledgers.get()
        value, starts = 1000, [EPOCH.replace(month=month + 1) for month in range(len(consumptions) + 1)]
        for consumption, start, end in zip(consumptions, starts, starts[1:], strict=False):
            value += consumption
            register.readings.create(read_at=end, value=value, source="SMART")
            before = accounts_queries.ledger_balance(ledger=ledger)

            bill = operations.issue_bill(account=account, period=ranges.Period(start, end), issued_at=end)

            assert sum(bill.lines.values_list("amount", flat=True)) == bill.total
            assert accounts_queries.ledger_balance(ledger=ledger) - before == -bill.total
            with pytest.raises((operations.AlreadyBilled, calculation.NothingToBill)):
                operations.issue_bill(account=account, period=ranges.Period(start, end), issued_at=end)
        entries = list(
            accounts_models.LedgerEntry.objects.filter(ledger=ledger).values_list("amount", flat=True)
        )
        assert accounts_queries.ledger_balance(ledger=ledger) == sum(entries)
        totals = sum(models.Bill.objects.filter(account=account).values_list("total", flat=True))
        assert accounts_queries.ledger_balance(ledger=ledger) == -totals
