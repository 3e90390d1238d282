"""The data rules of DESIGN.md hold in the database, whatever the caller."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError, connection, models, transaction

from accounts import models as account_models
from accounts import operations
from tests.accounts.factories import EPOCH, AccountFactory, LedgerEntryFactory


@pytest.mark.django_db
class TestLedgerEntry:
    def test_cannot_be_updated_through_the_orm(self):
        entry = LedgerEntryFactory()

        with pytest.raises(account_models.AppendOnlyError):
            entry.save()
        with pytest.raises(account_models.AppendOnlyError):
            account_models.LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)

    def test_cannot_be_deleted_through_the_orm(self):
        entry = LedgerEntryFactory()

        with pytest.raises(account_models.AppendOnlyError):
            entry.delete()
        with pytest.raises(account_models.AppendOnlyError):
            account_models.LedgerEntry.objects.filter(pk=entry.pk).delete()

    def test_is_refused_update_and_delete_by_the_database_itself(self):
        entry = LedgerEntryFactory()

        for statement in (
            "UPDATE accounts_ledgerentry SET amount = 1 WHERE id = %s",
            "DELETE FROM accounts_ledgerentry WHERE id = %s",
        ):
            with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement, [entry.pk])

        entry.refresh_from_db()
        assert entry.amount == -1000

    def test_currency_must_be_the_ledgers_in_the_database(self):
        ledger = AccountFactory(currency="GBP").ledgers.get()

        with pytest.raises(IntegrityError), transaction.atomic():
            account_models.LedgerEntry.objects.create(
                ledger=ledger, amount=-100, currency="JPY", kind="CHARGE", description="x", posted_at=EPOCH
            )

    def test_currency_mismatch_is_refused_by_the_operation(self):
        ledger = AccountFactory(currency="GBP").ledgers.get()

        with pytest.raises(operations.CurrencyMismatch):
            operations.post_ledger_entry(
                ledger=ledger, amount=-100, currency="EUR", kind="CHARGE", description="x", posted_at=EPOCH
            )

        assert not ledger.entries.exists()


@pytest.mark.django_db
class TestAccountNumber:
    def test_is_public_and_not_the_primary_key(self):
        account = AccountFactory()

        assert re.fullmatch(r"A-[0-9A-F]{8}", account.number)
        assert account.number != str(account.pk)

    def test_is_unique_in_the_database(self):
        account = AccountFactory()

        with pytest.raises(IntegrityError), transaction.atomic():
            AccountFactory(number=account.number)

    def test_must_have_the_public_format(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            AccountFactory(number="12345")

    def test_create_account_opens_an_energy_ledger_and_audits(self):
        account = operations.create_account(billing_name="Ada", currency="GBP", created_at=EPOCH)

        assert account.ledgers.get().currency == "GBP"
        assert account_models.AuditEntry.objects.filter(account=account, action="ACCOUNT_CREATED").exists()


def test_no_money_column_is_a_float():
    from django.apps import apps

    floats = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FloatField)
    ]

    assert floats == []


def test_periods_are_timezone_aware():
    from kernel.ranges import Period

    with pytest.raises(ValueError, match="timezone-aware"):
        Period(dt.datetime(2024, 1, 1))
