import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import tokens
from imports import operations
from tests.billing.factories import ProductFactory, TariffFactory
from tests.imports import payloads
from tests.imports.factories import ImportSupplierFactory


def jwt_client(user) -> APIClient:
    """An API client sending a Kraken JWT of `user` (password `correct-horse-battery`)."""
    issued = tokens.obtain_token_with_password(
        email=user.email, password="correct-horse-battery", now=timezone.now()
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=issued.token)
    return client


@pytest.fixture
def tariffs(db):
    product = ProductFactory(code="VAR-22-11-01", available_from=dt.datetime(2018, 1, 1, tzinfo=dt.UTC))
    return (
        TariffFactory(product=product, code=payloads.ELEC_TARIFF, utility_type="ELECTRICITY"),
        TariffFactory(product=product, code=payloads.GAS_TARIFF, utility_type="GAS"),
    )


@pytest.fixture
def supplier(db, tariffs):
    return ImportSupplierFactory(code="EDF")


@pytest.fixture
def api_key(supplier):
    return operations.create_api_key(supplier=supplier, name="migration team")


@pytest.fixture
def api(api_key):
    """An API client sending the supplier's import key."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key[1]}")
    return client


@pytest.fixture
def staged(api):
    response = api.post(
        "/v1/data-import/account-import-process/create-or-update/", payloads.gb_account(), format="json"
    )
    assert response.status_code == 201, response.json()
    return response
