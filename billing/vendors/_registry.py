from __future__ import annotations

from django.conf import settings

from billing.vendors import base, localpay

_FACTORIES = {localpay.NAME: localpay.LocalPayVendor.from_settings}


def get_vendor(name: str) -> base.PaymentVendor:
    """The adapter for a payment method's vendor; `settings.PAYMENT_VENDOR_STAND_INS` may name an
    adapter to stand in for a vendor this platform has none for (development: LocalPay for STRIPE).

    Raises UnknownVendor."""
    name = (getattr(settings, "PAYMENT_VENDOR_STAND_INS", None) or {}).get(name, name)
    try:
        return _FACTORIES[name]()
    except KeyError:
        raise base.UnknownVendor(f"No payment vendor adapter named {name!r}") from None
