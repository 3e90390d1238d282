"""Dates in the customer graph are days on the platform's wall clock (Europe/London), not UTC's: a
summer month's bill runs from 23:00 UTC on the last day of the month before."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.accounts.factories import LedgerEntryFactory
from tests.billing.factories import BillFactory

LONDON = ZoneInfo("Europe/London")
BILLS = """query($n: String!) { account(accountNumber: $n) {
  bills(first: 1) { edges { node { fromDate toDate issuedDate
    ... on StatementType { consumptionStartDate consumptionEndDate } } } }
  transactions(first: 1) { edges { node { postedDate } } } } }"""


@pytest.mark.django_db
class TestBillDates:
    def test_a_summer_months_statement_shows_its_london_days(self, authed, account):
        july = dt.datetime(2025, 7, 1, tzinfo=LONDON)
        august = dt.datetime(2025, 8, 1, tzinfo=LONDON)
        issued = dt.datetime(2025, 8, 1, 0, 30, tzinfo=LONDON)  # 23:30 UTC on 31 July
        BillFactory(account=account, period_start=july, period_end=august, issued_at=issued)
        LedgerEntryFactory(ledger=account.ledgers.get(), amount=-10500, posted_at=issued)

        data = authed.ok(BILLS, {"n": account.number})["account"]

        [bill] = [edge["node"] for edge in data["bills"]["edges"]]
        assert bill == {
            "fromDate": "2025-07-01",
            "toDate": "2025-08-01",
            "issuedDate": "2025-08-01",
            "consumptionStartDate": "2025-07-01",
            "consumptionEndDate": "2025-08-01",
        }
        assert data["transactions"]["edges"][0]["node"]["postedDate"] == "2025-08-01"
