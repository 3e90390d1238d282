import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django_celery_beat import models as beat_models

from accounts import models as accounts_models
from billing import models, operations, queries
from kernel import ranges
from tests.accounts.factories import EPOCH
from tests.billing.factories import AgreementFactory, BillFactory, TariffRateFactory, billable_account

FEB = EPOCH.replace(month=2)
ISSUED_AT = dt.datetime(2024, 2, 2, tzinfo=dt.UTC)


def _run_form(**data):
    return {
        "first_day": "2024-01-01",
        "last_day": "2024-01-31",
        "account_numbers": "",
        "chunk_size": "100",
        **data,
    }


@pytest.mark.django_db
class TestBillingRunAdd:
    def test_creates_a_pending_run_for_whole_local_days_and_queues_nothing(
        self, staff_client, django_capture_on_commit_callbacks
    ):
        account = billable_account()

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = staff_client.post(
                reverse("admin:billing_billingrun_add"), _run_form(account_numbers=account.number.lower())
            )

        assert response.status_code == 302
        run = models.BillingRun.objects.get(scope={"account_numbers": [account.number]})
        assert (run.status, run.created_by.username, run.start_requested_at) == ("PENDING", "ops", None)
        assert (run.period_start, run.period_end) == (
            dt.datetime(2024, 1, 1, tzinfo=queries.billing_time_zone()),
            dt.datetime(2024, 2, 1, tzinfo=queries.billing_time_zone()),
        )
        assert not callbacks

    def test_holds_bills_for_review_by_default_when_configured(self, staff_client, settings):
        settings.BILLING_HOLD_BILLS_FOR_REVIEW = True

        response = staff_client.get(reverse("admin:billing_billingrun_add"))

        assert response.context["adminform"].form.fields["hold_for_review"].initial is True

    @pytest.mark.parametrize(
        "data",
        [
            {"first_day": "2024-02-01", "last_day": "2024-01-01"},
            {"first_day": "2024-02-30"},
            {"last_day": "9999-12-31"},
            {"chunk_size": "0"},
            {"chunk_size": "99999999999999999999999"},
            {"account_numbers": "A-FFFFFFFF"},
        ],
    )
    def test_shows_a_form_error_for_impossible_input_and_saves_nothing(self, staff_client, data):
        before = models.BillingRun.objects.count()

        response = staff_client.post(reverse("admin:billing_billingrun_add"), _run_form(**data))

        assert response.status_code == 200
        assert response.context["adminform"].form.errors
        assert models.BillingRun.objects.count() == before


@pytest.mark.django_db
class TestBillingRunStart:
    def test_enqueues_the_run_once_after_commit_however_often_start_is_pressed(
        self, staff_client, django_capture_on_commit_callbacks
    ):
        run = operations.create_billing_run(period=ranges.Period(EPOCH, FEB), created_at=ISSUED_AT)
        url = reverse("admin:billing_billingrun_start", args=[run.pk])

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            responses = [staff_client.post(url) for _ in range(3)]

        assert [r.status_code for r in responses] == [302, 302, 302]
        assert len(callbacks) == 1
        run.refresh_from_db()
        assert run.start_requested_at is not None

    def test_refuses_a_get(self, staff_client):
        run = operations.create_billing_run(period=ranges.Period(EPOCH, FEB), created_at=ISSUED_AT)

        response = staff_client.get(reverse("admin:billing_billingrun_start", args=[run.pk]))

        assert response.status_code == 405

    def test_the_page_offers_start_then_refreshes_while_it_runs(self, staff_client):
        run = operations.create_billing_run(period=ranges.Period(EPOCH, FEB), created_at=ISSUED_AT)
        url = reverse("admin:billing_billingrun_change", args=[run.pk])

        before = staff_client.get(url).content.decode()
        operations.request_billing_run_start(billing_run_id=run.pk, requested_at=ISSUED_AT, requested_by=None)
        after = staff_client.get(url).content.decode()

        assert 'id="start-run"' in before and 'http-equiv="refresh"' not in before
        assert 'id="start-run"' not in after and 'http-equiv="refresh"' in after
        assert 'id="resume-run"' in after


@pytest.mark.django_db
class TestBillingRunChange:
    def test_lists_every_account_with_its_outcome_and_reason(self, staff_client):
        tariff = TariffRateFactory().tariff
        good = billable_account(tariff=tariff)
        backwards = billable_account(tariff=tariff, end_read=900)
        run = operations.create_billing_run(
            period=ranges.Period(EPOCH, FEB),
            created_at=ISSUED_AT,
            scope={"account_numbers": [good.number, backwards.number]},
        )
        for chunk in operations.start_billing_run(billing_run_id=run.pk, now=ISSUED_AT):
            operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=ISSUED_AT)

        response = staff_client.get(reverse("admin:billing_billingrun_change", args=[run.pk]))

        content = response.content.decode()
        assert '<progress max="100" value="100"' in content
        assert backwards.number in content and "INVALID_READINGS" in content
        assert good.number in content and models.Bill.objects.get(account=good).number in content
        assert "Completed With Errors" in content
        assert 'http-equiv="refresh"' not in content

    def test_releases_held_bills_for_issue(self, staff_client, django_capture_on_commit_callbacks):
        account = billable_account()
        run = operations.create_billing_run(
            period=ranges.Period(EPOCH, FEB),
            created_at=ISSUED_AT,
            scope={"account_numbers": [account.number]},
            hold_for_review=True,
        )
        for chunk in operations.start_billing_run(billing_run_id=run.pk, now=ISSUED_AT):
            operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=ISSUED_AT)
        page = staff_client.get(reverse("admin:billing_billingrun_change", args=[run.pk])).content.decode()

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = staff_client.post(reverse("admin:billing_billingrun_release", args=[run.pk]))

        assert 'id="release-run"' in page and "£94.40" in page
        assert response.status_code == 302 and len(callbacks) == 1
        run.refresh_from_db()
        assert run.status == "RUNNING"


