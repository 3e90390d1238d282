"""Statements in the customer graph: balances, status, due date, totals and transactions, as the
billing engine wrote them."""

import datetime as dt

import pytest

from accounts import queries as accounts_queries
from tests.accounts.factories import AccountUserRoleFactory
from tests.billing.test_statements import _two_months
from tests.graphql.conftest import queries_for, token_for

STATEMENTS = """query($n: String!) { account(accountNumber: $n) {
  balance
  bills(first: 10) { edges { node { id ... on StatementType {
    openingBalance closingBalance status paymentDueDate heldStatus { isHeld reason }
    totalCharges { netTotal taxTotal grossTotal } totalCredits { netTotal taxTotal grossTotal }
    transactions(first: 10) { totalCount edges { node {
      __typename amount balanceCarriedForward isCredit
      amounts { net tax gross }
    } } }
  } } } }
} }"""


@pytest.fixture
def statements(authed, viewer, localpay):
    account, january, february = _two_months(localpay)
    AccountUserRoleFactory(user=viewer, account=account)
    authed.token = token_for(viewer)
    return account, january, february


@pytest.mark.django_db
class TestStatementsInTheGraph:
    def test_carry_their_balances_forward_to_the_account_balance(self, authed, statements):
        account, january, february = statements

        data = authed.ok(STATEMENTS, {"n": account.number})["account"]

        newest, oldest = (edge["node"] for edge in data["bills"]["edges"])
        assert (oldest["openingBalance"], oldest["closingBalance"]) == (0, -january.total)
        assert newest["openingBalance"] == oldest["closingBalance"]
        assert (
            newest["closingBalance"] == data["balance"] == accounts_queries.account_balance(account=account)
        )
        assert newest["status"] == oldest["status"] == "CLOSED"
        assert newest["paymentDueDate"] == dt.date(2024, 3, 16).isoformat()
        assert newest["heldStatus"] == {"isHeld": False, "reason": None}

    def test_total_charges_and_credits_with_net_tax_and_gross(self, authed, statements):
        account, january, february = statements

        newest = authed.ok(STATEMENTS, {"n": account.number})["account"]["bills"]["edges"][0]["node"]

        assert newest["totalCharges"] == {
            "netTotal": february.subtotal,
            "taxTotal": february.tax,
            "grossTotal": february.total,
        }
        assert newest["totalCredits"] == {
            "netTotal": january.total,
            "taxTotal": 0,
            "grossTotal": january.total,
        }

    def test_list_their_transactions_in_posting_order_with_running_balances(self, authed, statements):
        account, january, february = statements

        newest = authed.ok(STATEMENTS, {"n": account.number})["account"]["bills"]["edges"][0]["node"]

        transactions = newest["transactions"]
        assert transactions["totalCount"] == 2
        assert [
            (e["node"]["__typename"], e["node"]["amount"], e["node"]["balanceCarriedForward"])
            for e in transactions["edges"]
        ] == [("Payment", january.total, 0), ("Charge", february.total, -february.total)]
        assert transactions["edges"][1]["node"]["amounts"] == {
            "net": february.subtotal,
            "tax": february.tax,
            "gross": february.total,
        }

    def test_cost_the_same_queries_for_one_statement_as_for_two(self, authed, statements):
        account, _, _ = statements
        one = STATEMENTS.replace("bills(first: 10)", "bills(first: 1)")

        few, few_data = queries_for(authed, one, {"n": account.number})
        more, more_data = queries_for(authed, STATEMENTS, {"n": account.number})

        assert len(few_data["account"]["bills"]["edges"]) == 1
        assert len(more_data["account"]["bills"]["edges"]) == 2
        assert more == few
