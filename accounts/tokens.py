"""Customer API credentials: signed JWT access tokens (60 minutes), opaque refresh tokens (7 days,
revocable), logging in with a secret API key (issued by `operations.regenerate_api_key`), and forced
re-authentication.

Access tokens are HS256 JWTs signed with SECRET_KEY. Their claims follow Kraken's:
`sub` ("kraken|account-user:<id>"), `gty` (grant type), `email`, `tokenUse`, `iss`, `iat`, `exp`,
`origIat` (the time of the original login, kept across refreshes) and `gen`, the user's token
generation: `force_reauthentication` bumps it, which invalidates every token issued before the call.

No clock here: every function takes `now`.
"""

from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime, timedelta

import jwt
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet

from accounts import models
from kernel import prepared
from kernel.crypto import hash_secret

ACCESS_TOKEN_LIFETIME = timedelta(minutes=60)
REFRESH_TOKEN_LIFETIME = timedelta(days=7)
# What a third-party integration gets from obtainLongLivedRefreshToken.
LONG_LIVED_REFRESH_TOKEN_LIFETIME = timedelta(days=90)
ALGORITHM = "HS256"
ISSUER = "kraken-core"
SUBJECT_PREFIX = "kraken|account-user:"
API_KEY_PREFIX = models.APIKey.PREFIX

GRANT_PASSWORD = "EMAIL-AND-PASSWORD"
GRANT_API_KEY = "API-KEY"
GRANT_REFRESH = "REFRESH-TOKEN"


class InvalidToken(Exception):
    """The access token is malformed, badly signed, for an unknown or inactive user, or was issued
    before the user forced re-authentication."""


class ExpiredToken(InvalidToken):
    """The access token's `exp` has passed."""


class InvalidCredentials(Exception):
    """Email and password do not match an active user."""


class InvalidAPIKey(Exception):
    """The API key is unknown, revoked or belongs to an inactive user."""


class InvalidRefreshToken(Exception):
    """The refresh token is unknown, expired, revoked or belongs to an inactive user."""


@dataclasses.dataclass(frozen=True)
class IssuedToken:
    token: str
    payload: dict
    refresh_token: str | None
    refresh_expires_at: datetime | None


def _generation(user: models.User) -> int:
    try:
        return user.authentication_state.generation
    except models.AuthenticationState.DoesNotExist:
        return 0


def _access_token(*, user: models.User, grant: str, now: datetime, orig_iat: datetime) -> tuple[str, dict]:
    issued = int(now.timestamp())
    payload = {
        "sub": f"{SUBJECT_PREFIX}{user.pk}",
        "gty": grant,
        "email": user.email,
        "tokenUse": "access",
        "iss": ISSUER,
        "iat": issued,
        "exp": issued + int(ACCESS_TOKEN_LIFETIME.total_seconds()),
        "origIat": int(orig_iat.timestamp()),
        "gen": _generation(user),
    }
    return jwt.encode(payload, settings.SECRET_KEY, algorithm=ALGORITHM), payload


def _new_refresh_token(*, user: models.User, now: datetime) -> tuple[str, datetime]:
    raw = secrets.token_urlsafe(32)
    expires_at = now + REFRESH_TOKEN_LIFETIME
    models.RefreshToken.objects.create(
        user=user, token_hash=hash_secret(raw), created_at=now, expires_at=expires_at
    )
    return raw, expires_at


def _active_user(pk: int) -> QuerySet[models.User]:
    return (
        models.User.objects.select_related("authentication_state")
        .filter(pk=pk, is_active=True)
        .order_by("pk")[:1]
    )


