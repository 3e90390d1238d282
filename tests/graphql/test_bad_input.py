import json

import pytest
from django.test import override_settings

from tests.graphql.conftest import error_code


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
    def test_is_a_graphql_error_with_status_200_and_kt_ct_1103(self, authed, query):
        status, body = authed(query)

        assert status == 200
        assert body["data"] is None
        assert body["errors"][0]["message"]
        assert body["errors"][0]["extensions"]["errorType"] == "VALIDATION"
        assert body["errors"][0]["extensions"]["errorCode"] == "KT-CT-1103"

    def test_wrong_variable_type_is_a_graphql_error(self, authed):
        status, body = authed("query($n: String!) { account(accountNumber: $n) { number } }", {"n": 12})

        assert status == 200
        assert "String" in body["errors"][0]["message"]
        assert error_code(body) == "KT-CT-1103"

    def test_missing_variable_is_a_graphql_error(self, authed):
        status, body = authed("query($n: String!) { account(accountNumber: $n) { number } }")

        assert status == 200 and body["errors"]

    @pytest.mark.parametrize(
        "body",
        [
            "{not json",
            "[1, 2]",
            '"a string"',
            '{"query": 12}',
            '{"query": ["{ krakenVersion { number } }"]}',
            '{"query": "{ krakenVersion { number } }", "variables": [1]}',
            '{"query": "{ krakenVersion { number } }", "variables": "{not json"}',
            '{"query": "{ krakenVersion { number } }", "operationName": 5}',
            b"\xff\xfe not utf-8",
        ],
    )
    def test_a_malformed_body_is_400_with_kt_ct_1102_never_an_internal_error(self, client, db, body):
        response = client.post("/v1/graphql/", body, content_type="application/json")

        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["extensions"]["errorCode"] == "KT-CT-1102"
        assert error["extensions"]["errorType"] == "VALIDATION"
        assert error["message"] != "Internal error."

    def test_a_wrong_method_is_405_with_a_code(self, client, db):
        response = client.put("/v1/graphql/", "{}", content_type="application/json")

        assert response.status_code == 405
        assert response.json()["errors"][0]["extensions"]["errorCode"] == "KT-CT-1102"

    def test_deeply_nested_query_is_refused_before_running(self, authed):
        nested = "{ viewer { " + "accountUserRoles { user { " * 10 + "email" + " } }" * 10 + " } }"

        status, body = authed(nested)

        assert status == 200 and body["data"] is None
        assert body["errors"][0]["extensions"]["errorCode"] == "KT-CT-1188"
        assert "depth" in body["errors"][0]["extensions"]["errorDescription"]

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


class TestHostileText:
    ACCOUNT = "query($n: String!) { account(accountNumber: $n) { number } }"

    @pytest.mark.parametrize("text", ["A-1\x00", "A-\ud800", "\udfff", "A-1\x07"])
    def test_in_a_variable_is_kt_ct_4321_naming_it_never_a_500(self, authed, text):
        status, body = authed(self.ACCOUNT, {"n": text})

        assert status == 200 and body["data"] is None
        assert error_code(body) == "KT-CT-4321"
        assert body["errors"][0]["extensions"]["validationErrors"][0]["inputPath"] == ["variables", "n"]

    def test_in_a_nested_input_variable_names_its_path(self, authed):
        query = "mutation($i: ObtainJSONWebTokenInput!) { obtainKrakenToken(input: $i) { token } }"

        status, body = authed(query, {"i": {"email": "a\x00@example.com", "password": "x"}})

        assert error_code(body) == "KT-CT-4321"
        assert body["errors"][0]["extensions"]["validationErrors"][0]["inputPath"] == [
            "variables",
            "i",
            "email",
        ]

    def test_in_a_string_argument_is_kt_ct_4321_naming_the_argument(self, authed):
        query = 'mutation { obtainKrakenToken(input: {email: "a\\u0000b", password: "x"}) { token } }'

        status, body = authed(query)

        assert status == 200 and error_code(body) == "KT-CT-4321"
        assert body["errors"][0]["extensions"]["validationErrors"][0]["inputPath"] == ["input", "email"]

    def test_a_lone_surrogate_in_the_raw_body_is_refused_cleanly(self, client, authed):
        body = '{"query": "query($n: String!) { account(accountNumber: $n) { number } }", "variables": {"n": "\\ud83d"}}'

        response = client.post(
            "/v1/graphql/", body, content_type="application/json", HTTP_AUTHORIZATION=authed.token
        )

        assert response.status_code == 200
        assert response.json()["errors"][0]["extensions"]["errorCode"] == "KT-CT-4321"
