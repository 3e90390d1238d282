"""Import API keys: only a hash is stored; the raw key is shown once, when created."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db.models import QuerySet

from accounts import tokens
from imports import models

KEY_PREFIX_LENGTH = 8
TOUCH_INTERVAL = timedelta(minutes=1)


def key_prefix(raw_key: str) -> str:
    """The first characters of a key, stored to recognise it."""
    return raw_key[:KEY_PREFIX_LENGTH]


def create_api_key(*, supplier: models.ImportSupplier, name: str) -> tuple[models.ImportApiKey, str]:
    """Create an import API key. Returns the row and the raw key, which is never stored: show it once.
    Raises nothing."""
    raw_key = secrets.token_urlsafe(32)
    api_key = models.ImportApiKey.objects.create(
        supplier=supplier, name=name, prefix=key_prefix(raw_key), key_hash=tokens.hash_secret(raw_key)
    )
    return api_key, raw_key


def revoke_api_keys(*, api_keys: QuerySet[models.ImportApiKey], revoked_at: datetime) -> int:
    """Revoke keys that are still live. Returns how many were revoked. Raises nothing."""
    return api_keys.filter(revoked_at__isnull=True).update(revoked_at=revoked_at)


def touch_api_key(*, api_key: models.ImportApiKey, now: datetime) -> None:
    """Record use, at most once a minute per key (one conditional UPDATE, nothing when recent).
    Raises nothing."""
    if api_key.last_used_at and now - api_key.last_used_at < TOUCH_INTERVAL:
        return
    models.ImportApiKey.objects.filter(pk=api_key.pk).exclude(last_used_at__gte=now - TOUCH_INTERVAL).update(
        last_used_at=now
    )
