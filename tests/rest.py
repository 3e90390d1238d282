"""Helpers for the customer REST API v1 tests: credentials as clients send them."""

import base64

from tests.accounts.factories import AccountUserRoleFactory, UserFactory, api_key_for


def basic(key: str, password: str = "") -> dict:
    """The test client's header for HTTP Basic with `key` as the username."""
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{key}:{password}".encode()).decode()}


class Customer:
    """An account user with one account and a live API key."""

    def __init__(self):
        self.user = UserFactory()
        self.account = AccountUserRoleFactory(user=self.user).account
        self.key = api_key_for(self.user)

    @property
    def auth(self) -> dict:
        return basic(self.key)
