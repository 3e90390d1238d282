"""Money actions of the back office: pounds and pence in, bounded per currency, maker-checker above the
approval threshold, one posting per submitted form, and impossible input always a form error."""

import uuid

import pytest
from django.urls import reverse

from accounts import models as account_models
from billing import models as billing_models
from tests.accounts.factories import AccountFactory
from tests.billing.factories import BillFactory, billable_account

IMPOSSIBLE_AMOUNTS = [
    "abc",
    "12.5p",
    "1e400",
    "1E5",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "999999999999999999999999",
    "0",
    "0.00",
    "-5.00",
    "0.001",
    "12.345",
    "1..2",
    "\x00",
    "١٢",  # Arabic-Indic digits
    "",
]


def _token() -> str:
    return uuid.uuid4().hex


def _adjust(client, account, **data):
    return client.post(
        reverse("admin:accounts_account_adjust", args=[account.pk]),
        {
            "direction": "CREDIT",
            "currency": account.currency,
            "description": "Goodwill",
            "idempotency_key": _token(),
            **data,
        },
    )


def _entries(account):
    return account_models.LedgerEntry.objects.filter(ledger__account=account)


@pytest.mark.django_db
class TestAdjustBalancePage:
    def test_carries_a_fresh_idempotency_token(self, staff_client):
        account = AccountFactory()

        first = staff_client.get(reverse("admin:accounts_account_adjust", args=[account.pk]))
        second = staff_client.get(reverse("admin:accounts_account_adjust", args=[account.pk]))

        tokens = [r.context["form"].initial["idempotency_key"] for r in (first, second)]
        assert tokens[0] != tokens[1]
        assert f'value="{tokens[0]}"' in first.content.decode()

    def test_posts_pounds_and_pence_as_minor_units_with_an_audit_row(self, staff_client):
        account = AccountFactory()

        response = _adjust(staff_client, account, amount="12.50")

        assert response.status_code == 302
        entry = _entries(account).get()
        assert (entry.amount, entry.kind, entry.created_by) == (1250, "ADJUSTMENT", staff_client.user)
        actions = set(
            account_models.AuditEntry.objects.filter(account=account).values_list("action", flat=True)
        )
        assert actions == {"LEDGER_ADJUSTMENT_REQUESTED", "LEDGER_ADJUSTMENT"}

    def test_accepts_thousands_separators_and_the_currency_symbol(self, staff_client, settings):
        settings.MONEY_ACTION_LIMITS = {"GBP": {"limit": "5000.00", "approval_threshold": "2000.00"}}
        account = AccountFactory()

        _adjust(staff_client, account, amount="£1,234.50", direction="DEBIT")

        assert _entries(account).get().amount == -123450

    def test_posts_once_when_the_same_form_is_submitted_twice(self, staff_client):
        account = AccountFactory()
        data = {"amount": "20.00", "idempotency_key": _token()}

        responses = [_adjust(staff_client, account, **data) for _ in range(2)]

        assert [r.status_code for r in responses] == [302, 302]
        assert _entries(account).count() == 1
        assert account_models.LedgerAdjustment.objects.filter(account=account).count() == 1

    @pytest.mark.parametrize("amount", IMPOSSIBLE_AMOUNTS)
    def test_shows_a_form_error_and_writes_nothing_for_an_impossible_amount(self, staff_client, amount):
        account = AccountFactory()

        response = _adjust(staff_client, account, amount=amount)

        assert response.status_code == 200
        assert response.context["form"].errors
        assert not _entries(account).exists()
        assert not account_models.LedgerAdjustment.objects.filter(account=account).exists()

    @pytest.mark.parametrize(
        "data",
        [
            {"currency": "JPY", "amount": "5"},
            {"currency": "XXX", "amount": "5.00"},
            {"currency": "JPY", "amount": "5.50"},
            {"direction": "SIDEWAYS", "amount": "5.00"},
            {"amount": "5.00", "description": ""},
            {"amount": "5.00", "description": "x" * 300},
            {"amount": "5.00", "idempotency_key": "not-a-token"},
            {"amount": "5.00", "idempotency_key": ""},
        ],
    )
    def test_shows_a_form_error_and_writes_nothing_for_other_impossible_input(self, staff_client, data):
        account = AccountFactory(currency="GBP")

        response = _adjust(staff_client, account, **data)

        assert response.status_code == 200
        assert response.context["form"].errors
        assert not _entries(account).exists()

    def test_refuses_more_than_the_currency_limit(self, staff_client, settings):
        settings.MONEY_ACTION_LIMITS = {"GBP": {"limit": "100.00", "approval_threshold": "50.00"}}
        account = AccountFactory()

        response = _adjust(staff_client, account, amount="100.01")

        assert response.status_code == 200
        assert "at most £100.00" in response.content.decode()
        assert not _entries(account).exists()

    def test_refuses_a_currency_without_configured_limits(self, staff_client, settings):
        settings.MONEY_ACTION_LIMITS = {"EUR": {"limit": "100.00", "approval_threshold": "50.00"}}
        account = AccountFactory()

        response = _adjust(staff_client, account, amount="1.00")

        assert "No money action limits are configured for GBP" in response.content.decode()
        assert not _entries(account).exists()