@pytest.mark.django_db
class TestBillPreviewAdmin:
    def test_shows_the_bill_in_pounds_and_pence_and_writes_nothing(self, staff_client):
        account = billable_account()

        response = staff_client.get(
            reverse("admin:billing_bill_preview"),
            {"account_number": account.number, "first_day": "2024-01-01", "last_day": "2024-01-31"},
        )

        assert response.status_code == 200
        assert response.context["draft"].total == 9440
        content = response.content.decode()
        assert "£94.40" in content and "1 Jan 2024 – 31 Jan 2024" in content
        assert not models.Bill.objects.filter(account=account).exists()

    def test_shows_a_form_error_for_an_unknown_account(self, staff_client):
        response = staff_client.get(
            reverse("admin:billing_bill_preview"),
            {"account_number": "A-00000000", "first_day": "2024-01-01", "last_day": "2024-01-31"},
        )

        assert response.context["form"].errors["account_number"]
        assert response.context["draft"] is None

    def test_is_reached_from_the_agreement_action(self, staff_client):
        agreement = AgreementFactory()

        response = staff_client.post(
            reverse("admin:billing_agreement_changelist"),
            {"action": "preview_bill", "_selected_action": [agreement.pk]},
        )

        assert response.status_code == 302
        assert response.url.endswith(f"?account_number={agreement.account.number}")


@pytest.mark.django_db
class TestBillAdmin:
    def test_titles_bills_by_number_and_local_period(self, staff_client):
        bill = BillFactory(
            period_start=dt.datetime(2024, 6, 1, tzinfo=queries.billing_time_zone()),
            period_end=dt.datetime(2024, 7, 1, tzinfo=queries.billing_time_zone()),
        )

        content = staff_client.get(reverse("admin:billing_bill_change", args=[bill.pk])).content.decode()

        assert bill.number.startswith("B-") and bill.number in content
        assert "1 Jun 2024 – 30 Jun 2024" in content
        assert "£105.00" in content


@pytest.mark.django_db
class TestBeatSchedules:
    def test_are_periodic_tasks_editable_in_admin_and_created_once(self, staff_client):
        migration = importlib.import_module("billing.migrations.0003_beat_schedules")
        routing = importlib.import_module("billing.migrations.0009_lease_sweep_schedule_and_queue_routing")

        migration.create_schedules(apps, None)
        migration.create_schedules(apps, None)
        routing.forwards(apps, None)

        task = beat_models.PeriodicTask.objects.get(name="billing: monthly billing run")
        # No queue override: the task's declared queue (this stack's, per KRAKEN_INSTANCE) is used.
        assert (task.task, task.queue, task.crontab.day_of_month) == (
            "billing.create_monthly_billing_run",
            None,
            "1",
        )
        assert beat_models.PeriodicTask.objects.filter(task="billing.collect_due_payments").count() == 1
        response = staff_client.get(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]))
        assert response.status_code == 200


@pytest.mark.django_db
class TestRetryFailedAccounts:
    def test_a_chunk_that_crashed_records_its_accounts_failed_and_admin_bills_them_again(
        self, staff_client, django_capture_on_commit_callbacks
    ):
        tariff = TariffRateFactory().tariff
        accounts = [billable_account(tariff=tariff) for _ in range(2)]
        run = operations.create_billing_run(
            period=ranges.Period(EPOCH, FEB),
            created_at=ISSUED_AT,
            scope={"account_numbers": [a.number for a in accounts]},
        )
        # One account lost its energy ledger: writing the chunk's bills fails outright.
        ledger = accounts_models.Ledger.objects.get(account=accounts[1])
        ledger_fields = {
            "account": accounts[1],
            "ledger_type": ledger.ledger_type,
            "currency": ledger.currency,
        }
        ledger.delete()
        for chunk in operations.start_billing_run(billing_run_id=run.pk, now=ISSUED_AT):
            operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=ISSUED_AT)

        run.refresh_from_db()
        items = models.BillingRunItem.objects.filter(billing_run=run)
        assert (run.status, run.failed_accounts) == ("COMPLETED_WITH_ERRORS", 2)
        assert {(i.status, i.error_code, i.claimed_by) for i in items} == {("FAILED", "UNEXPECTED_ERROR", "")}
        assert all("KeyError" in i.error_detail for i in items)
        page = staff_client.get(reverse("admin:billing_billingrun_change", args=[run.pk])).content.decode()
        assert 'id="retry-failed"' in page and "KeyError" in page

        accounts_models.Ledger.objects.create(**ledger_fields)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = staff_client.post(reverse("admin:billing_billingrun_retry", args=[run.pk]))
        for chunk in operations.start_billing_run(billing_run_id=run.pk, now=ISSUED_AT):
            operations.bill_chunk(billing_run_id=run.pk, chunk=chunk, now=ISSUED_AT)

        assert response.status_code == 302 and len(callbacks) == 1  # the resume is enqueued
        run.refresh_from_db()
        assert (run.status, run.billed_accounts, run.failed_accounts) == ("COMPLETED", 2, 0)
        assert models.Bill.objects.filter(billing_run=run).count() == 2

    def test_refuses_a_run_without_failures(self, staff_client):
        run = operations.create_billing_run(period=ranges.Period(EPOCH, FEB), created_at=ISSUED_AT)

        response = staff_client.post(reverse("admin:billing_billingrun_retry", args=[run.pk]), follow=True)

        assert "only a running or finished run" in response.content.decode()
