"""Who calls the customer REST API v1 (spec/REST.md §1).

- HTTP Basic with the customer's secret API key as the username; a password is ignored. A wrong key
  is refused, on public endpoints too: 401 `{"detail": "Invalid API key."}`.
- A Kraken access token from `obtainKrakenToken`, raw or after `JWT `/`Bearer ` (as GraphQL takes
  it). Other schemes are not recognised, so a protected endpoint answers "not provided".
- Nothing: public endpoints only. Protected ones answer 401 with `WWW-Authenticate: Basic realm="api"`.
"""

from __future__ import annotations

import base64
import binascii

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts import queries, tokens
from kernel import clock

INVALID_API_KEY = "Invalid API key."
INVALID_TOKEN = "Invalid token."
MAX_KEY_LENGTH = 128


class APIKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"basic":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(INVALID_API_KEY)
        try:
            username = base64.b64decode(parts[1], validate=True).decode("utf-8").partition(":")[0]
        except (binascii.Error, ValueError):
            raise exceptions.AuthenticationFailed(INVALID_API_KEY) from None
        if not username or len(username) > MAX_KEY_LENGTH:
            raise exceptions.AuthenticationFailed(INVALID_API_KEY)
        user = queries.user_of_api_key(api_key=username)
        if user is None:
            raise exceptions.AuthenticationFailed(INVALID_API_KEY)
        return user, None

    def authenticate_header(self, request):
        return 'Basic realm="api"'


class KrakenTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "").strip()
        scheme, _, rest = header.partition(" ")
        if scheme.lower() in ("jwt", "bearer") and rest.strip():
            token = rest.strip()
        elif header and not rest and header.count(".") == 2:
            token = header
        else:
            return None
        try:
            user = tokens.decode_access_token(token=token, now=clock.now())
        except tokens.InvalidToken:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN) from None
        return user, token


CUSTOMER_API = [APIKeyAuthentication, KrakenTokenAuthentication]


class APIKeyScheme(OpenApiAuthenticationExtension):
    target_class = APIKeyAuthentication
    name = "CustomerAPIKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "The customer's secret API key (sk_live_…) as the username, no password",
        }


class KrakenTokenScheme(OpenApiAuthenticationExtension):
    target_class = KrakenTokenAuthentication
    name = "KrakenToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A Kraken token from obtainKrakenToken: raw, or after `JWT ` or `Bearer `",
        }
