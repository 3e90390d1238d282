"""Ledger adjustments: bounded, posted once per form, and above the threshold decided by a second
person."""

import threading
import uuid

import pytest
from django.db import connection

from accounts import models, operations, queries
from tests.accounts.factories import EPOCH, AccountFactory, LedgerEntryFactory, UserFactory

LIMITS = {"GBP": {"limit": "1000.00", "approval_threshold": "100.00"}}


@pytest.fixture(autouse=True)
def limits(settings):
    settings.MONEY_ACTION_LIMITS = LIMITS


def _request(account, amount, *, by, key=None, description="Goodwill"):
    return operations.request_ledger_adjustment(
        account=account,
        amount=amount,
        currency="GBP",
        description=description,
        idempotency_key=key or uuid.uuid4().hex,
        requested_by=by,
        requested_at=EPOCH,
    )


@pytest.mark.django_db
class TestRequestLedgerAdjustment:
    def test_posts_at_once_up_to_the_approval_threshold(self):
        account, agent = AccountFactory(), UserFactory()

        adjustment = _request(account, 10000, by=agent)

        assert adjustment.status == "POSTED"
        assert queries.account_balance(account=account) == 10000

    def test_waits_for_approval_above_the_threshold(self):
        account, agent = AccountFactory(), UserFactory()

        adjustment = _request(account, -10001, by=agent)

        assert adjustment.status == "PENDING_APPROVAL"
        assert queries.account_balance(account=account) == 0

    def test_refuses_more_than_the_limit(self):
        with pytest.raises(operations.AmountOverLimit):
            _request(AccountFactory(), 100001, by=UserFactory())

    def test_returns_the_first_adjustment_for_a_repeated_key(self):
        account, agent = AccountFactory(), UserFactory()

        first = _request(account, 500, by=agent, key="a" * 32)
        again = _request(account, 500, by=agent, key="a" * 32)

        assert again.pk == first.pk
        assert models.LedgerEntry.objects.filter(ledger__account=account).count() == 1

    def test_refuses_a_repeated_key_with_other_values(self):
        account, agent = AccountFactory(), UserFactory()
        _request(account, 500, by=agent, key="b" * 32)

        with pytest.raises(operations.IdempotencyKeyReused):
            _request(account, 600, by=agent, key="b" * 32)

    def test_refuses_another_currency(self):
        with pytest.raises(operations.CurrencyMismatch):
            operations.request_ledger_adjustment(
                account=AccountFactory(currency="GBP"),
                amount=1,
                currency="EUR",
                description="x",
                idempotency_key="c" * 32,
                requested_by=UserFactory(),
                requested_at=EPOCH,
            )


@pytest.mark.django_db(transaction=True)
class TestConcurrentDoubleSubmit:
    def test_posts_once_when_two_requests_race_with_one_key(self):
        account, agent = AccountFactory(), UserFactory()
        barrier = threading.Barrier(2)
        results, errors = [], []

        def submit():
            try:
                barrier.wait()
                results.append(_request(account, 700, by=agent, key="d" * 32).pk)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert not errors
        assert len(set(results)) == 1
        assert models.LedgerEntry.objects.filter(ledger__account=account).count() == 1


@pytest.mark.django_db
class TestApproveLedgerAdjustment:
    def test_posts_on_a_second_persons_approval_and_audits_both(self):
        account, agent, lead = AccountFactory(), UserFactory(), UserFactory()
        adjustment = _request(account, 50000, by=agent)

        operations.approve_ledger_adjustment(adjustment_id=adjustment.pk, approved_by=lead, approved_at=EPOCH)

        adjustment.refresh_from_db()
        assert (adjustment.status, adjustment.decided_by, adjustment.ledger_entry.amount) == (
            "POSTED",
            lead,
            50000,
        )
        actors = dict(models.AuditEntry.objects.filter(account=account).values_list("action", "actor"))
        assert actors["LEDGER_ADJUSTMENT_REQUESTED"] == agent.pk
        assert actors["LEDGER_ADJUSTMENT_APPROVED"] == lead.pk

    def test_refuses_the_person_who_asked(self):
        agent = UserFactory()
        adjustment = _request(AccountFactory(), 50000, by=agent)

        with pytest.raises(operations.SelfApproval):
            operations.approve_ledger_adjustment(
                adjustment_id=adjustment.pk, approved_by=agent, approved_at=EPOCH
            )

    def test_posts_once_when_approved_twice(self):
        account, lead = AccountFactory(), UserFactory()
        adjustment = _request(account, 50000, by=UserFactory())
        operations.approve_ledger_adjustment(adjustment_id=adjustment.pk, approved_by=lead, approved_at=EPOCH)

        with pytest.raises(operations.AdjustmentAlreadyDecided):
            operations.approve_ledger_adjustment(
                adjustment_id=adjustment.pk, approved_by=lead, approved_at=EPOCH
            )

        assert queries.account_balance(account=account) == 50000

    def test_the_database_refuses_a_self_approval_whatever_the_caller(self):
        from django.db import IntegrityError, transaction

        agent = UserFactory()
        adjustment = _request(AccountFactory(), 50000, by=agent)

        with pytest.raises(IntegrityError), transaction.atomic():
            models.LedgerAdjustment.objects.filter(pk=adjustment.pk).update(decided_by=agent)


@pytest.mark.django_db
class TestWithBalances:
    def test_sums_each_account_once_however_many_ledgers_and_joins(self):
        account = AccountFactory()
        gas = models.Ledger.objects.create(account=account, ledger_type="GAS", currency="GBP")
        for index in range(20):
            LedgerEntryFactory(
                ledger=account.ledgers.get(ledger_type="ENERGY"), amount=-10, reference=f"E{index}"
            )
            LedgerEntryFactory(ledger=gas, amount=-5, reference=f"G{index}")

        found = queries.with_balances(models.Account.objects.filter(pk=account.pk, ledgers__isnull=False))

        assert [a.balance for a in found] == [-300, -300]  # one row per ledger joined, each summed once
