"""Exactly once, with a real Celery worker on Redis against the test database (not eager mode)."""

import importlib
import time

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import Count, Sum

from accounts import models as accounts_models
from billing import models, operations, tasks
from kernel import ranges
from tests.accounts.factories import EPOCH, PaymentMethodFactory
from tests.billing.factories import TariffRateFactory, bulk_billable_accounts
from tests.celery_worker import purge_queues, running_beat, running_worker, wait_for

FEB = EPOCH.replace(month=2)
SWEEP = importlib.import_module("billing.migrations.0009_lease_sweep_schedule_and_queue_routing")
QUEUES = [settings.BILLING_QUEUE, settings.PAYMENTS_QUEUE]
# Redeliver a killed worker's unacknowledged task after 3 s instead of an hour. Kombu's Redis transport
# restores such tasks when a worker starts polling (and then only every ~100 s), so the test waits for
# the timeout to pass before the new worker starts, as a replacement host would come up after a crash.
# The dead worker's lease on the items of the chunk it was billing runs out before that (without the
# lease sweep, which test_worker_kills.py runs), so the redelivered chunk takes them.
# A kill between Redis handing the worker its next message (BRPOP) and kombu recording it as
# unacknowledged loses that message: its chunk's items then wait out their queued lease for the sweep.
# The test kills just after a chunk commits, when the next message is being fetched, so that lease is
# short here (the production default, 10 minutes, failed CI once).
VISIBILITY_TIMEOUT_SECONDS = 3
FAST_REDELIVERY = {
    "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS),
    "BILLING_LEASE_SECONDS": str(VISIBILITY_TIMEOUT_SECONDS - 1),
    "BILLING_QUEUED_LEASE_SECONDS": "10",
}


def _create_run(accounts, *, chunk_size):
    return operations.create_billing_run(
        period=ranges.Period(EPOCH, FEB),
        created_at=FEB,
        scope={"account_numbers": [account.number for account in accounts]},
        chunk_size=chunk_size,
    )


def _run_status(run) -> str:
    run.refresh_from_db()
    return run.status


