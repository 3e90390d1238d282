"""An ops person's day in a real browser: find an account by each identifier, adjust its balance
(once, however often the form is sent), have a large adjustment approved by a second person, change
status with a reason, preview a bill, meet the overlapping-agreement error, and use the API docs and
GraphiQL with no internet."""

import pytest

from accounts import models as accounts_models
from billing import models as billing_models
from kraken import staff
from tests.accounts.factories import AccountUserRoleFactory
from tests.billing.factories import TariffFactory, billable_account
from tests.e2e.browser.conftest import staff_user
from tests.metering.factories import MeterPointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _customer():
    """A dual-fuel customer with every identifier an ops person might be given."""
    account = billable_account(account__billing_name="Ada Lovelace")
    prop = account.properties.get()
    prop.address.postcode = "SW1A 1AA"
    prop.address.save()
    MeterPointFactory(property=prop, utility_type="GAS", identifier="9876543210")
    AccountUserRoleFactory(account=account, user__email="ada@example.org", user__mobile="07700 900123")
    return account


def _balance(account) -> int:
    return accounts_models.LedgerEntry.objects.filter(ledger__account=account).balance()


class TestFindAnAccount:
    def test_by_each_identifier_from_the_header_search(self, page, steps):
        account = _customer()
        mpan = account.properties.get().meter_points.get(utility_type="ELECTRICITY").identifier
        page.login(staff_user(staff.OPS_AGENT))
        page.open("/admin/")
        steps.take("index")

        for term in (account.number, "ada@example.org", mpan, "9876543210", "sw1a 1aa", "+44 7700 900123"):
            page.fill("#ops-search-q", term)
            page.click("#ops-search input[type=submit]")
            page.find("#account-overview")
            steps.take(f"found by {term}")

            assert account.number in page.text("#account-balance"), term


