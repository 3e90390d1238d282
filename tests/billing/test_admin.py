import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django_celery_beat import models as beat_models

from billing import models, operations
from kernel import ranges
from tests.accounts.factories import EPOCH
from tests.billing.factories import AgreementFactory, TariffRateFactory, billable_account

FEB = EPOCH.replace(month=2)
ISSUED_AT = dt.datetime(2024, 2, 2, tzinfo=dt.UTC)


@pytest.mark.django_db
class TestBillingRunAdd:
    def test_creates_a_pending_run_and_starts_it_once_committed(
        self, staff_client, django_capture_on_commit_callbacks
    ):
        account = billable_account()

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = staff_client.post(
                reverse("admin:billing_billingrun_add"),
                {
                    "period_start_0": "2024-01-01",
                    "period_start_1": "00:00:00",
                    "period_end_0": "2024-02-01",
                    "period_end_1": "00:00:00",
                    "account_numbers": account.number,
                    "chunk_size": "100",
                },
            )

        assert response.status_code == 302
        run = models.BillingRun.objects.get(scope={"account_numbers": [account.number]})
        assert (run.status, run.created_by.username) == ("PENDING", "ops")
        assert len(callbacks) == 1

    def test_shows_a_form_error_for_a_period_ending_before_it_starts_and_saves_nothing(self, staff_client):
        response = staff_client.post(
            reverse("admin:billing_billingrun_add"),
            {
                "period_start_0": "2024-02-01",
                "period_start_1": "00:00:00",
                "period_end_0": "2024-01-01",
                "period_end_1": "00:00:00",
                "account_numbers": "A-FFFFFFFF",
                "chunk_size": "100",
            },
        )

        assert response.status_code == 200
        assert response.context["adminform"].form.errors
        assert not models.BillingRun.objects.filter(period_start=FEB.replace(day=1)).exists()


@pytest.mark.django_db
class TestBillingRunChange:
    def test_shows_progress_and_failed_accounts_with_their_reasons(self, staff_client):
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
        assert backwards.number in content
        assert "INVALID_READINGS" in content
        assert "Completed With Errors" in content


@pytest.mark.django_db
class TestBillPreviewAdmin:
    def test_shows_the_bill_and_writes_nothing(self, staff_client):
        account = billable_account()

        response = staff_client.get(
            reverse("admin:billing_bill_preview"),
            {"account_number": account.number, "period_start": "2024-01-01", "period_end": "2024-02-01"},
        )

        assert response.status_code == 200
        assert response.context["draft"].total == 9440
        assert "94.40 GBP" in response.content.decode()
        assert not models.Bill.objects.filter(account=account).exists()

    def test_shows_a_form_error_for_an_unknown_account(self, staff_client):
        response = staff_client.get(
            reverse("admin:billing_bill_preview"),
            {"account_number": "A-00000000", "period_start": "2024-01-01", "period_end": "2024-02-01"},
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
class TestBeatSchedules:
    def test_are_periodic_tasks_editable_in_admin_and_created_once(self, staff_client):
        migration = importlib.import_module("billing.migrations.0003_beat_schedules")

        migration.create_schedules(apps, None)
        migration.create_schedules(apps, None)

        task = beat_models.PeriodicTask.objects.get(name="billing: monthly billing run")
        assert (task.task, task.queue, task.crontab.day_of_month) == (
            "billing.create_monthly_billing_run",
            "billing",
            "1",
        )
        assert beat_models.PeriodicTask.objects.filter(task="billing.collect_due_payments").count() == 1
        response = staff_client.get(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]))
        assert response.status_code == 200