@pytest.mark.django_db
class TestBulkAdjustmentAction:
    def _post(self, client, accounts, **data):
        return client.post(
            reverse("admin:accounts_account_changelist"),
            {
                "action": "post_adjustment",
                "_selected_action": [a.pk for a in accounts],
                "confirmed": "yes",
                "direction": "CREDIT",
                "currency": "GBP",
                "description": "Goodwill",
                "idempotency_key": _token(),
                **data,
            },
        )

    def test_posts_one_adjustment_per_account_once(self, staff_client):
        accounts = [AccountFactory(), AccountFactory()]
        token = _token()

        for _ in range(2):
            response = self._post(staff_client, accounts, amount="5.00", idempotency_key=token)
            assert response.status_code == 302

        assert [_entries(a).get().amount for a in accounts] == [500, 500]

    @pytest.mark.parametrize("amount", IMPOSSIBLE_AMOUNTS)
    def test_shows_a_form_error_and_writes_nothing_for_an_impossible_amount(self, staff_client, amount):
        account = AccountFactory()

        response = self._post(staff_client, [account], amount=amount)

        assert response.status_code == 200
        assert response.context["form"].errors
        assert not _entries(account).exists()

    def test_writes_nothing_when_one_account_is_in_another_currency(self, staff_client):
        pounds, yen = AccountFactory(currency="GBP"), AccountFactory(currency="JPY")

        response = self._post(staff_client, [pounds, yen], amount="5.00")

        assert response.status_code == 200
        assert "billed in JPY, not GBP" in response.content.decode()
        assert not _entries(pounds).exists() and not _entries(yen).exists()