class TestAdjustments:
    def test_post_an_adjustment_and_see_the_balance_change(self, page, steps):
        account = _customer()
        page.login(staff_user(staff.OPS_AGENT))
        page.open(f"/admin/accounts/account/{account.pk}/change/")
        assert page.text("#balance-headline") == "Settled"
        steps.take("account page")

        page.click("#action-adjust")
        page.select("#id_direction", "CREDIT")
        page.fill("#id_amount", "12.50")
        page.fill("#id_description", "Goodwill for a missed appointment")
        steps.take("adjust form")
        page.click("input[type=submit][value='Post adjustment']")

        page.wait_for_text("£12.50 in credit", "#balance-headline")
        steps.take("balance changed")
        assert "Goodwill for a missed appointment" in page.text("#ledger")
        assert _balance(account) == 1250

    def test_a_double_submit_posts_once(self, page, steps, browser):
        account = _customer()
        page.login(staff_user(staff.OPS_AGENT))
        page.open(f"/admin/accounts/account/{account.pk}/adjust/")
        page.fill("#id_amount", "7.25")
        page.fill("#id_description", "Refund of a fee")
        steps.take("filled")

        # The same page sent twice at once (a double click that beats the button's disabling, a
        # re-sent POST), then submitted once more with the button.
        statuses = browser.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            const form = document.querySelector("form.ops-form");
            const send = () => fetch(location.href, {method: "POST", body: new FormData(form), redirect: "manual"});
            Promise.all([send(), send()]).then(rs => done(rs.map(r => r.type)));
            """
        )
        page.click("input[type=submit][value='Post adjustment']")
        page.find("#account-overview")
        steps.take("after submitting three times")

        assert len(statuses) == 2
        assert accounts_models.LedgerAdjustment.objects.filter(account=account).count() == 1
        assert _balance(account) == 725
        assert page.text("#balance-headline") == "£7.25 in credit"

    def test_an_adjustment_over_the_threshold_waits_for_a_second_persons_approval(
        self, page, steps, settings
    ):
        settings.MONEY_ACTION_LIMITS = {"GBP": {"limit": "5000.00", "approval_threshold": "500.00"}}
        account = _customer()
        agent = staff_user(staff.OPS_AGENT, email="agent@example.org")
        lead = staff_user(staff.OPS_LEAD, email="lead@example.org")
        page.login(agent)
        page.open(f"/admin/accounts/account/{account.pk}/adjust/")
        page.select("#id_direction", "DEBIT")
        page.fill("#id_amount", "750.00")
        page.fill("#id_description", "Back-billed gas")
        page.click("input[type=submit][value='Post adjustment']")

        page.find("#pending-adjustments")
        steps.take("waiting for approval")
        assert "waits for a second person's approval" in page.text(".messagelist")
        assert page.text("#balance-headline") == "Settled"

        page.login(lead)
        page.open(f"/admin/accounts/account/{account.pk}/change/")
        page.click("#pending-adjustments a")
        page.click("#decide-adjustment")
        page.select("#id_decision", "APPROVE")
        steps.take("approving")
        page.click("input[type=submit][value='Decide']")

        page.wait_for_text("Approved and posted")
        page.open(f"/admin/accounts/account/{account.pk}/change/")
        steps.take("approved")
        assert page.text("#balance-headline") == "£750.00 in debt"
        trail = page.text("#audit-trail")
        assert "LEDGER_ADJUSTMENT_REQUESTED" in trail and "LEDGER_ADJUSTMENT_APPROVED" in trail
        assert "agent@example.org" in trail and "lead@example.org" in trail


class TestStatusAndPreview:
    def test_change_status_with_a_reason(self, page, steps):
        account = _customer()
        page.login(staff_user(staff.OPS_AGENT))
        page.open(f"/admin/accounts/account/{account.pk}/change/")
        page.click("#action-status")
        page.select("#id_status", "DORMANT")
        page.fill("#id_reason", "Customer moved out")
        steps.take("status form")
        page.click("input[type=submit][value='Change status']")

        page.wait_for_text("DORMANT", "#account-status")
        steps.take("status changed")
        assert "Customer moved out" in page.text("#notes")
        assert "ACCOUNT_STATUS_CHANGED" in page.text("#audit-trail")
        account.refresh_from_db()
        assert account.status == "DORMANT"

    def test_preview_a_bill(self, page, steps):
        account = _customer()
        page.login(staff_user(staff.OPS_AGENT))
        page.open(f"/admin/accounts/account/{account.pk}/change/")
        page.click("#action-preview")
        page.fill("#id_first_day", "2024-01-01")
        page.fill("#id_last_day", "2024-01-31")
        steps.take("preview form")
        page.click("input[type=submit][value='Preview']")

        page.find("#bill-preview")
        steps.take("preview")
        assert page.text("#bill-preview-total") == "£94.40"
        assert "1 Jan 2024 – 31 Jan 2024" in page.text()
        assert not billing_models.Bill.objects.filter(account=account).exists()


class TestAgreements:
    def test_an_overlapping_agreement_is_a_form_error(self, page, steps):
        account = _customer()
        existing = account.agreements.get()
        tariff = TariffFactory(code="E-1R-OVERLAP-TEST")
        page.login(staff_user(staff.OPS_AGENT))
        page.open("/admin/billing/agreement/add/")
        page.autocomplete("account", account.number)
        steps.take("account chosen")
        page.autocomplete("meter_point", existing.meter_point.identifier)
        steps.take("meter point chosen")
        page.autocomplete("tariff", tariff.code)
        page.fill("#id_active_from_0", "2024-01-15")
        page.fill("#id_active_from_1", "00:00:00")
        steps.take("agreement form")
        page.click("input[name=_save]")

        page.find(".errornote")
        steps.take("form error")
        assert "already has an agreement overlapping that period" in page.text()
        assert account.agreements.count() == 1


class TestOfflineDocs:
    @pytest.mark.parametrize(
        ("path", "rendered"),
        [
            ("/api/docs/", ".swagger-ui .info .title"),
            ("/api/redoc/", ".redoc-wrap h1"),
            ("/v1/graphql/", ".graphiql-container .graphiql-editors"),
        ],
    )
    def test_the_api_docs_and_graphiql_render_their_ui(self, page, steps, path, rendered):
        page.open(path)

        element = page.visible(rendered)
        steps.take(path)

        assert element.is_displayed()
        if "graphql" not in path:
            assert "Kraken core platform API" in element.text


class TestLockout:
    def test_repeated_failed_logins_lock_the_username_out(self, page, steps, settings):
        user = staff_user(staff.OPS_AGENT, username="locked-out-ops")
        page.driver.delete_all_cookies()
        for attempt in range(settings.AXES_FAILURE_LIMIT + 1):
            page.open("/admin/login/")
            page.fill("#id_username", user.username)
            page.fill(
                "#id_password", "correct-horse-battery" if attempt == settings.AXES_FAILURE_LIMIT else "wrong"
            )
            page.click("input[type=submit]")
            # The next attempt may only start once this one is answered: opening the login page
            # while the POST is in flight would cancel it, and it would never count as a failure.
            page.find(".errornote, #locked-out")
        steps.take("locked out")

        assert page.find("#locked-out").text == "Too many failed logins"
