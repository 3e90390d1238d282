import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from accounts import models, operations, queries
from kernel import bulk
from tests.accounts.factories import EPOCH, AccountFactory, AddressFactory


def _rows(count: int, **kwargs) -> list[operations.NewAccount]:
    return [
        operations.NewAccount(billing_name=f"Customer {n}", currency="GBP", **kwargs) for n in range(count)
    ]


@pytest.mark.django_db
class TestCreateAccounts:
    def test_creates_each_account_with_its_energy_ledger_and_audit_row(self):
        address = AddressFactory()
        rows = [
            operations.NewAccount(billing_name="Ann", currency="GBP", billing_address=address),
            operations.NewAccount(
                billing_name="Ken",
                currency="JPY",
                account_type=models.AccountType.BUSINESS,
                number="A-0000AB12",
            ),
        ]

        accounts = operations.create_accounts(rows=rows, created_at=EPOCH)

        assert [a.billing_name for a in accounts] == ["Ann", "Ken"]
        assert accounts[0].billing_address == address
        assert accounts[1].number == "A-0000AB12"
        assert accounts[1].account_type == models.AccountType.BUSINESS
        for account in accounts:
            account.refresh_from_db()
            ledger = account.ledgers.get()
            assert (ledger.ledger_type, ledger.currency) == (models.LedgerType.ENERGY, account.currency)
            audit = models.AuditEntry.objects.get(object_type="Account", object_id=str(account.pk))
            assert (audit.action, audit.account_id, audit.occurred_at) == (
                "ACCOUNT_CREATED",
                account.pk,
                EPOCH,
            )

    def test_uses_a_constant_number_of_queries_whatever_the_count(self, django_assert_num_queries):
        # savepoint, accounts, ledgers, audit rows, release
        with django_assert_num_queries(5):
            operations.create_accounts(rows=_rows(3), created_at=EPOCH)
        with django_assert_num_queries(5):
            operations.create_accounts(rows=_rows(60), created_at=EPOCH)

    def test_writes_nothing_when_a_given_number_is_taken(self):
        AccountFactory(number="A-0000AB12")
        rows = [*_rows(2), operations.NewAccount(billing_name="Dup", currency="GBP", number="A-0000AB12")]

        with pytest.raises(IntegrityError):
            operations.create_accounts(rows=rows, created_at=EPOCH)

        assert not models.Account.objects.filter(billing_name__startswith="Customer").exists()
        assert not models.AuditEntry.objects.filter(action="ACCOUNT_CREATED").exists()

    def test_draws_new_numbers_when_a_fresh_one_clashes(self, monkeypatch):
        taken = AccountFactory(number="A-0000AB12")
        digits = iter(["0000ab12", "0000ab13", "0000ab14", "0000ab15"])
        monkeypatch.setattr(models.secrets, "token_hex", lambda nbytes: next(digits))

        accounts = operations.create_accounts(rows=_rows(2), created_at=EPOCH)

        assert [a.number for a in accounts] == ["A-0000AB14", "A-0000AB15"]
        assert models.Account.objects.filter(number="A-0000AB12").get() == taken

    def test_returns_nothing_for_no_rows(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert operations.create_accounts(rows=[], created_at=EPOCH) == []


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
