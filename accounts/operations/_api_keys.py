"""Customers' secret API keys (`sk_live_…`): issue (regenerate) and revoke.

A key is looked up by its SHA-256 (`APIKey.key_hash`) and kept readable for its owner only encrypted
(`kernel.crypto`, purpose `APIKey.ENCRYPTION_PURPOSE`); docs/ARCHITECTURE.md, "Customer API keys".
"""

from __future__ import annotations

import secrets
import string
from datetime import datetime

from django.db import transaction

from accounts import models
from accounts.operations._audit import record_audit
from kernel import crypto

# 32 alphanumerics after the prefix: about 190 bits, so the stored SHA-256 cannot be reversed.
API_KEY_LENGTH = 32
_ALPHABET = string.ascii_letters + string.digits


class APIKeyAlreadyRevoked(Exception):
    """The key was revoked before."""


def regenerate_api_key(*, user: models.User, now: datetime, actor: models.User | None = None) -> str:
    """Issue a new secret key for `user`, revoking the live one (Kraken's regenerateSecretKey).
    Returns the new key. `actor` is who asked (ops in the admin); the user themselves when None.
    Never raises for an existing user: two concurrent calls leave one live key."""
    raw = models.APIKey.PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(API_KEY_LENGTH))
    with transaction.atomic():
        models.User.objects.select_for_update().filter(pk=user.pk).first()
        revoked = list(
            models.APIKey.objects.filter(user=user, revoked_at__isnull=True).values_list("pk", flat=True)
        )
        models.APIKey.objects.filter(pk__in=revoked).update(revoked_at=now)
        key = models.APIKey.objects.create(
            user=user,
            prefix=raw[:12],
            key_hash=crypto.hash_secret(raw),
            encrypted_key=crypto.encrypt(raw, purpose=models.APIKey.ENCRYPTION_PURPOSE),
            created_at=now,
        )
        record_audit(
            action="api_key.regenerated",
            obj=key,
            occurred_at=now,
            actor=actor or user,
            data={"revoked_key_ids": revoked},
        )
    return raw


def revoke_api_key(*, api_key: models.APIKey, now: datetime, actor: models.User | None = None) -> None:
    """Revoke one key (ops in the admin). Raises APIKeyAlreadyRevoked."""
    with transaction.atomic():
        if not models.APIKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now):
            raise APIKeyAlreadyRevoked(api_key.pk)
        api_key.revoked_at = now
        record_audit(action="api_key.revoked", obj=api_key, occurred_at=now, actor=actor or api_key.user)
