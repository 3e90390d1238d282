import datetime as dt
import uuid

import pytest
from django.utils import timezone

from accounts import tokens
from tests.accounts.factories import AccountUserRoleFactory, UserFactory
from tests.billing.conftest import localpay, localpay_server  # noqa: F401 - statements are paid at LocalPay

PASSWORD = "correct-horse-battery"


class GraphQLClient:
    """Posts GraphQL to /v1/graphql/ as a real client does; returns (status, json)."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def __call__(self, query, variables=None, *, token=None, headers=None, operation_name=None):
        body = {"query": query, "variables": variables or {}}
        if operation_name:
            body["operationName"] = operation_name
        extra = dict(headers or {})
        token = token if token is not None else self.token
        if token:
            extra.setdefault("HTTP_AUTHORIZATION", token)
        response = self.client.post("/v1/graphql/", body, content_type="application/json", **extra)
        return response.status_code, response.json()

    def ok(self, query, variables=None, **kwargs):
        status, body = self(query, variables, **kwargs)
        assert status == 200, body
        assert "errors" not in body, body["errors"]
        return body["data"]


def token_for(user, now=None) -> str:
    issued = tokens.obtain_token_with_password(email=user.email, password=PASSWORD, now=now or timezone.now())
    return issued.token


def error_code(body) -> str:
    return body["errors"][0]["extensions"]["errorCode"]


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    """Each test counts GraphQL points from zero (user ids repeat across test databases, and the
    counters live in Redis for an hour)."""
    settings.GRAPHQL_RATE_LIMIT_KEY_PREFIX = f"test-graphql-points-{uuid.uuid4().hex}"


@pytest.fixture
def gql(client):
    return GraphQLClient(client)


@pytest.fixture
def viewer(db):
    return UserFactory()


@pytest.fixture
def account(viewer):
    return AccountUserRoleFactory(user=viewer).account


@pytest.fixture
def authed(gql, viewer, account):
    gql.token = token_for(viewer)
    return gql


NOW = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)


def queries_for(gql, query, variables=None):
    """(number of SQL queries, data) of one GraphQL request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        data = gql.ok(query, variables)
    return len(captured), data