def _assert_billed_exactly_once(accounts, run) -> None:
    account_ids = [account.pk for account in accounts]
    bills = models.Bill.objects.filter(account_id__in=account_ids)
    assert bills.count() == len(accounts)
    assert not bills.values("account_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert set(bills.values_list("billing_run_id", flat=True)) == {run.pk}
    charges = accounts_models.LedgerEntry.objects.filter(
        ledger__account_id__in=account_ids, kind=accounts_models.LedgerEntryKind.CHARGE
    )
    assert charges.count() == len(accounts)
    # Ledger balance == sum of entries == minus the bill total, account by account.
    balances = dict(
        charges.values("ledger__account_id")
        .annotate(total=Sum("amount"))
        .values_list("ledger__account_id", "total")
    )
    totals = dict(bills.values_list("account_id", "total"))
    assert balances == {account_id: -total for account_id, total in totals.items()}
    lines = models.BillLine.objects.filter(bill__in=bills).aggregate(total=Sum("amount"))["total"]
    assert lines == bills.aggregate(total=Sum("total"))["total"]


def _succeeded(worker, task_name: str) -> int:
    return sum(1 for line in worker.log().splitlines() if task_name in line and "succeeded" in line)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
class TestBillingRunOnAWorker:
    def test_a_worker_killed_mid_run_and_a_new_one_end_with_exactly_500_bills(self, tmp_path):
        purge_queues(QUEUES)
        tariff = TariffRateFactory().tariff
        accounts = bulk_billable_accounts(count=500, tariff=tariff, period_start=EPOCH, period_end=FEB)
        run = _create_run(accounts, chunk_size=10)
        bills = models.Bill.objects.filter(billing_run=run)

        with running_worker(queues=QUEUES, tmp_dir=tmp_path, extra_env=FAST_REDELIVERY) as worker:
            tasks.start_billing_run.apply_async(kwargs={"billing_run_id": run.pk})
            wait_for(lambda: bills.count() >= 60, timeout=60, interval=0.02, message="first bills")
            worker.kill()
        billed_before_the_crash = bills.count()
        time.sleep(VISIBILITY_TIMEOUT_SECONDS + 0.5)
        # The lease sweep too: if the dead session still held the items' row locks when the chunk
        # came back, the chunk skipped them, and only the sweep hands them on.
        SWEEP.forwards(apps, None)
        with (
            running_beat(tmp_dir=tmp_path),
            running_worker(queues=QUEUES, tmp_dir=tmp_path, extra_env=FAST_REDELIVERY),
        ):
            wait_for(lambda: _run_status(run) == "COMPLETED", timeout=90, message="the run to complete")

        assert billed_before_the_crash < 500
        run.refresh_from_db()
        assert (run.total_accounts, run.billed_accounts, run.failed_accounts) == (500, 500, 0)
        _assert_billed_exactly_once(accounts, run)

    def test_two_worker_processes_finish_a_run_without_the_sweep(self, tmp_path):
        # No beat here: an item a chunk task skipped (locked by the fan-out as it rang the other
        # chunks) would be left PENDING until the sweep, and the run would never complete. Chunks of
        # 500: the first is claimed while the fan-out still works on the others' items (failed
        # twice in two runs before the fix).
        purge_queues(QUEUES)
        tariff = TariffRateFactory().tariff
        accounts = bulk_billable_accounts(count=2000, tariff=tariff, period_start=EPOCH, period_end=FEB)
        run = _create_run(accounts, chunk_size=500)

        with running_worker(queues=QUEUES, tmp_dir=tmp_path, concurrency=2):
            tasks.start_billing_run.apply_async(kwargs={"billing_run_id": run.pk})
            wait_for(lambda: _run_status(run) == "COMPLETED", timeout=90, message="the run to complete")

        run.refresh_from_db()
        assert (run.total_accounts, run.billed_accounts, run.failed_accounts) == (2000, 2000, 0)
        _assert_billed_exactly_once(accounts, run)

    def test_duplicate_deliveries_write_no_second_bill_or_payment(self, tmp_path, localpay_server):
        purge_queues(QUEUES)
        localpay_server.reset()
        tariff = TariffRateFactory().tariff
        accounts = bulk_billable_accounts(
            count=30, tariff=tariff, period_start=EPOCH, period_end=FEB, prefix=10_000
        )
        PaymentMethodFactory(account=accounts[0])
        run = _create_run(accounts, chunk_size=10)
        env = {"LOCALPAY_URL": localpay_server.url}

        with running_worker(queues=QUEUES, tmp_dir=tmp_path, extra_env=env) as worker:
            tasks.start_billing_run.apply_async(kwargs={"billing_run_id": run.pk})
            wait_for(lambda: _run_status(run) == "COMPLETED", timeout=60, message="the run to complete")
            for _ in range(2):
                tasks.start_billing_run.apply_async(kwargs={"billing_run_id": run.pk})
                for chunk in range(3):
                    tasks.bill_chunk.apply_async(kwargs={"billing_run_id": run.pk, "chunk": chunk})
            bill = models.Bill.objects.get(account=accounts[0])
            for _ in range(3):
                tasks.collect_bill_payment.apply_async(kwargs={"bill_id": bill.pk})
            wait_for(
                lambda: (
                    _succeeded(worker, "billing.bill_chunk") == 9
                    and _succeeded(worker, "billing.collect_bill_payment") == 3
                ),
                timeout=60,
                message="every delivery to be processed",
            )

        _assert_billed_exactly_once(accounts, run)
        assert models.Payment.objects.filter(bill=bill).count() == 1
        assert len(localpay_server.charges()) == 1
        assert accounts_models.LedgerEntry.objects.filter(ledger__account=accounts[0]).balance() == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
class TestPaymentCollectionOnAWorker:
    def test_a_vendor_timeout_then_the_retry_charges_once(self, tmp_path, localpay_server):
        purge_queues(QUEUES)
        localpay_server.reset()
        tariff = TariffRateFactory().tariff
        [account] = bulk_billable_accounts(
            count=1, tariff=tariff, period_start=EPOCH, period_end=FEB, prefix=20_000
        )
        PaymentMethodFactory(account=account)
        bill = operations.issue_bill(account=account, period=ranges.Period(EPOCH, FEB), issued_at=FEB)
        localpay_server.behave(mode="timeout", delay=3)
        env = {
            "LOCALPAY_URL": localpay_server.url,
            "LOCALPAY_TIMEOUT_SECONDS": "1",
            "BILLING_PAYMENT_RETRY_BASE_SECONDS": "0.5",
        }

        with running_worker(queues=QUEUES, tmp_dir=tmp_path, extra_env=env) as worker:
            tasks.collect_bill_payment.apply_async(kwargs={"bill_id": bill.pk})
            wait_for(
                lambda: models.Payment.objects.filter(bill=bill).exists(), timeout=60, message="the payment"
            )

        assert "Retry in" in worker.log()
        requests = localpay_server.requests()
        assert [request["replayed"] for request in requests] == [False, True]
        assert {request["idempotency_key"] for request in requests} == {f"{account.number}-{bill.pk}-1"}
        assert len(localpay_server.charges()) == 1
        attempt = models.PaymentCollectionAttempt.objects.get(bill=bill)
        assert attempt.status == models.CollectionAttemptStatus.SUCCEEDED
        assert accounts_models.LedgerEntry.objects.filter(ledger__account=account).balance() == 0
