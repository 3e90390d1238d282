"""Who may call the REST API v1 (spec/REST.md §1, §5): Basic with the customer's key, a Kraken token,
or nothing on public endpoints."""

import base64

import pytest
from django.utils import timezone

from accounts import operations, tokens
from tests.accounts.factories import UserFactory
from tests.rest import basic

PUBLIC = "/v1/products/"
PROTECTED = "/v1/accounts/{}/"


def token_of(user) -> str:
    key = operations.regenerate_api_key(user=user, now=timezone.now())
    return tokens.obtain_token_with_api_key(api_key=key, now=timezone.now()).token


@pytest.mark.django_db
class TestWithoutCredentials:
    def test_a_public_endpoint_answers(self, client):
        assert client.get(PUBLIC).status_code == 200

    def test_a_protected_endpoint_answers_401_with_a_basic_challenge(self, client, customer):
        response = client.get(PROTECTED.format(customer.account.number))

        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}
        assert response["WWW-Authenticate"] == 'Basic realm="api"'


@pytest.mark.django_db
class TestBasicAuthWithAnAPIKey:
    def test_the_key_is_the_username_and_a_password_is_ignored(self, client, customer):
        for headers in (basic(customer.key), basic(customer.key, "whatever")):
            assert client.get(PROTECTED.format(customer.account.number), **headers).status_code == 200

    def test_a_public_endpoint_accepts_a_valid_key(self, client, customer):
        assert client.get(PUBLIC, **customer.auth).status_code == 200

    @pytest.mark.parametrize("path", [PUBLIC, "/v1/industry/grid-supply-points/"])
    def test_a_wrong_key_is_refused_even_on_a_public_endpoint(self, client, path):
        response = client.get(path, **basic("sk_live_wrong"))

        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid API key."}
        assert response["WWW-Authenticate"] == 'Basic realm="api"'

    def test_a_revoked_key_is_refused(self, client, customer):
        old = customer.key
        operations.regenerate_api_key(user=customer.user, now=timezone.now())

        response = client.get(PROTECTED.format(customer.account.number), **basic(old))

        assert response.status_code == 401 and response.json() == {"detail": "Invalid API key."}

    @pytest.mark.parametrize(
        "header",
        [
            "Basic",
            "Basic !!!not-base64!!!",
            "Basic " + base64.b64encode(b":no-username").decode(),
            "Basic " + base64.b64encode(b"\xff\xfe:").decode(),
            "Basic " + base64.b64encode(b"k" * 500 + b":").decode(),
            "Basic a b",
        ],
    )
    def test_a_malformed_basic_header_is_an_invalid_key(self, client, header):
        response = client.get(PUBLIC, HTTP_AUTHORIZATION=header)

        assert response.status_code == 401 and response.json() == {"detail": "Invalid API key."}


@pytest.mark.django_db
class TestKrakenToken:
    @pytest.mark.parametrize("scheme", ["", "JWT ", "Bearer ", "bearer "])
    def test_is_accepted_raw_or_after_jwt_or_bearer(self, client, customer, scheme):
        response = client.get(
            PROTECTED.format(customer.account.number), HTTP_AUTHORIZATION=scheme + token_of(customer.user)
        )

        assert response.status_code == 200

    def test_an_invalid_token_is_refused(self, client, customer):
        response = client.get(PROTECTED.format(customer.account.number), HTTP_AUTHORIZATION="JWT a.b.c")

        assert response.status_code == 401 and response.json() == {"detail": "Invalid token."}

    def test_another_scheme_is_not_recognised(self, client, customer):
        response = client.get(PROTECTED.format(customer.account.number), HTTP_AUTHORIZATION="Token abc")

        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}

    def test_a_token_sees_only_its_own_user_s_accounts(self, client, customer):
        stranger = token_of(UserFactory())

        response = client.get(PROTECTED.format(customer.account.number), HTTP_AUTHORIZATION=stranger)

        assert response.status_code == 404 and response.json() == {"detail": "Not found."}
