import datetime as dt
from collections.abc import Iterator
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Sum

from accounts import models as account_models
from accounts import queries as account_queries
from billing import models as billing_models
from billing import queries as billing_queries
from kernel import ranges
from kraken import demo
from tests.shared_data import loaded_once

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
DEMO_APPS = ("accounts", "metering", "devices", "billing", "imports", "cdr")
# A demo-shaped set: the demo customer, every special case, and a few dozen drawn at random.
SMALL = 40


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
            "metering.IntervalReading",
            "billing.Agreement",
            "billing.Bill",
            "billing.StatementTransaction",
            "billing.Payment",
            "billing.PaymentCollectionAttempt",
            "devices.Device",
            "devices.Dispatch",
        ):
            assert counts[label] > 0, label
        assert counts["accounts.Account"] == 300


@pytest.mark.django_db
class TestTheDemoSet:
    """Demo-shaped sets: `demo.load_demo_data` with the demo customer, every special case and a
    few dozen accounts; loaded once for the class, as the tests only read it."""

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def small_set(cls, django_db_setup, django_db_blocker) -> Iterator[demo.DemoSummary]:
        yield from loaded_once(django_db_blocker, lambda: demo.load_demo_data(now=NOW, account_count=SMALL))

    def test_gives_a_demo_customer_who_can_log_in(self):
        user = account_models.User.objects.get(email=demo.DEMO_CUSTOMER_EMAIL)

        assert user.check_password(demo.DEMO_CUSTOMER_PASSWORD)
        assert account_queries.accounts_of_user(user=user).count() == 1

    def test_ledger_balances_equal_bills_less_payments_plus_balances_brought_in(self):
        for account in account_models.Account.objects.all():
            charged = sum(bill.total for bill in account.bills.all())
            entries = account_models.LedgerEntry.objects.filter(ledger__account=account)
            paid = entries.filter(kind="PAYMENT").aggregate(total=Sum("amount"))["total"] or 0
            brought = entries.filter(kind="OPENING_BALANCE").aggregate(total=Sum("amount"))["total"] or 0

            assert account_queries.account_balance(account=account) == paid - charged + brought

    def test_gives_the_demo_customer_13_months_of_half_hours_and_bills_on_a_smart_tariff(self):
        account = account_models.Account.objects.get(user_roles__user__email=demo.DEMO_CUSTOMER_EMAIL)
        statements = billing_queries.statements_of_accounts(account_ids=[account.pk])[account.pk]
        first = min(statement.period.start for statement in statements)

        assert len(statements) == demo.MONTHS_OF_HISTORY
        assert billing_models.BillLine.objects.filter(bill__account=account, half_hours__gt=0).exists()
        assert {line.band for s in statements for group in s.agreements for line in group.line_items} >= {
            "OFF_PEAK",
            "PEAK",
        }
        assert (
            apps.get_model("metering", "IntervalReading")
            .objects.filter(
                meter__meter_point__property__account=account, interval_start__lt=first + dt.timedelta(days=1)
            )
            .exists()
        )

    def test_tells_one_story_of_debts_credits_failed_collections_moves_and_dormancy(self):
        balances = [account_queries.account_balance(account=a) for a in account_models.Account.objects.all()]
        attempts = billing_models.PaymentCollectionAttempt.objects

        assert any(balance > 0 for balance in balances) and any(balance < 0 for balance in balances)
        assert attempts.filter(status="DECLINED").exists()
        assert billing_models.Payment.objects.filter(transaction_type="DD_RE_PRESENTATION").exists()
        assert account_models.Account.objects.filter(status="DORMANT").exists()
        assert account_models.Property.objects.filter(occupied_to__isnull=False).count() >= 2
        assert billing_models.BillLine.objects.filter(half_hours__gt=0, is_estimated=True).exists()

    def test_every_statement_is_what_the_engine_computes_now_and_adds_up_to_the_ledger(self):
        for account in account_models.Account.objects.all():
            statements = billing_queries.statements_of_accounts(account_ids=[account.pk])[account.pk]
            for statement in statements:
                bill = billing_models.Bill.objects.get(pk=statement.id)
                draft = billing_queries.preview_bill(
                    account=account,
                    period=ranges.Period(bill.period_start, bill.period_end),
                    as_of=bill.issued_at,
                )
                stored = [
                    (line.kind, line.band, line.quantity, line.unit_rate, line.amount, line.is_estimated)
                    for group in statement.agreements
                    for line in group.line_items
                ]
                engine = [
                    (line.kind, line.band, line.quantity, line.unit_rate, line.amount, line.is_estimated)
                    for line in draft.lines
                ]
                assert sorted(stored) == sorted(engine), statement.id
                assert statement.closing_balance == statement.opening_balance + sum(
                    t.amount for t in statement.transactions
                )
            current = billing_queries.open_statement(account=account, as_of=NOW)
            balance = account_queries.account_balance(account=account)
            assert current.closing_balance == balance
            assert balance == sum(
                account_models.LedgerEntry.objects.filter(ledger__account=account).values_list(
                    "amount", flat=True
                )
            )


@pytest.mark.django_db
class TestLoadDemoDataCommand:
    """`manage.py load_demo_data`, run once for the class (it loads every app's demo rows, a few
    seconds each time); the tests read what it wrote and printed."""

    @pytest.fixture(scope="class")
    @classmethod
    def command(cls, django_db_setup, django_db_blocker) -> Iterator[tuple[dict[str, int], str]]:
        def run() -> tuple[dict[str, int], str]:
            out = StringIO()
            call_command("load_demo_data", accounts=SMALL, stdout=out)
            return _row_counts(), out.getvalue()

        yield from loaded_once(django_db_blocker, run)

    def test_loads_every_app_s_demo_rows_and_a_second_run_changes_nothing(self, command):
        counts, _ = command

        call_command("load_demo_data", accounts=SMALL, stdout=StringIO())

        assert _row_counts() == counts
        for label in ("cdr.Consent", "devices.SavingSessionEvent", "accounts.LoyaltyPointLedgerEntry"):
            assert counts[label] > 0, label

    def test_prints_the_logins(self, command):
        _, out = command

        assert demo.DEMO_CUSTOMER_EMAIL in out
        assert demo.DEMO_IMPORT_API_KEY in out
        assert "CDR bearer token" in out

    def test_prints_the_demo_customer_s_api_key(self, command):
        _, out = command

        key = account_queries.live_api_key(
            user=account_models.User.objects.get(email=demo.DEMO_CUSTOMER_EMAIL)
        )
        assert f"demo customer's API key (REST v1 Basic auth, obtainKrakenToken APIKey): {key}" in out
