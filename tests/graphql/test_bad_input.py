import json

import pytest
from django.test import override_settings


class TestBadInput:
    @pytest.mark.parametrize(
        "query",
        [
            "{ viewer { email ",  # syntax error
            "{ viewer { noSuchField } }",  # unknown field
            "{ account { number } }",  # missing required argument
            "mutation { noSuchMutation }",
        ],
    )
    def test_is_a_standard_graphql_error_with_status_200(self, authed, query):
        status, body = authed(query)

        assert status == 200
        assert body["data"] is None
        assert body["errors"][0]["message"]
        assert body["errors"][0]["extensions"]["errorType"] == "VALIDATION"

    def test_wrong_variable_type_is_a_graphql_error(self, authed):
        status, body = authed("query($n: String!) { account(accountNumber: $n) { number } }", {"n": 12})

        assert status == 200
        assert "String" in body["errors"][0]["message"]

    def test_missing_variable_is_a_graphql_error(self, authed):
        status, body = authed("query($n: String!) { account(accountNumber: $n) { number } }")

        assert status == 200 and body["errors"]

    def test_malformed_json_body_is_400(self, client, db):
        response = client.post("/v1/graphql/", "{not json", content_type="application/json")

        assert response.status_code == 400
        assert response.json()["errors"]

    def test_deeply_nested_query_is_refused_before_running(self, authed):
        nested = "{ viewer { " + "accountUserRoles { user { " * 10 + "email" + " } }" * 10 + " } }"

        status, body = authed(nested)

        assert status == 200 and body["data"] is None
        assert body["errors"][0]["extensions"]["errorCode"] == "KT-CT-1188"
        assert "depth" in body["errors"][0]["extensions"]["errorDescription"]

    def test_too_complex_query_is_refused_with_kt_ct_1188(self, authed, account):
        query = """query($n: String!) { account(accountNumber: $n) {
          bills(first: 100) { edges { node { id } } } transactions(first: 100) { edges { node { id } } } } }"""

        status, body = authed(query, {"n": account.number})

        assert body["data"] is None
        assert body["errors"][0]["extensions"]["errorCode"] == "KT-CT-1188"

    @override_settings(GRAPHQL_MAX_COMPLEXITY=100_000, GRAPHQL_MAX_NODES=50)
    def test_query_over_the_node_limit_is_refused_with_kt_ct_1189(self, authed, account):
        query = (
            "query($n: String!) { account(accountNumber: $n) { bills(first: 60) { edges { node { id } } } } }"
        )

        status, body = authed(query, {"n": account.number})

        assert body["errors"][0]["extensions"]["errorCode"] == "KT-CT-1189"

    def test_introspection_is_allowed(self, gql, db):
        data = gql.ok("{ __schema { queryType { name } types { name } } }")

        assert data["__schema"]["queryType"]["name"] == "Query"
        assert len(data["__schema"]["types"]) > 400

    def test_mutation_over_get_is_refused(self, client, db):
        response = client.get(
            "/v1/graphql/",
            {
                "query": "mutation { forceReauthentication(input: {includeThirdParties: false}) { tokensInvalidated } }"
            },
        )

        assert response.status_code == 200
        assert response.json()["errors"]

    def test_browsers_get_graphiql(self, client, db):
        response = client.get("/v1/graphql/", HTTP_ACCEPT="text/html")

        assert response.status_code == 200
        assert b"graphiql" in response.content.lower()

    def test_query_complexity_root_scores_a_query(self, authed):
        query = (
            "{ viewer { accounts { ... on AccountType { bills(first: 10) { edges { node { id } } } } } } }"
        )

        data = authed.ok(
            "query($q: String!) { queryComplexity(input: {query: $q}) { complexityValue } }", {"q": query}
        )

        assert data["queryComplexity"]["complexityValue"] == 1 + 1 + 1 + 10 * 2


def test_variables_as_json_string_are_accepted(client, authed, account):
    response = client.post(
        "/v1/graphql/",
        {
            "query": "query($n: String!) { account(accountNumber: $n) { number } }",
            "variables": json.dumps({"n": account.number}),
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=authed.token,
    )

    assert response.json()["data"]["account"]["number"] == account.number
