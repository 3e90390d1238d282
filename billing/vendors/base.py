"""The adapter interface every payment vendor implements, and the errors it may raise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from billing import error_codes


@dataclass(frozen=True)
class Charge:
    """A charge the vendor made (or had already made for this idempotency key)."""

    reference: str
    amount: int
    currency: str
    replayed: bool = False


class VendorError(Exception):
    """A permanent failure: retrying the same request will not help."""

    def __init__(self, message: str, *, code: str = error_codes.UNEXPECTED_ERROR) -> None:
        super().__init__(message)
        self.code = code


class VendorDeclined(VendorError):
    """A hard decline (insufficient funds, cancelled mandate...): never retried automatically."""


class VendorUnavailable(VendorError):
    """A transient failure (timeout, connection refused, 5xx, 429): retry with the same key. The
    vendor may or may not have charged; the idempotency key makes the retry safe either way."""


class UnknownVendor(LookupError):
    code = error_codes.UNKNOWN_VENDOR


class PaymentVendor(Protocol):
    name: str

    def charge(
        self, *, idempotency_key: str, amount: int, currency: str, payment_method_reference: str
    ) -> Charge:
        """Charge `amount` minor units. The vendor must charge at most once per idempotency key.

        Raises VendorDeclined, VendorUnavailable, VendorError.
        """
        ...

    def find_charge(self, *, idempotency_key: str) -> Charge | None:
        """The charge the vendor made for this key, or None if it made none (reconciliation).

        Raises VendorUnavailable, VendorError.
        """
        ...
