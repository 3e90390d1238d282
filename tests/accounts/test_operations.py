import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import models, operations, queries
from tests.accounts.factories import EPOCH, AccountFactory

amounts = st.integers(min_value=-10_000_000, max_value=10_000_000).filter(bool)


@pytest.mark.django_db
class TestPostLedgerEntry:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(postings=st.lists(amounts, min_size=1, max_size=25))
    def test_balance_is_always_the_sum_of_the_entries(self, postings):
        ledger = AccountFactory().ledgers.get()

        for index, amount in enumerate(postings):
            operations.post_ledger_entry(
                ledger=ledger,
                amount=amount,
                currency="GBP",
                kind="ADJUSTMENT",
                description="p",
                posted_at=EPOCH + dt.timedelta(minutes=index),
            )

        assert queries.ledger_balance(ledger=ledger) == sum(postings)
        assert queries.account_balance(account=ledger.account) == sum(postings)
        assert [entry.amount for entry in ledger.entries.order_by("posted_at")] == postings

    def test_refuses_a_zero_amount(self):
        ledger = AccountFactory().ledgers.get()

        with pytest.raises(operations.ZeroAmount):
            operations.post_ledger_entry(
                ledger=ledger, amount=0, currency="GBP", kind="CREDIT", description="x", posted_at=EPOCH
            )

    def test_posts_a_reference_only_once(self):
        from django.db import IntegrityError

        ledger = AccountFactory().ledgers.get()
        kwargs = dict(
            ledger=ledger, amount=-500, currency="GBP", kind="CHARGE", description="Bill", posted_at=EPOCH
        )
        operations.post_ledger_entry(reference="BILL-1", **kwargs)

        with pytest.raises(IntegrityError):
            operations.post_ledger_entry(reference="BILL-1", **kwargs)

        assert queries.ledger_balance(ledger=ledger) == -500

    def test_leaves_an_audit_row(self):
        ledger = AccountFactory().ledgers.get()

        entry = operations.post_ledger_entry(
            ledger=ledger, amount=250, currency="GBP", kind="CREDIT", description="Goodwill", posted_at=EPOCH
        )

        audit = models.AuditEntry.objects.get(object_type="LedgerEntry", object_id=str(entry.pk))
        assert audit.data == {"amount": 250, "currency": "GBP", "reference": ""}


class TestMoney:
    def test_rounds_half_up_to_minor_units(self):
        from decimal import Decimal

        from kernel import money

        assert money.to_minor_units(amount=Decimal("0.125"), currency="GBP") == 13
        assert money.to_minor_units(amount=Decimal("0.135"), currency="GBP") == 14
        assert money.to_minor_units(amount=Decimal("-0.125"), currency="GBP") == -13
        assert money.to_minor_units(amount=Decimal("100.5"), currency="JPY") == 101
        assert money.round_minor_units(Decimal("2.5")) == 3

    def test_refuses_floats(self):
        from kernel import money

        with pytest.raises(TypeError):
            money.to_minor_units(amount=0.1, currency="GBP")
