"""Writes for import suppliers and their API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from imports import models

KEY_PREFIX_LENGTH = 8


def hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def key_prefix(raw_key: str) -> str:
    return raw_key[:KEY_PREFIX_LENGTH]


def create_api_key(*, supplier: models.ImportSupplier, name: str) -> tuple[models.ImportApiKey, str]:
    """Create an import API key. Returns the row and the raw key, which is never stored: show it once."""
    raw_key = secrets.token_urlsafe(32)
    api_key = models.ImportApiKey.objects.create(
        supplier=supplier, name=name, prefix=key_prefix(raw_key), key_hash=hash_api_key(raw_key)
    )
    return api_key, raw_key


def revoke_api_keys(*, api_keys, revoked_at: datetime) -> int:
    """Revoke keys that are still live. Returns how many were revoked."""
    return api_keys.filter(revoked_at__isnull=True).update(revoked_at=revoked_at)
