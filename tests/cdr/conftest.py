import json
import re
from pathlib import Path

import jsonschema
import pytest

from tests.accounts.factories import UserFactory
from tests.cdr import factories

SCHEMAS = Path(__file__).parent / "schemas"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH_DAY = re.compile(r"^\d{2}-\d{2}$")
AMOUNT = re.compile(r"^-?\d{1,16}\.\d{2,}$")
RATE = re.compile(r"^-?\d{1,16}(\.\d{1,16})?$")
TIME_V3 = re.compile(r"^\d{2}:\d{2}:\d{2}$")
TIME_V2 = re.compile(r"^\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
OPAQUE_ID = re.compile(r"^[A-Za-z0-9_-]{32}$")
AUTH_DATE = "Thu, 12 Jun 2025 08:30:00 GMT"


def _validator(name: str) -> jsonschema.Draft7Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


VALIDATORS = {
    "list": _validator("energy_account_list_v2"),
    2: _validator("energy_account_detail_v2"),
    3: _validator("energy_account_detail_v3"),
    4: _validator("energy_account_detail_v4"),
    "error": _validator("response_error_list_v2"),
}


def _walk(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield path + (key,), key, value
            yield from _walk(value, path + (key,))
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, path)


def assert_cds_formats(body: dict, *, version: int) -> None:
    """What the schema cannot check: the CDS string types (x-cds-type) in the fields we emit."""
    for path, key, value in _walk(body):
        if key in ("creationDate",) or (key in ("startDate", "endDate") and "planOverview" in path):
            assert DATE.match(value), (path, value)
        elif key in ("startDate", "endDate") and "tariffPeriod" in path:
            assert MONTH_DAY.match(value), (path, value)
        elif key in ("unitPrice", "dailySupplyCharge", "dailySupplyCharges"):
            assert AMOUNT.match(value), (path, value)
        elif key == "greenPercentage":
            assert RATE.match(value), (path, value)
        elif key in ("startTime", "endTime"):
            assert (TIME_V2 if version == 2 else TIME_V3).match(value), (path, value)
        elif key in ("accountId", "servicePointIds"):
            for opaque in value if isinstance(value, list) else [value]:
                assert OPAQUE_ID.match(opaque), (path, opaque)
        elif key in ("self", "first", "prev", "next", "last"):
            assert value.startswith("http://testserver/cds-au/v1/"), (path, value)


def assert_valid(response, *, schema) -> dict:
    body = response.json()
    errors = sorted(VALIDATORS[schema].iter_errors(body), key=lambda error: list(error.path))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors]
    if schema != "error":
        assert_cds_formats(body, version=2 if schema == "list" else schema)
    return body


def assert_error(response, *, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = assert_valid(response, schema="error")
    assert [error["code"] for error in body["errors"]] == [code]
    return body["errors"][0]


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(factories.NOW, tick=False)
    return factories.NOW


@pytest.fixture
def customer(db):
    return UserFactory(first_name="Matilda", last_name="Jones")


class CdsClient:
    """The Django test client with the headers an authenticated CDS call carries."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def get(self, path: str, *, version="2", min_version=None, data=None, **headers):
        defaults = {"x-v": version, "x-fapi-auth-date": AUTH_DATE}
        if min_version is not None:
            defaults["x-min-v"] = min_version
        if self.token is not None:
            defaults["Authorization"] = f"Bearer {self.token}"
        defaults.update(headers)
        defaults = {name: value for name, value in defaults.items() if value is not None}
        return self.client.get(path, data=data, headers=defaults)


@pytest.fixture
def cds(client):
    def make(token: str | None) -> CdsClient:
        return CdsClient(client, token)

    return make
