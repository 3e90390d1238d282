"""Statements as Kraken shows them, written by the billing engine and read as plain data."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from accounts import queries as accounts_queries
from billing import models, operations, queries
from kernel import ranges
from tests.accounts.factories import EPOCH
from tests.billing.factories import billable_account

FEB, MAR = EPOCH.replace(month=2), EPOCH.replace(month=3)
JAN_ISSUED = dt.datetime(2024, 2, 2, 9, tzinfo=dt.UTC)
PAID = dt.datetime(2024, 2, 12, 9, tzinfo=dt.UTC)
FEB_ISSUED = dt.datetime(2024, 3, 2, 9, tzinfo=dt.UTC)


def _two_months(localpay, **account):
    account = billable_account(payment_method=True, **account)
    register = account.agreements.get().meter_point.meters.get().registers.get()
    register.readings.create(read_at=MAR, value=1600, source="SMART")
    january = operations.issue_bill(account=account, period=ranges.Period(EPOCH, FEB), issued_at=JAN_ISSUED)
    operations.collect_bill_payment(bill_id=january.pk, now=PAID)
    february = operations.issue_bill(account=account, period=ranges.Period(FEB, MAR), issued_at=FEB_ISSUED)
    return account, january, february


@pytest.mark.django_db
class TestStatements:
    def test_carry_balances_forward_and_hold_the_payments_received_between_them(self, localpay):
        account, january, february = _two_months(localpay)

        first, second = reversed(queries.statements_of_accounts(account_ids=[account.pk])[account.pk])

        assert (first.opening_balance, first.closing_balance) == (0, -january.total)
        assert [(t.kind, t.amount) for t in first.transactions] == [("CHARGE", -january.total)]
        assert second.opening_balance == first.closing_balance
        assert [(t.kind, t.amount, t.balance_carried_forward) for t in second.transactions] == [
            ("PAYMENT", january.total, 0),
            ("CHARGE", -february.total, -february.total),
        ]
        assert second.closing_balance == -february.total == accounts_queries.account_balance(account=account)

    def test_total_charges_and_credits_with_net_tax_and_gross(self, localpay):
        account, january, february = _two_months(localpay)

        statement = queries.get_statement(account=account, statement_id=february.pk)

        assert statement.status == queries.CLOSED
        assert statement.total_charges == queries.Amounts(february.subtotal, february.tax, february.total)
        assert statement.total_credits == queries.Amounts(january.total, 0, january.total)
        charge = statement.transactions[-1]
        assert (charge.bill_id, charge.amounts.net, charge.amounts.tax) == (
            february.pk,
            february.subtotal,
            february.tax,
        )
        assert statement.closing_balance == (
            statement.opening_balance - statement.total_charges.gross + statement.total_credits.gross
        )

    def test_are_due_fourteen_days_after_issue(self, localpay):
        account, _, february = _two_months(localpay)

        assert queries.get_statement(account=account, statement_id=february.pk).payment_due_date == dt.date(
            2024, 3, 16
        )

    def test_group_their_lines_by_agreement_with_the_tax_on_its_own(self, localpay):
        account, january, _ = _two_months(localpay)

        statement = queries.get_statement(account=account, statement_id=january.pk)

        agreement = account.agreements.get()
        assert [
            (group.agreement_id, [item.kind for item in group.line_items]) for group in statement.agreements
        ] == [
            (agreement.pk, ["STANDING_CHARGE", "CONSUMPTION"]),
            (None, ["TAX"]),
        ]
        assert statement.agreements[0].tariff_code == agreement.tariff.code
        assert sum(group.net_amount for group in statement.agreements) == january.total

    def test_the_open_statement_holds_what_was_posted_since_the_last_one(self, localpay):
        account, _, february = _two_months(localpay)
        operations.collect_bill_payment(bill_id=february.pk, now=FEB_ISSUED + dt.timedelta(days=9))
        ledger = account.ledgers.get()
        accounts_operations.post_ledger_entry(
            ledger=ledger,
            amount=500,
            currency="GBP",
            kind=accounts_models.LedgerEntryKind.CREDIT,
            description="Goodwill",
            posted_at=FEB_ISSUED + dt.timedelta(days=10),
        )

        current = queries.open_statement(account=account, as_of=FEB_ISSUED + dt.timedelta(days=11))

        assert current.status == queries.OPEN
        assert current.opening_balance == -february.total
        assert [t.kind for t in current.transactions] == ["PAYMENT", "CREDIT"]
        assert current.closing_balance == 500 == accounts_queries.account_balance(account=account)

    def test_a_balance_brought_from_the_previous_supplier_is_on_the_first_statement(self, localpay):
        account = billable_account()
        accounts_operations.post_ledger_entry(
            ledger=account.ledgers.get(),
            amount=-1234,
            currency="GBP",
            kind=accounts_models.LedgerEntryKind.OPENING_BALANCE,
            description="Balance transferred from previous supplier",
            posted_at=EPOCH,
        )

        bill = operations.issue_bill(account=account, period=ranges.Period(EPOCH, FEB), issued_at=JAN_ISSUED)

        statement = queries.get_statement(account=account, statement_id=bill.pk)
        assert [(t.kind, t.amount) for t in statement.transactions] == [
            ("CHARGE", -1234),
            ("CHARGE", -bill.total),
        ]
        assert statement.closing_balance == -1234 - bill.total

    def test_read_many_accounts_in_a_constant_number_of_queries(self, localpay, django_assert_num_queries):
        accounts = [_two_months(localpay)[0] for _ in range(3)]

        with django_assert_num_queries(3):
            statements = queries.statements_of_accounts(account_ids=[account.pk for account in accounts])

        assert [len(statements[account.pk]) for account in accounts] == [2, 2, 2]


@pytest.mark.django_db
class TestRepresentBillPayment:
    def test_presents_a_declined_direct_debit_again_and_records_a_re_presentation(self, localpay):
        account = billable_account(payment_method=True)
        bill = operations.issue_bill(account=account, period=ranges.Period(EPOCH, FEB), issued_at=JAN_ISSUED)
        localpay.behave(mode="decline")
        with pytest.raises(operations.PaymentDeclined):
            operations.collect_bill_payment(bill_id=bill.pk, now=PAID)

        attempt = operations.represent_bill_payment(bill_id=bill.pk, now=PAID + dt.timedelta(days=3))

        assert (attempt.attempt_number, attempt.status) == (2, "SUCCEEDED")
        assert attempt.payment.transaction_type == models.PaymentTransactionType.DD_RE_PRESENTATION
        assert [a.status for a in bill.collection_attempts.order_by("attempt_number")] == [
            "DECLINED",
            "SUCCEEDED",
        ]
        assert accounts_queries.account_balance(account=account) == 0

    def test_refuses_a_bill_whose_collection_was_not_declined(self, localpay):
        account = billable_account(payment_method=True)
        bill = operations.issue_bill(account=account, period=ranges.Period(EPOCH, FEB), issued_at=JAN_ISSUED)

        with pytest.raises(operations.NotDeclined):
            operations.represent_bill_payment(bill_id=bill.pk, now=PAID)

        assert localpay.requests() == []


@pytest.mark.django_db
class TestCollectBillPayments:
    def test_collects_many_bills_at_once_each_with_its_own_outcome(self, localpay):
        bills = [
            operations.issue_bill(
                account=billable_account(payment_method=True),
                period=ranges.Period(EPOCH, FEB),
                issued_at=JAN_ISSUED,
            )
            for _ in range(3)
        ]
        no_method = operations.issue_bill(
            account=billable_account(), period=ranges.Period(EPOCH, FEB), issued_at=JAN_ISSUED
        )
        localpay.behave(mode="decline")

        outcomes = operations.collect_bill_payments(bill_ids=[b.pk for b in [*bills, no_method]], now=PAID)

        statuses = sorted(o.attempt.status for o in outcomes if o.attempt)
        assert statuses == ["DECLINED", "SUCCEEDED", "SUCCEEDED"]
        assert sum(isinstance(o.error, operations.PaymentDeclined) for o in outcomes) == 1
        assert isinstance(outcomes[-1].error, operations.NoActivePaymentMethod)
        assert len(localpay.charges()) == 2
        assert models.Payment.objects.filter(bill__in=bills).count() == 2

    def test_refuse_a_charge_for_a_bill_other_than_their_own(self, localpay):
        # The constraint stands in for `charged_bill`'s foreign key: the statement's key holds it.
        _, january, february = _two_months(localpay)
        charge = models.StatementTransaction.objects.get(statement=february, charged_bill=february)

        with pytest.raises(IntegrityError, match="charge_is_on_its_own_bill"), transaction.atomic():
            models.StatementTransaction.objects.filter(pk=charge.pk).update(charged_bill=january)
