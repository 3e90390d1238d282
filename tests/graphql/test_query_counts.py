from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.accounts.factories import AccountUserRoleFactory, LedgerEntryFactory, PropertyFactory, UserFactory
from tests.billing.factories import AgreementFactory, BillFactory, TariffRateFactory
from tests.graphql.conftest import token_for
from tests.metering.factories import MeterPointFactory

ACCOUNT_GRAPH = """query($n: String!) { account(accountNumber: $n) {
  number
  properties { postcode
    electricityMeterPoints { mpan meters { serialNumber registers { identifier } }
      agreements { id validFrom validTo
        tariff { __typename ... on StandardTariff { tariffCode unitRate standingCharge displayName } } } } } } }"""

VIEWER_GRAPH = """{ viewer { accounts { ... on AccountType {
  number balance users { email }
  bills(first: 5) { totalCount edges { node { id fromDate toDate ... on StatementType { totalCharges { grossTotal } } } } }
  transactions(first: 5) { totalCount edges { node { __typename amount postedDate } } } } } } }"""


def queries_for(gql, query, variables=None):
    with CaptureQueriesContext(connection) as captured:
        data = gql.ok(query, variables)
    return len(captured), data


def add_properties(account, count):
    rate = TariffRateFactory()
    for _ in range(count):
        mp = MeterPointFactory(property=PropertyFactory(account=account))
        AgreementFactory(
            account=account,
            meter_point=mp,
            tariff=TariffRateFactory(tariff__product=rate.tariff.product).tariff,
        )


def add_accounts(viewer, count):
    for _ in range(count):
        account = AccountUserRoleFactory(user=viewer).account
        BillFactory(account=account)
        LedgerEntryFactory(ledger=account.ledgers.get())


class TestQueryCounts:
    def test_account_graph_costs_the_same_for_1_and_50_properties(self, authed, account, viewer):
        add_properties(account, 1)
        other = AccountUserRoleFactory(user=viewer).account
        add_properties(other, 50)

        one, small = queries_for(authed, ACCOUNT_GRAPH, {"n": account.number})
        fifty, large = queries_for(authed, ACCOUNT_GRAPH, {"n": other.number})

        assert len(small["account"]["properties"]) == 1
        assert len(large["account"]["properties"]) == 50
        assert all(
            p["electricityMeterPoints"][0]["agreements"][0]["tariff"]["unitRate"]
            for p in large["account"]["properties"]
        )
        assert one == fifty

    def test_viewer_accounts_with_bills_and_transactions_cost_the_same_for_1_and_50_accounts(self, gql, db):
        small_user, large_user = UserFactory(), UserFactory()
        add_accounts(small_user, 1)
        add_accounts(large_user, 50)

        gql.token = token_for(small_user)
        one, small = queries_for(gql, VIEWER_GRAPH)
        gql.token = token_for(large_user)
        fifty, large = queries_for(gql, VIEWER_GRAPH)

        assert len(small["viewer"]["accounts"]) == 1
        assert len(large["viewer"]["accounts"]) == 50
        assert all(
            a["bills"]["totalCount"] == 1 and a["transactions"]["edges"] for a in large["viewer"]["accounts"]
        )
        assert one == fifty

    def test_account_graph_stays_under_a_fixed_budget(self, authed, account, django_assert_max_num_queries):
        add_properties(account, 3)

        with django_assert_max_num_queries(12):
            authed.ok(ACCOUNT_GRAPH, {"n": account.number})
