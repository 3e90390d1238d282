"""A whole Celery worker (its process group) SIGKILLed at the worst moments of a billing run and of a
collection round: the work finishes within a minute on another worker, through the leases and the
beat lease sweep, not the broker's visibility timeout (an hour, left as configured), with nothing
duplicated or lost.

The worker and the beat are real processes on the test Redis and database; leases are short
(BILLING_LEASE_SECONDS) so each test takes well under a minute; the sweep runs on its production
schedule (every 30 s, the row migration 0009 creates). The beat starts after the kill, its row set
so that the sweep's next run falls as the killed worker's leases run out (`sweep_as_leases_run_out`): the
schedule's luckiest moment, where a beat that had just swept would wait up to 30 s more, idle. So
each recovery must leave that interval to spare within the minute."""

from __future__ import annotations

import importlib
import time

import psycopg
import pytest
import redis
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Count

from accounts import models as accounts_models
from billing import models, operations, tasks
from kernel import ranges
from tests.accounts.factories import EPOCH, PaymentMethodFactory
from tests.billing.factories import TariffRateFactory, bulk_billable_accounts
from tests.celery_worker import purge_queues, running_beat, running_worker, sweep_as_leases_run_out, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
FEB = EPOCH.replace(month=2)
QUEUES = [settings.BILLING_QUEUE, settings.PAYMENTS_QUEUE]
SWEEP = importlib.import_module("billing.migrations.0009_lease_sweep_schedule_and_queue_routing")
LEASES = {"BILLING_LEASE_SECONDS": "3", "COLLECTION_LEASE_SECONDS": "3", "BILLING_QUEUED_LEASE_SECONDS": "30"}
RECOVERY_SECONDS = 60
SWEEP_INTERVAL_SECONDS = SWEEP.SWEEP["interval"]["every"]


def _accounts(count: int, prefix: int):
    tariff = TariffRateFactory().tariff
    return bulk_billable_accounts(
        count=count, tariff=tariff, period_start=EPOCH, period_end=FEB, prefix=prefix
    )


def _create_run(accounts, *, chunk_size: int) -> models.BillingRun:
    return operations.create_billing_run(
        period=ranges.Period(EPOCH, FEB),
        created_at=FEB,
        scope={"account_numbers": [account.number for account in accounts]},
        chunk_size=chunk_size,
    )


def _finished(run) -> bool:
    run.refresh_from_db()
    return run.status == models.BillingRunStatus.COMPLETED


def _assert_billed_once(accounts, run) -> None:
    bills = models.Bill.objects.filter(account__in=accounts)
    assert bills.count() == len(accounts)
    assert not bills.values("account_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    charges = accounts_models.LedgerEntry.objects.filter(
        ledger__account__in=accounts, kind=accounts_models.LedgerEntryKind.CHARGE
    )
    assert charges.count() == len(accounts)
    run.refresh_from_db()
    assert (run.total_accounts, run.billed_accounts, run.failed_accounts) == (len(accounts),) * 2 + (0,)


def _unacknowledged_messages() -> int:
    return redis.Redis.from_url(settings.REDIS_URL).hlen(f"{settings.REDIS_KEY_PREFIX}unacked")


def _recover(tmp_path, extra_env, done, message: str) -> float:
    """Start the beat (its sweep due as the killed worker's leases run out) and a fresh worker,
    and wait for `done()`; seconds it took (the kill was just before)."""
    killed_at = time.monotonic()
    sweep_as_leases_run_out(
        periodic_task=SWEEP.SWEEP["name"],
        held=[
            models.BillingRun.objects.filter(status=models.BillingRunStatus.RUNNING),
            models.BillingRunItem.objects.filter(status=models.BillingRunItemStatus.PENDING),
            models.PaymentCollectionAttempt.objects.filter(status=models.CollectionAttemptStatus.PENDING),
        ],
    )
    with (
        running_beat(tmp_dir=tmp_path),
        running_worker(queues=QUEUES, tmp_dir=tmp_path, extra_env=extra_env),
    ):
        wait_for(done, timeout=90, interval=0.2, message=message)
    return time.monotonic() - killed_at


@pytest.fixture
def sweep():
    """The sweep's beat row (a transactional test elsewhere flushed the migrated one), and queues
    emptied before and after."""
    purge_queues(QUEUES)
    SWEEP.forwards(apps, None)
    yield
    purge_queues(QUEUES)


