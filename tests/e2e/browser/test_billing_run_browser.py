"""A billing run from the back office in a real browser, billed by a real Celery worker: create it,
press Start (twice: it is queued once), watch the page refresh itself until the run finishes, and read
every account's outcome with its reason."""

import pytest
from django.conf import settings

from billing import models as billing_models
from kraken import staff
from tests.billing.factories import TariffRateFactory, billable_account
from tests.celery_worker import purge_queues, running_worker
from tests.e2e.browser.conftest import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def billing_worker(live_server):
    purge_queues([settings.BILLING_QUEUE])
    with running_worker(queues=[settings.BILLING_QUEUE]) as worker:
        yield worker


class TestBillingRunFromAdmin:
    def test_start_a_run_and_watch_it_finish_with_per_account_outcomes(self, page, steps, billing_worker):
        tariff = TariffRateFactory().tariff
        billed = [billable_account(tariff=tariff) for _ in range(3)]
        backwards = billable_account(tariff=tariff, end_read=900)
        page.login(staff_user(staff.OPS_LEAD))
        page.open("/admin/billing/billingrun/add/")
        page.fill("#id_first_day", "2024-01-01")
        page.fill("#id_last_day", "2024-01-31")
        page.fill("#id_account_numbers", "\n".join(a.number for a in [*billed, backwards]))
        page.fill("#id_chunk_size", "2")
        steps.take("new run")
        page.click("input[name=_save]")

        page.click("table#result_list tbody tr th a")
        page.find("#start-run")
        steps.take("pending run")
        run = billing_models.BillingRun.objects.get()
        assert run.status == "PENDING"
        page.driver.execute_script(
            "const f = document.querySelector('#start-run').form; f.requestSubmit(); f.requestSubmit();"
        )

        page.wait_for_text("Completed With Errors", timeout=90)
        steps.take("finished")
        outcomes = page.text("#run-outcomes")
        assert backwards.number in outcomes and "INVALID_READINGS" in outcomes
        for account in billed:
            bill = billing_models.Bill.objects.get(account=account)
            assert account.number in outcomes and bill.number in outcomes and "£94.40" in outcomes
        assert "4/4" in page.text(".run-progress")
        assert billing_models.Bill.objects.filter(billing_run=run).count() == 3
        assert "billing.start_billing_run" in billing_worker.log()
        assert (
            billing_worker.log().count("Task billing.start_billing_run[") <= 2
        )  # received + succeeded, once
