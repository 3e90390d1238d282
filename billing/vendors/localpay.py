"""Adapter for LocalPay, the small payment vendor shipped for development and tests
(`python -m billing.vendors.localpay_server`). It speaks real HTTP:

    POST {LOCALPAY_URL}/v1/charges   Idempotency-Key: <key>
    {"amount": 1234, "currency": "GBP", "payment_method": "MANDATE-1"}
    -> 201 {"id": "ch_...", "status": "succeeded", ...}        (200 + "replayed": true for a repeat)
    -> 402 {"status": "declined", "code": "insufficient_funds"}
    -> 5xx / timeout: transient
    GET  {LOCALPAY_URL}/v1/charges?idempotency_key=<key>
    -> 200 {"data": [charge]} (empty if nothing was charged for the key)
"""

from __future__ import annotations

import os
import threading

import requests
from django.conf import settings

from billing import error_codes
from billing.vendors import base

NAME = "localpay"
DEFAULT_URL = "http://127.0.0.1:8765"
DEFAULT_TIMEOUT_SECONDS = 10.0


class LocalPayVendor:
    name = NAME

    def __init__(self, *, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    @classmethod
    def from_settings(cls) -> LocalPayVendor:
        """`LOCALPAY_URL` and `LOCALPAY_TIMEOUT_SECONDS`, from settings or else the environment."""
        return cls(
            base_url=getattr(settings, "LOCALPAY_URL", None) or os.environ.get("LOCALPAY_URL", DEFAULT_URL),
            timeout=float(
                getattr(settings, "LOCALPAY_TIMEOUT_SECONDS", None)
                or os.environ.get("LOCALPAY_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)
            ),
        )

    def charge(
        self, *, idempotency_key: str, amount: int, currency: str, payment_method_reference: str
    ) -> base.Charge:
        """Raises VendorDeclined, VendorUnavailable, VendorError."""
        try:
            response = _session().post(
                f"{self.base_url}/v1/charges",
                json={"amount": amount, "currency": currency, "payment_method": payment_method_reference},
                headers={"Idempotency-Key": idempotency_key},
                timeout=self.timeout,
            )
        except requests.Timeout as error:
            raise base.VendorUnavailable(f"LocalPay timed out: {error}", code="TIMEOUT") from error
        except requests.ConnectionError as error:
            raise base.VendorUnavailable(
                f"LocalPay unreachable: {error}", code=error_codes.VENDOR_UNAVAILABLE
            ) from error
        if response.status_code in (200, 201):
            body = response.json()
            return base.Charge(
                reference=body["id"],
                amount=body["amount"],
                currency=body["currency"],
                replayed=bool(body.get("replayed")),
            )
        if response.status_code == 402:
            code = _body(response).get("code", "declined")
            raise base.VendorDeclined(f"LocalPay declined: {code}", code=code.upper())
        if response.status_code == 429 or response.status_code >= 500:
            raise base.VendorUnavailable(
                f"LocalPay answered {response.status_code}", code=f"HTTP_{response.status_code}"
            )
        raise base.VendorError(
            f"LocalPay refused the request ({response.status_code}): {response.text[:200]}",
            code=f"HTTP_{response.status_code}",
        )

    def find_charge(self, *, idempotency_key: str) -> base.Charge | None:
        """Raises VendorUnavailable, VendorError."""
        try:
            response = _session().get(
                f"{self.base_url}/v1/charges",
                params={"idempotency_key": idempotency_key},
                timeout=self.timeout,
            )
        except (requests.Timeout, requests.ConnectionError) as error:
            raise base.VendorUnavailable(
                f"LocalPay unreachable: {error}", code=error_codes.VENDOR_UNAVAILABLE
            ) from error
        if response.status_code == 429 or response.status_code >= 500:
            raise base.VendorUnavailable(
                f"LocalPay answered {response.status_code}", code=f"HTTP_{response.status_code}"
            )
        if response.status_code != 200:
            raise base.VendorError(f"LocalPay refused the lookup ({response.status_code})")
        charges = response.json()["data"]
        if not charges:
            return None
        return base.Charge(
            reference=charges[0]["id"],
            amount=charges[0]["amount"],
            currency=charges[0]["currency"],
            replayed=True,
        )


_local = threading.local()


def _session() -> requests.Session:
    """One HTTP session per thread, so a run of charges reuses its connections."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def _body(response: requests.Response) -> dict:
    try:
        return response.json()
    except ValueError:
        return {}
