"""Leases on billing run items, run fan-outs and collection attempts, and the beat sweep that hands
a lost worker's work to another. (The same with a real worker SIGKILLed: test_worker_kills.py.)"""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from billing import error_codes, models, operations, vendors
from kernel import ranges
from tests.accounts.factories import EPOCH
from tests.billing.factories import billable_account

FEB = EPOCH.replace(month=2)
NOW = dt.datetime(2024, 2, 2, tzinfo=dt.UTC)
SCHEDULES = importlib.import_module("billing.migrations.0003_beat_schedules")
SWEEP = importlib.import_module("billing.migrations.0009_lease_sweep_schedule_and_queue_routing")


def _run(count=2, **kwargs):
    accounts = [billable_account() for _ in range(count)]
    return operations.create_billing_run(
        period=ranges.Period(EPOCH, FEB),
        created_at=NOW,
        scope={"account_numbers": [a.number for a in accounts]},
        **kwargs,
    )


def _expire(queryset) -> None:
    """The lease ran out (on the database's clock)."""
    queryset.update(lease_until=Now() - dt.timedelta(seconds=1))


def _items(run):
    return models.BillingRunItem.objects.filter(billing_run=run).order_by("id")


@pytest.mark.django_db
class TestRunItemLeases:
    def test_a_chunk_bills_what_it_claimed_and_drops_the_lease(self):
        run = _run()
        [chunk] = operations.start_billing_run(billing_run_id=run.pk, now=NOW, worker="w1")
        operations.mark_rung(billing_run_id=run.pk)
        assert all(item.lease_until is not None for item in _items(run))

        result = operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=NOW, worker="w1")

        assert (result.claimed, result.billed, result.run_finished) == (2, 2, True)
        assert [(i.status, i.claimed_by, i.lease_until, i.attempts) for i in _items(run)] == [
            ("BILLED", "", None, 1)
        ] * 2

    def test_only_the_last_chunk_reads_the_run_items_to_finish_the_run(self):
        # The run's counters say whether accounts are left: a scan of the run's items by every chunk
        # would grow with the run.
        run = _run(count=3, chunk_size=1)
        chunks = operations.start_billing_run(billing_run_id=run.pk, now=NOW, worker="w1")
        operations.mark_rung(billing_run_id=run.pk)
        runs_items = f'"billing_billingrunitem"."billing_run_id" = {run.pk}'

        finished, scans = [], []
        for chunk in chunks:
            with CaptureQueriesContext(connection) as captured:
                result = operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=NOW, worker="w1")
            finished.append(result.run_finished)
            scans.append(sum(runs_items in query["sql"] for query in captured.captured_queries))

        assert finished == [False, False, True]
        assert scans[:2] == [0, 0] and scans[2] > 0
        run.refresh_from_db()
        assert (run.status, run.billed_accounts) == (models.BillingRunStatus.COMPLETED, 3)

    def test_items_a_live_worker_holds_are_left_to_it_and_handed_on_when_its_lease_runs_out(self):
        run = _run()
        [chunk] = operations.start_billing_run(billing_run_id=run.pk, now=NOW)
        operations.mark_rung(billing_run_id=run.pk)
        _items(run).update(claimed_by="dead:1", lease_until=Now() + dt.timedelta(minutes=1), attempts=1)

        assert operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=NOW, worker="w2").claimed == 0
        assert operations.requeue_expired_work(now=NOW).count == 0

        _expire(_items(run))
        requeued = operations.requeue_expired_work(now=NOW)

        assert (requeued.chunks, requeued.runs) == (((run.pk, chunk),), ())
        assert {(i.claimed_by, i.lease_until is not None) for i in _items(run)} == {("", True)}
        result = operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=NOW, worker="w2")
        assert (result.billed, result.run_finished) == (2, True)
        assert [i.attempts for i in _items(run)] == [2, 2]
        assert models.Bill.objects.filter(billing_run=run).count() == 2

    def test_an_item_that_lost_every_worker_it_had_is_recorded_failed_with_the_reason(self, settings):
        settings.BILLING_MAX_ATTEMPTS = 2
        run = _run()
        [chunk] = operations.start_billing_run(billing_run_id=run.pk, now=NOW)
        first, second = _items(run)
        models.BillingRunItem.objects.filter(pk=first.pk).update(claimed_by="dead:1", attempts=2)
        models.BillingRunItem.objects.filter(pk=second.pk).update(claimed_by="dead:1", attempts=1)
        _expire(_items(run))

        requeued = operations.requeue_expired_work(now=NOW)
        operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=NOW)

        first.refresh_from_db()
        assert (requeued.failed_items, requeued.chunks) == (1, ((run.pk, chunk),))
        assert (first.status, first.error_code, first.lease_until) == (
            "FAILED",
            error_codes.WORKER_LOST,
            None,
        )
        assert "its worker was lost" in first.error_detail
        run.refresh_from_db()
        assert (run.status, run.billed_accounts, run.failed_accounts) == ("COMPLETED_WITH_ERRORS", 1, 1)


