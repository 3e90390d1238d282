"""Who may call the billing API: a staff session (the back office), or a Kraken JWT
(`Authorization: JWT <token>`) of a staff member or of a user of the account concerned."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts import tokens


class KrakenTokenAuthentication(authentication.BaseAuthentication):
    keyword = "JWT"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(("JWT ", "Bearer ")):
            return None
        token = header.removeprefix("JWT ").removeprefix("Bearer ").strip()
        try:
            user = tokens.decode_access_token(token=token, now=timezone.now())
        except tokens.InvalidToken as error:
            raise exceptions.AuthenticationFailed(str(error) or "Invalid token.") from None
        return user, token

    def authenticate_header(self, request):
        return self.keyword


AUTHENTICATION = [authentication.SessionAuthentication, KrakenTokenAuthentication]
