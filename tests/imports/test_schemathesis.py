"""Schemathesis against the served OpenAPI document (`/api/schema/`), data-import operations only,
with a bounded number of generated examples: no 5xx, no response outside its documented schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from kraken.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application).include(
    path_regex=r"^/v[12]/data-import/"
)
MAX_EXAMPLES = 8


@pytest.fixture
def auth_header(api_key):
    return {"Authorization": f"Token {api_key[1]}"}


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Calls go through the WSGI app, which closes the database connection after each request; the
    test's transaction must survive them, as Django's test client arranges."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class TestServedSchema:
    def test_documents_every_import_operation_with_its_validators(self, client):
        document = client.get("/api/schema/?format=json").json()
        operations = {
            (path, method): op
            for path, item in document["paths"].items()
            if "data-import" in path
            for method, op in item.items()
        }

        assert len(operations) == 16
        validate = operations[("/v1/data-import/validate-account/", "post")]
        codes = {code for v in validate["x-validators"] for code in v["possible_errors"]}
        assert {
            "invalid_phone_number",
            "billing_address_new_style_and_legacy",
            "tariff_code_not_found",
        } <= codes
        assert {"schedule_window_start_in_past"} <= {
            code
            for v in operations[("/v2/data-import/accounts/", "post")]["x-validators"]
            for code in v["possible_errors"]
        }


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_import_api_answers_within_its_documented_responses(case, auth_header):
    case.call_and_validate(
        headers=auth_header, checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
    )
