"""The back office: constant-query list pages, read-only ledgers, adjustments that append, search."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts import models as account_models
from billing import models as billing_models
from tests.accounts.factories import (
    EPOCH,
    AccountFactory,
    AccountUserRoleFactory,
    LedgerEntryFactory,
    PropertyFactory,
)
from tests.billing.factories import AgreementFactory, BillFactory
from tests.devices.factories import DeviceFactory
from tests.metering.factories import MeterPointFactory


def _accounts(count):
    return [AccountFactory() for _ in range(count)]


def _ledger_entries(count):
    ledger = AccountFactory().ledgers.get()
    return [LedgerEntryFactory(ledger=ledger) for _ in range(count)]


def _agreements(count):
    return [AgreementFactory() for _ in range(count)]


def _bills(count):
    account = AccountFactory()
    return [
        BillFactory(
            account=account,
            period_start=EPOCH + dt.timedelta(days=index),
            period_end=EPOCH + dt.timedelta(days=index + 1),
        )
        for index in range(count)
    ]


def _devices(count):
    return [DeviceFactory() for _ in range(count)]


CHANGELISTS = {
    "admin:accounts_account_changelist": _accounts,
    "admin:accounts_ledgerentry_changelist": _ledger_entries,
    "admin:billing_agreement_changelist": _agreements,
    "admin:billing_bill_changelist": _bills,
    "admin:devices_device_changelist": _devices,
}


@pytest.mark.django_db
class TestChangelistPages:
    @pytest.mark.parametrize("url_name", list(CHANGELISTS))
    def test_run_the_same_number_of_queries_for_5_and_200_rows(
        self, staff_client, url_name, django_assert_num_queries
    ):
        make_rows = CHANGELISTS[url_name]
        make_rows(5)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            assert staff_client.get(reverse(url_name)).status_code == 200
        make_rows(195)

        with django_assert_num_queries(len(small.captured_queries)):
            response = staff_client.get(reverse(url_name))

        assert response.status_code == 200


@pytest.mark.django_db
class TestLedgerEntryAdmin:
    def test_offers_no_add_change_or_delete(self, staff_client):
        entry = LedgerEntryFactory()

        change = staff_client.post(
            reverse("admin:accounts_ledgerentry_change", args=[entry.pk]), {"amount": "1", "description": "x"}
        )
        delete = staff_client.post(
            reverse("admin:accounts_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}
        )
        add = staff_client.get(reverse("admin:accounts_ledgerentry_add"))

        assert change.status_code == 403
        assert delete.status_code == 403
        assert add.status_code == 403
        entry.refresh_from_db()
        assert entry.amount == -1000


@pytest.mark.django_db
class TestLedgerAdjustmentAction:
    def _post(self, client, account, **data):
        return client.post(
            reverse("admin:accounts_account_changelist"),
            {"action": "post_adjustment", "_selected_action": [account.pk], **data},
        )

    def test_asks_for_input_before_acting(self, staff_client):
        account = AccountFactory()

        response = self._post(staff_client, account)

        assert response.status_code == 200
        assert b"Confirm" in response.content
        assert not account_models.LedgerEntry.objects.filter(ledger__account=account).exists()

    def test_appends_an_adjustment_entry_once_confirmed(self, staff_client):
        account = AccountFactory()

        response = self._post(
            staff_client,
            account,
            confirmed="yes",
            direction="CREDIT",
            amount="12.50",
            currency="GBP",
            description="Goodwill",
        )

        assert response.status_code == 302
        entry = account_models.LedgerEntry.objects.get(ledger__account=account)
        assert (entry.amount, entry.kind, entry.created_by) == (1250, "ADJUSTMENT", staff_client.user)
        assert account_models.AuditEntry.objects.filter(account=account, action="LEDGER_ADJUSTMENT").exists()

    def test_debits_as_a_negative_entry(self, staff_client):
        account = AccountFactory()

        self._post(
            staff_client,
            account,
            confirmed="yes",
            direction="DEBIT",
            amount="3.00",
            currency="GBP",
            description="Missed charge",
        )

        assert account_models.LedgerEntry.objects.get(ledger__account=account).amount == -300

    def test_shows_a_form_error_and_posts_nothing_for_a_currency_mismatch(self, staff_client):
        account = AccountFactory(currency="GBP")

        response = self._post(
            staff_client,
            account,
            confirmed="yes",
            direction="CREDIT",
            amount="5.00",
            currency="JPY",
            description="Wrong currency",
        )

        assert response.status_code == 200
        assert "are not billed in JPY" in response.content.decode()
        assert not account_models.LedgerEntry.objects.filter(ledger__account=account).exists()

    @pytest.mark.parametrize("amount", ["-5.00", "0", "abc", "0.001"])
    def test_shows_a_form_error_and_posts_nothing_for_a_bad_amount(self, staff_client, amount):
        account = AccountFactory()

        response = self._post(
            staff_client,
            account,
            confirmed="yes",
            direction="CREDIT",
            amount=amount,
            currency="GBP",
            description="Bad",
        )

        assert response.status_code == 200
        assert b"errorlist" in response.content or b"errornote" in response.content
        assert not account_models.LedgerEntry.objects.filter(ledger__account=account).exists()


@pytest.mark.django_db
class TestAccountSearch:
    def test_finds_by_account_number_email_and_mpan(self, staff_client):
        wanted = AccountUserRoleFactory(user__email="ada@example.org").account
        MeterPointFactory(property=PropertyFactory(account=wanted), identifier="1900000999999")
        AccountFactory()
        url = reverse("admin:accounts_account_changelist")

        for term in (wanted.number, "ada@example.org", "1900000999999"):
            response = staff_client.get(url, {"q": term})

            assert list(response.context["cl"].result_list) == [wanted], term

    def test_account_page_shows_inlines_of_every_app(self, staff_client):
        agreement = AgreementFactory()
        BillFactory(account=agreement.account)
        DeviceFactory(account=agreement.account)

        response = staff_client.get(reverse("admin:accounts_account_change", args=[agreement.account.pk]))

        assert response.status_code == 200
        content = response.content.decode()
        assert agreement.meter_point.identifier in content
        assert agreement.tariff.code in content
        assert "Tesla" in content
        assert billing_models.Bill.objects.filter(account=agreement.account).exists()


@pytest.mark.django_db
class TestChangeStatusAction:
    def _post(self, client, accounts, **data):
        return client.post(
            reverse("admin:accounts_account_changelist"),
            {"action": "change_status", "_selected_action": [account.pk for account in accounts], **data},
        )

    def test_moves_accounts_and_records_why(self, staff_client):
        accounts = [AccountFactory(), AccountFactory()]

        response = self._post(staff_client, accounts, confirmed="yes", status="DORMANT", reason="Moved out")

        assert response.status_code == 302
        for account in accounts:
            account.refresh_from_db()
            assert account.status == "DORMANT"
            assert account.notes.get().body == "Status ACTIVE → DORMANT: Moved out"
            assert account_models.AuditEntry.objects.filter(
                account=account, action="ACCOUNT_STATUS_CHANGED"
            ).exists()

    def test_refuses_when_an_account_already_has_the_status_and_changes_nothing(self, staff_client):
        active, dormant = AccountFactory(), AccountFactory(status="DORMANT")

        response = self._post(staff_client, [active, dormant], confirmed="yes", status="DORMANT", reason="x")

        assert response.status_code == 200
        assert f"Already DORMANT: {dormant.number}" in response.content.decode()
        active.refresh_from_db()
        assert active.status == "ACTIVE"
        assert not active.notes.exists()


@pytest.mark.django_db
class TestPreviewBillAction:
    def test_opens_the_preview_for_one_account(self, staff_client):
        account = AccountFactory()

        response = staff_client.post(
            reverse("admin:accounts_account_changelist"),
            {"action": "preview_bill", "_selected_action": [account.pk]},
        )

        assert response.status_code == 302
        assert (
            response["Location"] == f"{reverse('admin:billing_bill_preview')}?account_number={account.number}"
        )

    def test_asks_for_exactly_one_account(self, staff_client):
        accounts = [AccountFactory(), AccountFactory()]

        response = staff_client.post(
            reverse("admin:accounts_account_changelist"),
            {"action": "preview_bill", "_selected_action": [account.pk for account in accounts]},
            follow=True,
        )

        assert "Select exactly one account" in response.content.decode()
