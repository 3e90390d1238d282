import datetime as dt

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts import models as account_models
from accounts import queries as account_queries
from kraken import demo

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
DEMO_APPS = ("accounts", "metering", "devices", "billing", "imports", "cdr")


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in DEMO_APPS
        for model in apps.get_app_config(app).get_models()
    }


@pytest.mark.django_db
class TestLoadDemoData:
    def test_loads_every_kind_of_row_once_and_a_second_run_changes_nothing(self):
        first = demo.load_demo_data(now=NOW)
        counts = _row_counts()

        second = demo.load_demo_data(now=NOW + dt.timedelta(hours=1))

        assert (first.created, second.created) == (True, False)
        assert _row_counts() == counts
        for label in (
            "accounts.Account",
            "accounts.Property",
            "accounts.LedgerEntry",
            "metering.MeterPoint",
            "metering.Reading",
            "billing.Agreement",
            "billing.Bill",
            "devices.Device",
            "devices.Dispatch",
        ):
            assert counts[label] > 0, label
        assert counts["accounts.Account"] == 300

    def test_gives_a_demo_customer_who_can_log_in(self):
        demo.load_demo_data(now=NOW)

        user = account_models.User.objects.get(email=demo.DEMO_CUSTOMER_EMAIL)

        assert user.check_password(demo.DEMO_CUSTOMER_PASSWORD)
        assert account_queries.accounts_of_user(user=user).count() == 1

    def test_ledger_balances_equal_bills_less_payments(self):
        demo.load_demo_data(now=NOW)
        account = account_models.Account.objects.order_by("number").first()

        charged = sum(bill.total for bill in account.bills.all())
        paid = sum(
            entry.amount
            for entry in account_models.LedgerEntry.objects.filter(ledger__account=account, kind="PAYMENT")
        )

        assert account_queries.account_balance(account=account) == paid - charged

    def test_command_loads_every_app_s_demo_rows_and_a_second_run_changes_nothing(self):
        call_command("load_demo_data")
        counts = _row_counts()

        call_command("load_demo_data")

        assert _row_counts() == counts
        for label in ("cdr.Consent", "devices.SavingSessionEvent", "accounts.LoyaltyPointLedgerEntry"):
            assert counts[label] > 0, label

    def test_command_prints_the_logins(self, capsys):
        call_command("load_demo_data")

        out = capsys.readouterr().out
        assert demo.DEMO_CUSTOMER_EMAIL in out
        assert demo.DEMO_IMPORT_API_KEY in out
        assert "CDR bearer token" in out
