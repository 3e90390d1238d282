"""Secrets at rest: hashes for credentials that are only ever checked, and encryption for those the
platform must be able to show again (a customer's API key).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under keys that never live in the
database. They are derived with HKDF-SHA256 from `settings.FIELD_ENCRYPTION_KEYS` (secrets, newest
first: the first encrypts, every one decrypts, so keys rotate without a flag day) or, when that is
empty, from `SECRET_KEY`. Each `purpose` gets its own derived key, so a value encrypted for one use
cannot be decrypted as another.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["CannotDecrypt", "decrypt", "encrypt", "hash_secret"]


class CannotDecrypt(Exception):
    """The value was not encrypted under any configured key for this purpose (a rotated-out or
    changed key, or a tampered value)."""


def _derive(secret: str, purpose: str) -> bytes:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"kraken-core field encryption", info=purpose.encode()
    ).derive(secret.encode())
    return base64.urlsafe_b64encode(key)


def _fernet(purpose: str) -> MultiFernet:
    configured = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or [])
    secrets = configured or [settings.SECRET_KEY]
    return MultiFernet([Fernet(_derive(secret, purpose)) for secret in secrets])


def encrypt(plaintext: str, *, purpose: str) -> str:
    """`plaintext` encrypted (and authenticated) under the newest key for `purpose`."""
    return _fernet(purpose).encrypt(plaintext.encode()).decode()


def decrypt(token: str, *, purpose: str) -> str:
    """Raises CannotDecrypt."""
    try:
        return _fernet(purpose).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise CannotDecrypt(purpose) from exc


def hash_secret(secret: str) -> str:
    """The stored, looked-up form of an API key or token: SHA-256, enough for a random high-entropy
    secret. Every credential the platform issues (customer keys and tokens, import keys, CDR
    tokens) is kept so."""
    return hashlib.sha256(secret.encode()).hexdigest()
