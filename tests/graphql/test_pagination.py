import datetime as dt

import pytest

from accounts import models
from tests.accounts.factories import EPOCH
from tests.graphql.conftest import error_code

TRANSACTIONS = """query($n: String!, $first: Int, $last: Int, $after: String, $before: String) {
  account(accountNumber: $n) {
    transactions(first: $first, last: $last, after: $after, before: $before, orderBy: POSTED_DATE_ASC) {
      totalCount edgeCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { title balanceCarriedForward } }
    }
  }
}"""


def post_entries(account, count):
    ledger = account.ledgers.get()
    models.LedgerEntry.objects.bulk_create(
        models.LedgerEntry(
            ledger=ledger,
            amount=-100,
            currency="GBP",
            kind=models.LedgerEntryKind.CHARGE,
            description=f"Charge {i:03d}",
            posted_at=EPOCH + dt.timedelta(days=i),
        )
        for i in range(count)
    )


def page(authed, account, **args):
    return authed.ok(TRANSACTIONS, {"n": account.number, **args})["account"]["transactions"]


class TestConnections:
    @pytest.fixture(autouse=True)
    def generous_limits(self, settings):
        settings.GRAPHQL_MAX_COMPLEXITY = 1000  # limits are tested in test_bad_input.py

    def test_walk_forward_with_first_and_after(self, authed, account):
        post_entries(account, 5)

        one = page(authed, account, first=2)
        two = page(authed, account, first=2, after=one["pageInfo"]["endCursor"])
        three = page(authed, account, first=2, after=two["pageInfo"]["endCursor"])

        titles = [e["node"]["title"] for p in (one, two, three) for e in p["edges"]]
        assert titles == [f"Charge {i:03d}" for i in range(5)]
        assert (one["totalCount"], one["edgeCount"], three["edgeCount"]) == (5, 2, 1)
        assert one["pageInfo"]["hasNextPage"] and not one["pageInfo"]["hasPreviousPage"]
        assert not three["pageInfo"]["hasNextPage"] and three["pageInfo"]["hasPreviousPage"]
        assert [e["node"]["balanceCarriedForward"] for e in one["edges"]] == [-100, -200]

    def test_walk_backward_with_last_and_before(self, authed, account):
        post_entries(account, 5)

        tail = page(authed, account, last=2)
        before = page(authed, account, last=2, before=tail["pageInfo"]["startCursor"])

        assert [e["node"]["title"] for e in tail["edges"]] == ["Charge 003", "Charge 004"]
        assert [e["node"]["title"] for e in before["edges"]] == ["Charge 001", "Charge 002"]

    def test_without_first_or_last_returns_at_most_100(self, authed, account):
        post_entries(account, 101)

        result = page(authed, account)

        assert (result["totalCount"], result["edgeCount"]) == (101, 100)
        assert result["pageInfo"]["hasNextPage"]

    def test_first_above_100_is_a_validation_error(self, authed, account):
        status, body = authed(TRANSACTIONS, {"n": account.number, "first": 101})

        assert status == 200
        assert body["errors"][0]["extensions"]["errorType"] == "VALIDATION"
        assert body["data"]["account"]["transactions"] is None

    def test_negative_first_and_bad_cursors_are_validation_errors(self, authed, account):
        bodies = [
            authed(TRANSACTIONS, {"n": account.number, **args})[1]
            for args in ({"first": -1}, {"after": "not-a-cursor"}, {"last": -3})
        ]

        assert [error_code(b) for b in bodies] == ["KT-CT-4321"] * 3

    def test_empty_connection(self, authed, account):
        result = page(authed, account, first=10)

        assert result["edges"] == [] and result["totalCount"] == 0
        assert result["pageInfo"]["startCursor"] is None
