"""A collection attempt ends SUCCEEDED, DECLINED or FAILED (never PENDING forever), is reconciled
with the vendor by its idempotency key, is retried on the dunning schedule, and never collects a
bill the ledger shows settled. Against a real LocalPay server."""

import datetime as dt

import pytest

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from billing import models, operations, queries, vendors
from kernel import ranges
from tests.accounts.factories import EPOCH
from tests.billing.factories import billable_account

FEB = EPOCH.replace(month=2)
JAN = ranges.Period(EPOCH, FEB)
ISSUED_AT = dt.datetime(2024, 2, 2, 9, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def _bill():
    account = billable_account(payment_method=True)
    return operations.issue_bill(account=account, period=JAN, issued_at=ISSUED_AT)


def _balance(account) -> int:
    return accounts_models.LedgerEntry.objects.filter(ledger__account=account).balance()


def _pay_outside(account, amount: int) -> None:
    """A payment the ledger knows of but no collection made (an imported or bank-transfer payment)."""
    ledger = accounts_models.Ledger.objects.get(
        account=account, ledger_type=accounts_models.LedgerType.ENERGY
    )
    accounts_operations.post_ledger_entry(
        ledger=ledger,
        amount=amount,
        currency=ledger.currency,
        kind=accounts_models.LedgerEntryKind.PAYMENT,
        description="Bank transfer",
        posted_at=ISSUED_AT,
        reference=f"BANK-{account.pk}",
    )


@pytest.fixture
def dunning(settings):
    settings.COLLECTION_MAX_TRIES = 2
    settings.COLLECTION_RETRY_DELAYS = [3600, 7200]
    settings.PAYMENT_RETRY_BASE_SECONDS = 1
    return settings


@pytest.mark.django_db
class TestAttemptsEnd:
    def test_an_outage_outlasting_its_tries_ends_failed_and_the_dunning_schedule_collects_later(
        self, localpay, dunning
    ):
        bill = _bill()
        localpay.behave(mode="fail", count=2)

        with pytest.raises(vendors.VendorUnavailable):
            operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)
        with pytest.raises(operations.CollectionFailed):
            operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)

        failed = models.PaymentCollectionAttempt.objects.get(bill=bill)
        assert (failed.status, failed.error_code, failed.tries) == ("FAILED", "HTTP_503", 2)
        assert "made no charge" in failed.error_detail
        assert (failed.completed_at, failed.next_retry_at) == (ISSUED_AT, ISSUED_AT + HOUR)
        assert (failed.claimed_by, failed.lease_until) == ("", None)
        assert localpay.charges() == []
        assert bill.pk not in queries.collectable_bill_ids(now=ISSUED_AT + HOUR / 2)
        assert bill.pk in queries.collectable_bill_ids(now=ISSUED_AT + HOUR)

        again = operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT + HOUR)

        assert (again.status, again.attempt_number) == ("SUCCEEDED", 2)
        assert [c["idempotency_key"] for c in localpay.charges()] == [f"{bill.account.number}-{bill.pk}-2"]
        assert _balance(bill.account) == 0

    def test_the_schedule_spent_a_failed_bill_waits_for_ops(self, localpay, dunning):
        bill = _bill()
        localpay.behave(mode="fail", count=6)
        failures = []
        for now in (ISSUED_AT, ISSUED_AT + HOUR, ISSUED_AT + 3 * HOUR):
            with pytest.raises(vendors.VendorUnavailable):
                operations.collect_bill_payment(bill_id=bill.pk, now=now)
            with pytest.raises(operations.CollectionFailed):
                operations.collect_bill_payment(bill_id=bill.pk, now=now)
            failures.append(models.PaymentCollectionAttempt.objects.order_by("-attempt_number").first())

        assert [a.next_retry_at for a in failures] == [ISSUED_AT + HOUR, ISSUED_AT + 3 * HOUR, None]
        assert bill.pk not in queries.collectable_bill_ids(now=ISSUED_AT + 1000 * HOUR)

    def test_a_charge_made_whose_answer_never_came_is_found_by_its_key_and_recorded_once(
        self, localpay, dunning
    ):
        dunning.COLLECTION_MAX_TRIES = 1
        bill = _bill()
        localpay.behave(mode="timeout", delay=3)

        attempt = operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)

        assert (attempt.status, attempt.tries) == ("SUCCEEDED", 1)
        assert [r["replayed"] for r in localpay.requests()] == [False]  # found by lookup, not re-sent
        [charge] = localpay.charges()
        assert attempt.vendor_reference == charge["id"]
        assert models.Payment.objects.get(bill=bill).vendor_reference == charge["id"]
        assert _balance(bill.account) == 0