def decode_access_token(*, token: str, now: datetime) -> models.User:
    """The active user an access token was issued to.

    Raises ExpiredToken (a subclass of InvalidToken) when `exp` is not after `now`; InvalidToken
    for anything else wrong with the token.
    """
    try:
        payload = jwt.decode(
            token,
            settings.SECRET_KEY,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"verify_exp": False, "verify_iat": False, "require": ["sub", "exp", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    exp = payload["exp"]
    if not isinstance(exp, int | float):
        raise InvalidToken("exp is not a timestamp")
    if exp <= now.timestamp():
        raise ExpiredToken("Signature of the JWT has expired.")
    subject = str(payload["sub"])
    if not subject.startswith(SUBJECT_PREFIX) or not subject[len(SUBJECT_PREFIX) :].isdigit():
        raise InvalidToken("Unknown subject")
    user = prepared.first("active_user_by_id", _active_user, int(subject[len(SUBJECT_PREFIX) :]))
    if user is None:
        raise InvalidToken("Unknown user")
    if payload.get("gen") != _generation(user):
        raise InvalidToken("Token issued before re-authentication was forced")
    return user


def obtain_token_with_password(*, email: str, password: str, now: datetime) -> IssuedToken:
    """Log in with email and password: an access token and a new refresh token.

    Raises InvalidCredentials.
    """
    user = (
        models.User.objects.select_related("authentication_state")
        .filter(email__iexact=email, is_active=True)
        .first()
    )
    if user is None or not user.check_password(password):
        raise InvalidCredentials("Invalid email or password")
    return _issue(user=user, grant=GRANT_PASSWORD, now=now)


def obtain_token_with_api_key(*, api_key: str, now: datetime) -> IssuedToken:
    """Log in with a standalone API key: an access token and a new refresh token.

    Raises InvalidAPIKey.
    """
    from accounts import queries

    user = queries.user_of_api_key(api_key=api_key)
    if user is None:
        raise InvalidAPIKey("Authentication failed.")
    return _issue(user=user, grant=GRANT_API_KEY, now=now)


def _issue(*, user: models.User, grant: str, now: datetime) -> IssuedToken:
    with transaction.atomic():
        refresh, refresh_expires_at = _new_refresh_token(user=user, now=now)
    token, payload = _access_token(user=user, grant=grant, now=now, orig_iat=now)
    return IssuedToken(
        token=token, payload=payload, refresh_token=refresh, refresh_expires_at=refresh_expires_at
    )


def refresh_access_token(*, refresh_token: str, now: datetime) -> IssuedToken:
    """A new access token for a valid refresh token. The refresh token itself is returned unchanged:
    its expiry is not extended.

    Raises InvalidRefreshToken.
    """
    stored = (
        models.RefreshToken.objects.select_related("user", "user__authentication_state")
        .filter(
            token_hash=hash_secret(refresh_token),
            revoked_at__isnull=True,
            created_at__lte=now,
            expires_at__gt=now,
            user__is_active=True,
        )
        .first()
    )
    if stored is None:
        raise InvalidRefreshToken("Invalid refresh token")
    token, payload = _access_token(user=stored.user, grant=GRANT_REFRESH, now=now, orig_iat=stored.created_at)
    return IssuedToken(
        token=token, payload=payload, refresh_token=refresh_token, refresh_expires_at=stored.expires_at
    )


def revoke_refresh_token(*, refresh_token: str, now: datetime) -> None:
    """Revoke one refresh token (invalidateRefreshToken).

    Raises InvalidRefreshToken if it is unknown or already unusable.
    """
    revoked = models.RefreshToken.objects.filter(
        token_hash=hash_secret(refresh_token), revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now)
    if not revoked:
        raise InvalidRefreshToken("Invalid refresh token")


def force_reauthentication(*, user: models.User, now: datetime) -> datetime:
    """Invalidate every access token and refresh token issued to `user` before `now`; returns the
    moment it took effect. Never raises for an existing user."""
    with transaction.atomic():
        state, created = models.AuthenticationState.objects.select_for_update().get_or_create(
            user=user, defaults={"generation": 1, "reauthenticated_at": now}
        )
        if not created:
            models.AuthenticationState.objects.filter(pk=state.pk).update(
                generation=F("generation") + 1, reauthenticated_at=now
            )
        models.RefreshToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    user._state.fields_cache.pop("authentication_state", None)
    return now


def create_api_key(*, user: models.User, now: datetime) -> str:
    """A new secret key for `user`, revoking the live one; see `operations.regenerate_api_key`."""
    from accounts import operations

    return operations.regenerate_api_key(user=user, now=now)


class IssuerNotPermitted(Exception):
    """The caller may not issue long-lived refresh tokens (lacks the permission)."""


class NotAKrakenToken(Exception):
    """What was offered is not a Kraken access token (malformed, badly signed, revoked by forced
    re-authentication, or another kind of credential)."""


class ExpiredKrakenToken(NotAKrakenToken):
    """The Kraken access token offered has expired."""


class NotAnAccountUser(Exception):
    """The token's user holds no role on any account."""


def obtain_long_lived_refresh_token(
    *, issuer: models.User, kraken_token: str, now: datetime
) -> tuple[str, datetime]:
    """A refresh token valid for LONG_LIVED_REFRESH_TOKEN_LIFETIME for the account user a Kraken
    access token was issued to, requested by a third-party integration (`issuer`) holding the
    `accounts.issue_long_lived_refresh_token` permission. Returns the raw token and its expiry;
    the grant is recorded. Each call issues a new token; forceReauthentication revokes them all.

    Raises IssuerNotPermitted, ExpiredKrakenToken, NotAKrakenToken, NotAnAccountUser.
    """
    if not issuer.has_perm("accounts.issue_long_lived_refresh_token"):
        raise IssuerNotPermitted(issuer.pk)
    try:
        user = decode_access_token(token=kraken_token, now=now)
    except ExpiredToken as exc:
        raise ExpiredKrakenToken(str(exc)) from exc
    except InvalidToken as exc:
        raise NotAKrakenToken(str(exc)) from exc
    if not models.AccountUserRole.objects.filter(user=user).exists():
        raise NotAnAccountUser(user.pk)
    raw = secrets.token_urlsafe(32)
    expires_at = now + LONG_LIVED_REFRESH_TOKEN_LIFETIME
    with transaction.atomic():
        stored = models.RefreshToken.objects.create(
            user=user, token_hash=hash_secret(raw), created_at=now, expires_at=expires_at
        )
        models.LongLivedRefreshTokenGrant.objects.create(
            refresh_token=stored, issued_by=issuer, issued_at=now
        )
    return raw, expires_at
