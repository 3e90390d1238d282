"""Customer API credentials (GraphQL obtainKrakenToken / forceReauthentication, REST API keys,
long-lived refresh tokens for integrations); see accounts/models/__init__.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class AuthenticationState(models.Model):
    """Per user: the generation every access token must carry. forceReauthentication bumps it, so every
    token issued before the call stops working at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="authentication_state",
    )
    generation = models.PositiveIntegerField(default=0)
    reauthenticated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} token generation {self.generation}"


class RefreshToken(models.Model):
    """An opaque refresh token, stored hashed, valid for `[created_at, expires_at)` unless revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="refresh_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="refresh_token_expires_after_creation",
            ),
        ]
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"Refresh token {self.pk} of {self.user}"


class APIKey(models.Model):
    """A user's secret API key (`sk_live_…`, Kraken's `liveSecretKey`): HTTP Basic username on the
    REST API and `obtainKrakenToken(input: {APIKey})` on GraphQL. A user has at most one live key;
    regenerating it revokes the old one.

    A database leak leaks no usable key: requests are matched on `key_hash` (SHA-256 of the key),
    and the key itself, which its owner may read again, is kept only encrypted (`encrypted_key`,
    Fernet under a key derived from settings, never stored here; see docs/ARCHITECTURE.md).
    """

    PREFIX = "sk_live_"
    # What `kernel.crypto` derives this table's encryption key for.
    ENCRYPTION_PURPOSE = "accounts.APIKey"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    prefix = models.CharField(max_length=16, help_text="First characters, to recognise the key")
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key")
    encrypted_key = models.TextField(
        blank=True,
        help_text="The key encrypted under a key from settings; empty for keys issued before keys "
        "were kept (shown once, never again)",
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_live_api_key_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… of {self.user}"


class LongLivedRefreshTokenGrant(models.Model):
    """A long-lived refresh token a third-party integration obtained for an account user
    (obtainLongLivedRefreshToken). Holding the `issue_long_lived_refresh_token` permission is what
    lets a user (the integration's own login) ask for one."""

    refresh_token = models.OneToOneField(RefreshToken, on_delete=models.CASCADE, related_name="grant")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()

    class Meta:
        permissions = [
            ("issue_long_lived_refresh_token", "Can issue long-lived refresh tokens for account users"),
        ]

    def __str__(self) -> str:
        return f"Long-lived refresh token {self.refresh_token_id} issued by {self.issued_by}"