@pytest.mark.django_db
class TestFanOutLeases:
    def test_a_run_whose_fan_out_was_lost_is_resumed(self):
        run = _run()
        chunks = operations.start_billing_run(billing_run_id=run.pk, now=NOW, worker="w1")
        run.refresh_from_db()
        assert (run.status, run.claimed_by) == ("RUNNING", "w1")
        assert operations.requeue_expired_work(now=NOW).runs == ()

        _expire(models.BillingRun.objects.filter(pk=run.pk))
        requeued = operations.requeue_expired_work(now=NOW)

        assert requeued.runs == (run.pk,)
        assert operations.start_billing_run(billing_run_id=run.pk, now=NOW) == chunks

    def test_a_run_whose_chunks_were_all_rung_is_left_to_its_chunks(self):
        run = _run()
        operations.start_billing_run(billing_run_id=run.pk, now=NOW)
        operations.mark_rung(billing_run_id=run.pk)

        run.refresh_from_db()
        assert (run.claimed_by, run.lease_until) == ("", None)
        assert operations.requeue_expired_work(now=NOW).count == 0

    def test_a_chunk_whose_message_was_lost_is_rung_again_once_its_queued_lease_runs_out(self):
        # Redis hands a worker its next message before kombu records it as unacknowledged: a worker
        # killed between the two loses the message, and only its items' queued lease remembers it.
        run = _run()
        [chunk] = operations.start_billing_run(billing_run_id=run.pk, now=NOW)
        operations.mark_rung(billing_run_id=run.pk)
        assert operations.requeue_expired_work(now=NOW).count == 0

        _expire(_items(run))
        requeued = operations.requeue_expired_work(now=NOW)

        assert requeued.chunks == ((run.pk, chunk),)
        assert operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=NOW).billed == 2

    def test_waiting_items_are_leased_before_any_chunk_is_rung_and_never_touched_after(
        self, django_assert_num_queries
    ):
        # With two workers, a chunk task starts while its run is still ringing the others: had the
        # items been leased after ringing, that update would lock items the chunk then skipped.
        run = _run()
        operations.start_billing_run(billing_run_id=run.pk, now=NOW)
        assert all(item.lease_until is not None and item.claimed_by == "" for item in _items(run))

        with django_assert_num_queries(1) as captured:
            operations.mark_rung(billing_run_id=run.pk)

        assert "billing_billingrunitem" not in captured.captured_queries[0]["sql"]

    def test_a_run_released_from_review_whose_resume_was_lost_is_resumed(self):
        run = _run(hold_for_review=True)
        chunks = operations.start_billing_run(billing_run_id=run.pk, now=NOW)
        operations.mark_rung(billing_run_id=run.pk)
        for chunk in chunks:
            operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=NOW)
        operations.release_held_bills(billing_run_id=run.pk, released_at=NOW, released_by=None)

        assert operations.requeue_expired_work(now=NOW).runs == (run.pk,)


@pytest.mark.django_db
class TestCollectionLeases:
    def test_an_attempt_whose_worker_was_lost_is_sent_again(self, localpay):
        account = billable_account(payment_method=True)
        bill = operations.issue_bill(account=account, period=ranges.Period(EPOCH, FEB), issued_at=NOW)
        localpay.behave(mode="fail")
        with pytest.raises(vendors.VendorUnavailable):
            operations.collect_bill_payment(bill_id=bill.pk, now=NOW)
        attempts = models.PaymentCollectionAttempt.objects.filter(bill=bill)
        assert operations.requeue_expired_work(now=NOW).bills == ()  # its retry is not yet due

        _expire(attempts)

        assert operations.requeue_expired_work(now=NOW).bills == (bill.pk,)
        assert attempts.get().status == "PENDING"


@pytest.mark.django_db
class TestSchedules:
    def test_billing_schedules_are_routed_by_settings_and_the_sweep_runs_every_30_seconds(self):
        PeriodicTask.objects.all().delete()
        SCHEDULES.create_schedules(apps, None)
        SWEEP.forwards(apps, None)

        tasks = {task.task: task for task in PeriodicTask.objects.all()}
        assert {name: task.queue for name, task in tasks.items()} == {
            "billing.create_monthly_billing_run": None,
            "billing.collect_due_payments": None,
            "billing.requeue_expired_leases": None,
        }
        sweep = tasks["billing.requeue_expired_leases"].interval
        assert (sweep.every, sweep.period) == (30, "seconds")
