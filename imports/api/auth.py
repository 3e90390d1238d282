"""`Authorization: Token <import key>` (hashed lookup, revoked keys refused) or a Kraken JWT
(staff users), as the Data Import OpenAPI's two security schemes."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts import tokens
from imports import models, operations, queries
from kernel import clock


class ImportKeyUser:
    """The caller of a request authenticated with an import API key."""

    is_authenticated = True
    is_staff = False

    def __init__(self, api_key: models.ImportApiKey):
        self.api_key = api_key
        self.supplier = api_key.supplier


class DataImportViewerAPIKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(f"{self.keyword} "):
            return None
        raw_key = header[len(self.keyword) + 1 :].strip()
        try:
            api_key = queries.live_api_key(key_hash=tokens.hash_secret(raw_key))
        except models.ImportApiKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid or revoked import API key.") from None
        operations.touch_api_key(api_key=api_key, now=clock.now())
        return ImportKeyUser(api_key), api_key

    def authenticate_header(self, request):
        return self.keyword


class DRFKrakenTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header or header.startswith("Token "):
            return None
        token = header.removeprefix("JWT ").removeprefix("Bearer ").strip()
        try:
            user = tokens.decode_access_token(token=token, now=clock.now())
        except tokens.InvalidToken as exc:
            raise exceptions.AuthenticationFailed(str(exc) or "Invalid token.") from None
        if not user.is_staff:
            raise exceptions.PermissionDenied("Only Kraken staff may use the data import API.")
        return user, token


def may_use_supplier(user, supplier: models.ImportSupplier) -> bool:
    """An import key is bound to its supplier; a staff JWT may use any."""
    if isinstance(user, ImportKeyUser):
        return user.supplier.pk == supplier.pk
    return bool(getattr(user, "is_staff", False))


class KeyScheme(OpenApiAuthenticationExtension):
    target_class = DataImportViewerAPIKeyAuthentication
    name = "DataImportViewerAPIKeyAuthentication"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token "',
        }


class JwtScheme(OpenApiAuthenticationExtension):
    target_class = DRFKrakenTokenAuthentication
    name = "DRFKrakenTokenAuthentication"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "JWT-based authentication",
        }
