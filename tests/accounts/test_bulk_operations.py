import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from accounts import models, operations, queries
from kernel import bulk
from tests.accounts.factories import EPOCH, AccountFactory


@pytest.mark.django_db
class TestPostLedgerEntries:
    def _entry(self, ledger, amount, **kwargs) -> operations.NewLedgerEntry:
        values = {"currency": ledger.currency, "kind": "ADJUSTMENT", "description": "d", "posted_at": EPOCH}
        return operations.NewLedgerEntry(ledger=ledger, amount=amount, **{**values, **kwargs})

    def test_posts_every_entry_with_one_audit_row_each(self):
        first, second = AccountFactory().ledgers.get(), AccountFactory().ledgers.get()

        entries = operations.post_ledger_entries(
            entries=[
                self._entry(first, -500, kind="CHARGE", reference="BILL-1"),
                self._entry(second, 250, kind="CREDIT"),
                self._entry(first, 100, posted_at=EPOCH + dt.timedelta(days=1)),
            ]
        )

        assert queries.ledger_balance(ledger=first) == -400
        assert queries.ledger_balance(ledger=second) == 250
        audits = {a.object_id: a for a in models.AuditEntry.objects.filter(object_type="LedgerEntry")}
        assert set(audits) == {str(e.pk) for e in entries}
        charge = audits[str(entries[0].pk)]
        assert (charge.action, charge.account_id) == ("LEDGER_CHARGE", first.account_id)
        assert charge.data == {"amount": -500, "currency": "GBP", "reference": "BILL-1"}
        assert audits[str(entries[2].pk)].occurred_at == EPOCH + dt.timedelta(days=1)

    def test_refuses_a_currency_other_than_the_ledgers_and_writes_nothing(self):
        ledger = AccountFactory().ledgers.get()

        with pytest.raises(operations.CurrencyMismatch):
            operations.post_ledger_entries(
                entries=[self._entry(ledger, 100), self._entry(ledger, 100, currency="JPY")]
            )

        assert not ledger.entries.exists()

    def test_refuses_a_zero_amount_and_writes_nothing(self):
        ledger = AccountFactory().ledgers.get()

        with pytest.raises(operations.ZeroAmount):
            operations.post_ledger_entries(entries=[self._entry(ledger, 100), self._entry(ledger, 0)])

        assert not ledger.entries.exists()

    def test_posts_a_reference_only_once(self):
        ledger = AccountFactory().ledgers.get()
        operations.post_ledger_entry(
            ledger=ledger,
            amount=-500,
            currency="GBP",
            kind="CHARGE",
            description="Bill",
            posted_at=EPOCH,
            reference="R",
        )

        with pytest.raises(IntegrityError):
            operations.post_ledger_entries(
                entries=[self._entry(ledger, 100), self._entry(ledger, 7, reference="R")]
            )

        assert queries.ledger_balance(ledger=ledger) == -500
        assert models.AuditEntry.objects.filter(object_type="LedgerEntry").count() == 1

    def test_uses_two_statements_whatever_the_count(self, django_assert_num_queries):
        ledgers = [AccountFactory().ledgers.get() for _ in range(3)]

        # savepoint, entries, audit rows, release
        with django_assert_num_queries(4):
            operations.post_ledger_entries(entries=[self._entry(ledger, 100) for ledger in ledgers * 10])


@pytest.mark.django_db
class TestCopyLedgerEntries:
    def _row(self, ledger, amount, currency="GBP") -> operations.LedgerEntryRow:
        entry_id = bulk.reserve_ids(counts={models.LedgerEntry: 1})[models.LedgerEntry][0]
        return operations.LedgerEntryRow(
            id=entry_id,
            ledger_id=ledger.pk,
            account_id=ledger.account_id,
            amount=amount,
            currency=currency,
            kind="OPENING_BALANCE",
            description="d",
            reference="",
            posted_at=EPOCH,
        )

    def test_posts_each_entry_under_its_reserved_id_with_an_audit_row(self):
        ledger = AccountFactory().ledgers.get()
        row = self._row(ledger, -1234)

        operations.copy_ledger_entries(rows=[row], now=EPOCH)

        entry = ledger.entries.get()
        assert (entry.pk, entry.amount, entry.currency) == (row.id, -1234, "GBP")
        audit = models.AuditEntry.objects.get(object_type="LedgerEntry")
        assert (audit.object_id, audit.action, audit.account_id) == (
            str(row.id),
            "LEDGER_OPENING_BALANCE",
            ledger.account_id,
        )

    def test_refuses_a_zero_amount_and_writes_nothing(self):
        ledger = AccountFactory().ledgers.get()

        with pytest.raises(operations.ZeroAmount):
            operations.copy_ledger_entries(rows=[self._row(ledger, 100), self._row(ledger, 0)], now=EPOCH)

        assert not ledger.entries.exists()

    def test_the_database_refuses_a_currency_other_than_the_ledgers(self):
        ledger = AccountFactory().ledgers.get()

        with pytest.raises(IntegrityError), transaction.atomic():
            operations.copy_ledger_entries(rows=[self._row(ledger, 100, currency="JPY")], now=EPOCH)

        assert not ledger.entries.exists()