class TestBillingRunKilled:
    def test_during_fan_out_the_run_finishes_within_a_minute(self, sweep, tmp_path):
        # 60 chunks: ringing them takes long enough to be caught in the middle.
        accounts = _accounts(120, prefix=30_000)
        run = _create_run(accounts, chunk_size=2)
        runs = models.BillingRun.objects.filter(pk=run.pk)

        with running_worker(queues=QUEUES, tmp_dir=tmp_path, extra_env=LEASES) as worker:
            tasks.start_billing_run.apply_async(kwargs={"billing_run_id": run.pk})
            # RUNNING and still leased to the fan-out: chunks are being rung.
            wait_for(
                lambda: runs.filter(status="RUNNING").exclude(claimed_by="").exists(),
                timeout=30,
                interval=0.002,
                message="the fan-out",
            )
            worker.kill()
        run.refresh_from_db()
        assert run.claimed_by  # killed before every chunk was rung
        billed_when_killed = models.Bill.objects.filter(billing_run=run).count()

        recovered_in = _recover(tmp_path, LEASES, lambda: _finished(run), "the run to complete")
        print(f"fan-out kill: run finished {recovered_in:.1f} s after the kill")  # noqa: T201

        assert billed_when_killed < len(accounts)
        assert recovered_in + SWEEP_INTERVAL_SECONDS < RECOVERY_SECONDS
        _assert_billed_once(accounts, run)
        assert _unacknowledged_messages() >= 1  # the broker never handed the lost start task back

    def test_while_a_bill_insert_waits_on_a_lock_the_run_finishes_within_a_minute(self, sweep, tmp_path):
        accounts = _accounts(20, prefix=40_000)
        run = _create_run(accounts, chunk_size=20)
        blocker = psycopg.connect(**_connection_parameters(), autocommit=False)
        try:
            # Another transaction (an ops user's, say) holds an account's ledger row, which the
            # chunk's transaction must check the foreign keys of its bills' ledger entries against
            # when it writes them, so it waits on the lock.
            blocker.execute(
                "SELECT 1 FROM accounts_ledger WHERE account_id = %s FOR UPDATE", [accounts[7].pk]
            )
            with running_worker(queues=QUEUES, tmp_dir=tmp_path, extra_env=LEASES) as worker:
                tasks.start_billing_run.apply_async(kwargs={"billing_run_id": run.pk})
                wait_for(_a_bill_write_waits_on_a_lock, timeout=30, message="the bills' write to wait")
                worker.kill()
            killed_at = time.monotonic()
            time.sleep(2)
        finally:
            blocker.rollback()
            blocker.close()
        assert models.Bill.objects.filter(billing_run=run).count() == 0

        recovered_in = _recover(tmp_path, LEASES, lambda: _finished(run), "the run to complete")
        recovered_in = max(recovered_in, time.monotonic() - killed_at)
        print(f"lock-wait kill: run finished {recovered_in:.1f} s after the kill")  # noqa: T201

        assert recovered_in + SWEEP_INTERVAL_SECONDS < RECOVERY_SECONDS
        _assert_billed_once(accounts, run)
        items = models.BillingRunItem.objects.filter(billing_run=run)
        assert set(items.values_list("attempts", flat=True)) == {2}  # taken again after the kill


class TestCollectionRoundKilled:
    def test_after_the_vendor_charged_and_before_the_answer_every_charge_is_recorded_once(
        self, sweep, tmp_path, localpay_server
    ):
        localpay_server.reset()
        accounts = _accounts(10, prefix=50_000)
        for account in accounts:
            PaymentMethodFactory(account=account)
        bills = [
            operations.issue_bill(account=account, period=ranges.Period(EPOCH, FEB), issued_at=FEB)
            for account in accounts
        ]
        # The first charge is made, then its answer is held back for 30 s: the worker is killed
        # while it waits.
        localpay_server.behave(mode="timeout", delay=30)
        env = {**LEASES, "LOCALPAY_URL": localpay_server.url, "LOCALPAY_TIMEOUT_SECONDS": "20"}
        attempts = models.PaymentCollectionAttempt.objects.filter(bill__in=bills)

        with running_worker(queues=QUEUES, tmp_dir=tmp_path, extra_env=env) as worker:
            tasks.collect_due_payments.apply_async()
            wait_for(lambda: len(localpay_server.charges()) == 1, timeout=30, message="the first charge")
            worker.kill()
        [charged] = localpay_server.charges()
        assert attempts.get(idempotency_key=charged["idempotency_key"]).status == "PENDING"

        recovered_in = _recover(
            tmp_path,
            env,
            lambda: attempts.filter(status="SUCCEEDED").count() == len(bills),
            "every bill to be collected",
        )
        print(f"vendor-charged kill: round finished {recovered_in:.1f} s after the kill")  # noqa: T201

        assert recovered_in + SWEEP_INTERVAL_SECONDS < RECOVERY_SECONDS
        charges = localpay_server.charges()
        assert len(charges) == len(bills)
        assert not attempts.exclude(status="SUCCEEDED").exists()
        for charge in charges:
            payment = models.Payment.objects.get(vendor_reference=charge["id"])
            assert (payment.amount, payment.idempotency_key) == (charge["amount"], charge["idempotency_key"])
            credit = accounts_models.LedgerEntry.objects.get(reference=f"PAYMENT-{charge['idempotency_key']}")
            assert credit.amount == charge["amount"]
        assert models.Payment.objects.filter(bill__in=bills).count() == len(bills)
        assert accounts_models.LedgerEntry.objects.filter(
            ledger__account__in=accounts, kind=accounts_models.LedgerEntryKind.PAYMENT
        ).count() == len(bills)
        resent = [r for r in localpay_server.requests() if r["idempotency_key"] == charged["idempotency_key"]]
        assert [r["replayed"] for r in resent] == [False, True]  # reconciled by its key


def _connection_parameters() -> dict:
    database = connection.settings_dict
    return {
        "dbname": database["NAME"],
        "user": database.get("USER") or "postgres",
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }


def _a_bill_write_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query LIKE 'COPY%%'"
        )
        return cursor.fetchone()[0] > 0