@pytest.mark.django_db
class TestMakerChecker:
    def test_holds_an_adjustment_above_the_threshold_until_a_second_lead_approves(
        self, agent_client, lead_client, settings
    ):
        settings.MONEY_ACTION_LIMITS = {"GBP": {"limit": "1000.00", "approval_threshold": "100.00"}}
        account = AccountFactory()

        _adjust(agent_client, account, amount="250.00")
        adjustment = account_models.LedgerAdjustment.objects.get(account=account)
        assert adjustment.status == "PENDING_APPROVAL" and not _entries(account).exists()

        page = lead_client.get(reverse("admin:accounts_ledgeradjustment_change", args=[adjustment.pk]))
        assert 'id="decide-adjustment"' in page.content.decode()
        response = lead_client.post(
            reverse("admin:accounts_ledgeradjustment_decide", args=[adjustment.pk]), {"decision": "APPROVE"}
        )

        assert response.status_code == 302
        adjustment.refresh_from_db()
        assert (adjustment.status, adjustment.decided_by) == ("POSTED", lead_client.user)
        assert _entries(account).get().amount == 25000
        audit = dict(account_models.AuditEntry.objects.filter(account=account).values_list("action", "actor"))
        assert audit["LEDGER_ADJUSTMENT_REQUESTED"] == agent_client.user.pk
        assert audit["LEDGER_ADJUSTMENT_APPROVED"] == lead_client.user.pk

    def test_refuses_an_approval_by_the_person_who_asked(self, lead_client, settings):
        settings.MONEY_ACTION_LIMITS = {"GBP": {"limit": "1000.00", "approval_threshold": "100.00"}}
        account = AccountFactory()
        _adjust(lead_client, account, amount="250.00")
        adjustment = account_models.LedgerAdjustment.objects.get(account=account)

        page = lead_client.get(reverse("admin:accounts_ledgeradjustment_change", args=[adjustment.pk]))
        response = lead_client.post(
            reverse("admin:accounts_ledgeradjustment_decide", args=[adjustment.pk]), {"decision": "APPROVE"}
        )

        assert 'id="decide-adjustment"' not in page.content.decode()
        assert "A second person must decide" in response.content.decode()
        assert not _entries(account).exists()

    def test_an_agent_cannot_approve(self, agent_client, lead_client, settings):
        settings.MONEY_ACTION_LIMITS = {"GBP": {"limit": "1000.00", "approval_threshold": "100.00"}}
        account = AccountFactory()
        _adjust(lead_client, account, amount="250.00")
        adjustment = account_models.LedgerAdjustment.objects.get(account=account)

        response = agent_client.post(
            reverse("admin:accounts_ledgeradjustment_decide", args=[adjustment.pk]), {"decision": "APPROVE"}
        )

        assert response.status_code == 403
        assert not _entries(account).exists()

    def test_rejection_needs_a_reason_and_posts_nothing(self, agent_client, lead_client, settings):
        settings.MONEY_ACTION_LIMITS = {"GBP": {"limit": "1000.00", "approval_threshold": "100.00"}}
        account = AccountFactory()
        _adjust(agent_client, account, amount="250.00")
        adjustment = account_models.LedgerAdjustment.objects.get(account=account)
        url = reverse("admin:accounts_ledgeradjustment_decide", args=[adjustment.pk])

        without_reason = lead_client.post(url, {"decision": "REJECT"})
        with_reason = lead_client.post(url, {"decision": "REJECT", "note": "No evidence"})

        assert without_reason.status_code == 200 and without_reason.context["form"].errors
        assert with_reason.status_code == 302
        adjustment.refresh_from_db()
        assert adjustment.status == "REJECTED"
        assert not _entries(account).exists()


@pytest.mark.django_db
class TestBillNowPage:
    def _post(self, client, account, **data):
        return client.post(
            reverse("admin:accounts_account_bill", args=[account.pk]),
            {"first_day": "2024-01-01", "last_day": "2024-01-31", "idempotency_key": _token(), **data},
        )

    def test_issues_one_bill_however_often_the_form_is_sent(self, staff_client):
        account = billable_account()
        token = _token()

        first = self._post(staff_client, account, idempotency_key=token)
        second = self._post(staff_client, account, idempotency_key=token)

        assert first.status_code == 302
        assert second.status_code == 200 and "Not billed" in second.content.decode()
        assert billing_models.Bill.objects.filter(account=account).count() == 1

    @pytest.mark.parametrize(
        "data",
        [
            {"first_day": "2024-02-30"},
            {"first_day": "abc"},
            {"first_day": "1e400"},
            {"last_day": "9999-12-31"},
            {"first_day": "0001-01-01"},
            {"first_day": "2024-02-01", "last_day": "2024-01-01"},
            {"first_day": "2020-01-01", "last_day": "2024-01-01"},
            {"idempotency_key": "\x00"},
        ],
    )
    def test_shows_a_form_error_and_bills_nothing_for_impossible_input(self, staff_client, data):
        account = billable_account()

        response = self._post(staff_client, account, **data)

        assert response.status_code == 200
        assert response.context["form"].errors
        assert not billing_models.Bill.objects.filter(account=account).exists()


@pytest.mark.django_db
class TestCollectPage:
    def test_queues_the_collection_of_a_bill_once_committed(
        self, staff_client, django_capture_on_commit_callbacks
    ):
        bill = BillFactory()

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = staff_client.post(
                reverse("admin:accounts_account_collect", args=[bill.account.pk]),
                {"bill": bill.pk, "idempotency_key": _token()},
            )

        assert response.status_code == 302
        assert len(callbacks) == 1

    @pytest.mark.parametrize("bill", ["abc", "1e400", "99999999999999999999999", "-1", ""])
    def test_shows_a_form_error_for_an_impossible_bill(
        self, staff_client, bill, django_capture_on_commit_callbacks
    ):
        other = BillFactory()
        account = BillFactory().account

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = staff_client.post(
                reverse("admin:accounts_account_collect", args=[account.pk]),
                {"bill": bill or other.pk, "idempotency_key": _token()},
            )

        assert response.status_code == 200
        assert response.context["form"].errors
        assert not callbacks
