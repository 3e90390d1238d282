"""The cost limits on both sides: what public clients send is accepted with their page sizes, what a
hostile client sends is refused before anything runs (kraken/graphql/limits.py)."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql import get_introspection_query, parse, validate

from kraken.graphql import limits, schema
from tests.graphql.client_operations import OPERATIONS
from tests.graphql.conftest import error_code

SCHEMA = schema.schema.graphql_schema
LIMIT_CODES = {"KT-CT-1188", "KT-CT-1189"}
# Codes that say the request itself was refused or broke, whatever the data.
REFUSALS = LIMIT_CODES | {"KT-CT-1101", "KT-CT-1102", "KT-CT-1103", "KT-CT-1199"}


def score(query: str, variables: dict | None = None) -> limits.Score:
    return limits.measure(SCHEMA, parse(query), None, variables)


def codes(body) -> set[str]:
    return {(e.get("extensions") or {}).get("errorCode") for e in body.get("errors") or []}


class TestClientOperations:
    @pytest.mark.parametrize("operation", OPERATIONS, ids=[op.name for op in OPERATIONS])
    def test_are_valid_against_the_schema_and_within_every_limit(self, operation):
        document = parse(operation.query)

        problems = validate(SCHEMA, document)
        measured = limits.measure(SCHEMA, document, None, operation.variables)

        assert problems == []
        limits.check(measured)

    @pytest.mark.parametrize("operation", OPERATIONS, ids=[op.name for op in OPERATIONS])
    def test_are_answered_without_refusal(self, authed, account, operation):
        variables = {
            name: account.number if name in ("account", "accountNumber") else value
            for name, value in operation.variables.items()
        }

        status, body = authed(operation.query, variables)

        assert status == 200
        assert not codes(body) & REFUSALS, body.get("errors")

    def test_a_page_inside_a_page_of_a_real_client_fits_the_node_limit(self):
        bills_and_transactions = next(op for op in OPERATIONS if op.name == "sparko-bills-and-transactions")

        measured = score(bills_and_transactions.query, bills_and_transactions.variables)

        assert 20 * 100 * 2 < measured.nodes <= limits.max_nodes()


class TestComplexity:
    def test_an_object_field_is_one_batched_read_wherever_it_is(self):
        query = "{ viewer { accounts { ... on AccountType { properties { postcode } } } } }"

        assert score(query).complexity == 3

    def test_scalars_and_connection_wrappers_cost_nothing(self):
        query = "{ viewer { email accounts { bills(first: 10) { pageInfo { hasNextPage } edges { node { id } } } } } }"

        assert score(query).complexity == 1 + 1 + 1 + 1

    def test_a_connection_adds_its_pages_of_100_rows_for_all_its_parents(self):
        query = """{ viewer { accounts { bills(first: 100) { edges { node {
            ... on StatementType { transactions(first: 50) { edges { node { id } } } } } } } } } }"""

        # viewer, accounts, bills (1 read + 1 page), transactions (1 read + 100 × 50 / 100 pages)
        assert score(query).complexity == 1 + 1 + (1 + 1) + (1 + 50)

    def test_takes_page_sizes_from_variables(self):
        query = "query($n: Int) { viewer { accounts { bills(first: $n) { edges { node { id } } } } } }"

        assert score(query, {"n": 3}).nodes < score(query, {"n": 30}).nodes

    def test_is_what_query_complexity_answers(self, authed):
        query = (
            "{ viewer { accounts { ... on AccountType { bills(first: 10) { edges { node { id } } } } } } }"
        )

        data = authed.ok(
            "query($q: String!) { queryComplexity(input: {query: $q}) { complexityValue } }", {"q": query}
        )

        assert data["queryComplexity"]["complexityValue"] == score(query).complexity == 4


class TestHostileQueries:
    def test_a_connection_of_100_nested_in_a_connection_of_100_is_refused(self, authed, account):
        query = """query($n: String!) { account(accountNumber: $n) { bills(first: 100) { edges { node {
            ... on StatementType { transactions(first: 100) { edges { node { id } } } } } } } } }"""

        with CaptureQueriesContext(connection) as ran:
            status, body = authed(query, {"n": account.number})

        assert status == 200 and body["data"] is None
        assert error_code(body) in LIMIT_CODES
        assert not [q for q in ran.captured_queries if "billing_bill" in q["sql"]]

    def test_deep_nesting_of_connections_at_100_is_refused_with_kt_ct_1189(self):
        query = """{ viewer { accounts { ... on AccountType { ledgers { transactions(first: 100) { edges { node {
            ... on Charge { id } } } } } bills(first: 100) { edges { node { ... on StatementType {
            transactions(first: 100) { edges { node { id } } } } } } } } } } }"""

        with pytest.raises(Exception) as refused:
            limits.check(score(query))

        assert refused.value.extensions["errorCode"] == "KT-CT-1189"

    def test_aliases_multiplying_a_heavy_field_are_refused(self, authed, account):
        heavy = "account(accountNumber: $n) { transactions(first: 100) { edges { node { id } } } }"
        query = "query($n: String!) { " + " ".join(f"a{i}: {heavy}" for i in range(60)) + " }"

        status, body = authed(query, {"n": account.number})

        assert body["data"] is None and error_code(body) in LIMIT_CODES

    def test_aliases_of_a_cheap_field_are_refused_past_the_complexity_limit(self, authed):
        query = "{ " + " ".join(f"a{i}: viewer {{ accounts {{ number }} }}" for i in range(101)) + " }"

        status, body = authed(query)

        assert error_code(body) == "KT-CT-1188"

    def test_a_fragment_cycle_is_refused_with_kt_ct_1188_before_validation(self, authed):
        query = """{ viewer { ...A } }
            fragment A on AccountUserType { accounts { ... on AccountType { users { ...B } } } }
            fragment B on AccountUserType { ...A }"""

        status, body = authed(query)

        assert status == 200 and body["data"] is None
        assert error_code(body) == "KT-CT-1188"
        assert "spreads itself" in body["errors"][0]["extensions"]["errorDescription"]

    def test_fragments_spread_exponentially_are_scored_without_being_expanded(self, authed):
        levels = 40
        fragments = "\n".join(
            f"fragment F{i} on AccountUserType {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
        )
        query = (
            "{ viewer { ...F0 } }\n"
            + fragments
            + f"\nfragment F{levels} on AccountUserType {{ accounts {{ number }} }}"
        )

        started = time.monotonic()
        status, body = authed(query)

        assert time.monotonic() - started < 2
        assert error_code(body) in LIMIT_CODES

    def test_nesting_deeper_than_the_limit_is_refused(self):
        query = "{ viewer { " + "accountUserRoles { user { " * 8 + "email" + " } }" * 8 + " } }"

        with pytest.raises(Exception) as refused:
            limits.check(score(query))

        assert "depth" in refused.value.extensions["errorDescription"]

    def test_introspection_costs_nothing_and_has_a_depth_limit_of_its_own(self):
        measured = score("{ __schema { types { fields { type { ofType { ofType { name } } } } } } }")
        standard = score(get_introspection_query(descriptions=True, input_value_deprecation=True))
        hostile = score("{ __schema { types { " + "fields { type { " * 15 + "name" + " } }" * 15 + " } } }")

        assert (measured.complexity, measured.nodes, measured.depth) == (0, 0, 1)
        assert measured.introspection_depth == 7
        limits.check(standard)
        with pytest.raises(Exception) as refused:
            limits.check(hostile)
        assert "Introspection depth" in refused.value.extensions["errorDescription"]
