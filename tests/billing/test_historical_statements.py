import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts import models as accounts_models
from billing import models, operations
from tests.accounts.factories import EPOCH, AccountFactory
from tests.billing.factories import BillFactory

LONDON = ZoneInfo("Europe/London")


def statement(statement_id="S-1", first=dt.date(2022, 1, 1), last=dt.date(2022, 1, 31), **kwargs):
    return operations.HistoricalStatement(statement_id=statement_id, first_day=first, last_day=last, **kwargs)


@pytest.mark.django_db
class TestImportHistoricalStatements:
    def test_records_each_statement_as_a_pre_kraken_bill_over_whole_local_days(self):
        account = AccountFactory()

        bills = operations.import_historical_statements(
            account=account,
            statements=[
                statement(
                    issued_on=dt.date(2022, 2, 2), number="7", gross_amount=10000, document_path="s/1.pdf"
                ),
                statement("S-2", dt.date(2022, 6, 1), dt.date(2022, 6, 30)),
            ],
            tz=LONDON,
            imported_at=EPOCH,
        )

        first, summer = (models.Bill.objects.get(pk=bill.pk) for bill in bills)
        assert first.bill_type == models.BillType.PRE_KRAKEN
        assert (first.period_start, first.period_end) == (
            dt.datetime(2022, 1, 1, tzinfo=LONDON),
            dt.datetime(2022, 2, 1, tzinfo=LONDON),
        )
        assert summer.period_start == dt.datetime(2022, 5, 31, 23, tzinfo=dt.UTC)
        assert (first.total, first.subtotal, first.tax, first.currency) == (10000, 10000, 0, "GBP")
        assert (first.external_identifier, first.external_number, first.document_path) == (
            "S-1",
            "7",
            "s/1.pdf",
        )
        assert first.issued_at == dt.datetime(2022, 2, 2, tzinfo=LONDON)
        assert summer.issued_at == summer.period_end
        assert not first.lines.exists()
        assert not accounts_models.LedgerEntry.objects.filter(ledger__account=account).exists()
        audit = accounts_models.AuditEntry.objects.get(action="HISTORICAL_STATEMENTS_IMPORTED")
        assert audit.data == {"statement_ids": ["S-1", "S-2"], "bill_ids": [first.pk, summer.pk]}

    def test_refuses_a_statement_id_the_account_has_and_writes_nothing(self):
        account = AccountFactory()
        operations.import_historical_statements(
            account=account, statements=[statement()], tz=LONDON, imported_at=EPOCH
        )

        with pytest.raises(operations.HistoricalStatementExists):
            operations.import_historical_statements(
                account=account,
                statements=[statement("S-2", dt.date(2022, 3, 1), dt.date(2022, 3, 31)), statement()],
                tz=LONDON,
                imported_at=EPOCH,
            )

        assert list(account.bills.values_list("external_identifier", flat=True)) == ["S-1"]
        assert accounts_models.AuditEntry.objects.filter(action="HISTORICAL_STATEMENTS_IMPORTED").count() == 1

    def test_lets_another_account_use_the_same_statement_id(self):
        operations.import_historical_statements(
            account=AccountFactory(), statements=[statement()], tz=LONDON, imported_at=EPOCH
        )

        bills = operations.import_historical_statements(
            account=AccountFactory(), statements=[statement()], tz=LONDON, imported_at=EPOCH
        )

        assert bills[0].pk

    def test_refuses_a_period_the_account_was_billed_for(self):
        bill = BillFactory()

        with pytest.raises(operations.AlreadyBilled):
            operations.import_historical_statements(
                account=bill.account,
                statements=[statement(first=dt.date(2024, 1, 15), last=dt.date(2024, 2, 14))],
                tz=LONDON,
                imported_at=EPOCH,
            )

        assert bill.account.bills.count() == 1

    def test_refuses_a_period_that_ends_before_it_starts(self):
        account = AccountFactory()

        with pytest.raises(operations.InvalidStatementPeriod):
            operations.import_historical_statements(
                account=account,
                statements=[statement(first=dt.date(2022, 2, 1), last=dt.date(2022, 1, 31))],
                tz=LONDON,
                imported_at=EPOCH,
            )

        assert not account.bills.exists()

    def test_counts_a_one_day_statement_as_that_whole_day(self):
        bills = operations.import_historical_statements(
            account=AccountFactory(),
            statements=[statement(first=dt.date(2022, 3, 27), last=dt.date(2022, 3, 27))],
            tz=LONDON,
            imported_at=EPOCH,
        )

        assert bills[0].period_end.astimezone(dt.UTC) - bills[0].period_start == dt.timedelta(
            hours=23
        )  # the clocks go forward