@pytest.mark.django_db
class TestLeases:
    def test_an_attempt_a_live_worker_holds_is_left_to_it_and_resent_once_its_lease_lapses(self, localpay):
        bill = _bill()
        attempt = models.PaymentCollectionAttempt.objects.create(
            account=bill.account,
            bill=bill,
            payment_method=accounts_models.PaymentMethod.objects.get(account=bill.account),
            attempt_number=1,
            idempotency_key="K-1",
            amount=bill.total,
            currency=bill.currency,
            vendor="localpay",
            requested_at=ISSUED_AT,
            claimed_by="dead-worker:1",
            lease_until=dt.datetime.now(dt.UTC) + HOUR,
        )

        with pytest.raises(operations.CollectionInProgress):
            operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)
        assert localpay.requests() == []

        models.PaymentCollectionAttempt.objects.filter(pk=attempt.pk).update(
            lease_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        )
        done = operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT, worker="w2")

        assert (done.pk, done.status, done.tries) == (attempt.pk, "SUCCEEDED", 1)
        assert [r["idempotency_key"] for r in localpay.requests()] == ["K-1"]


@pytest.mark.django_db
class TestLedgerSettledBills:
    def test_a_bill_the_ledger_shows_paid_is_never_collected(self, localpay):
        bill = _bill()
        _pay_outside(bill.account, bill.total)

        assert bill.pk not in queries.collectable_bill_ids(now=ISSUED_AT)
        with pytest.raises(operations.NothingToCollect, match="settled on its account's ledger"):
            operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)
        assert localpay.requests() == []
        assert not models.PaymentCollectionAttempt.objects.exists()

    def test_a_bill_the_ledger_shows_only_partly_covered_is_collected_in_full(self, localpay):
        bill = _bill()
        _pay_outside(bill.account, 1000)

        attempt = operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)

        assert attempt.amount == bill.total
        assert _balance(bill.account) == 1000  # the customer's credit stays theirs

    def test_a_pending_attempt_is_sent_again_with_its_own_amount(self, localpay):
        bill = _bill()
        _pay_outside(bill.account, bill.total - 1)
        attempt = models.PaymentCollectionAttempt.objects.create(
            account=bill.account,
            bill=bill,
            payment_method=accounts_models.PaymentMethod.objects.get(account=bill.account),
            attempt_number=1,
            idempotency_key="K-1",
            amount=1,
            currency=bill.currency,
            vendor="localpay",
            requested_at=ISSUED_AT,
        )

        assert bill.pk not in queries.collectable_bill_ids(now=ISSUED_AT)  # its attempt is in flight
        done = operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)
        assert (done.pk, done.amount, done.status) == (attempt.pk, 1, "SUCCEEDED")
        assert _balance(bill.account) == 0


@pytest.mark.django_db
class TestAttemptsWhoseWorkersWereLost:
    """A PENDING attempt past its tries (its workers kept dying) is settled by its key, not re-sent."""

    def _lost_attempt(self, bill, tries: int):
        return models.PaymentCollectionAttempt.objects.create(
            account=bill.account,
            bill=bill,
            payment_method=accounts_models.PaymentMethod.objects.get(account=bill.account),
            attempt_number=1,
            idempotency_key=f"LOST-{bill.pk}",
            amount=bill.total,
            currency=bill.currency,
            vendor="localpay",
            requested_at=ISSUED_AT,
            tries=tries,
        )

    def test_not_charged_it_ends_failed_without_another_request(self, localpay, dunning):
        bill = _bill()
        self._lost_attempt(bill, tries=dunning.COLLECTION_MAX_TRIES)

        with pytest.raises(operations.CollectionFailed):
            operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)

        attempt = models.PaymentCollectionAttempt.objects.get(bill=bill)
        assert (attempt.status, attempt.next_retry_at) == ("FAILED", ISSUED_AT + HOUR)
        assert localpay.requests() == []

    def test_charged_it_ends_succeeded_with_the_vendors_charge(self, localpay, dunning):
        bill = _bill()
        attempt = self._lost_attempt(bill, tries=dunning.COLLECTION_MAX_TRIES)
        charged = vendors.get_vendor("localpay").charge(
            idempotency_key=attempt.idempotency_key,
            amount=attempt.amount,
            currency=attempt.currency,
            payment_method_reference=attempt.payment_method.vendor_reference,
        )

        done = operations.collect_bill_payment(bill_id=bill.pk, now=ISSUED_AT)

        assert (done.status, done.vendor_reference) == ("SUCCEEDED", charged.reference)
        assert len(localpay.requests()) == 1  # the charge above; the attempt only looked it up
        assert _balance(bill.account) == 0
