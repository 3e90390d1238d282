from __future__ import annotations

from billing.vendors import base, localpay

_FACTORIES = {localpay.NAME: localpay.LocalPayVendor.from_settings}


def get_vendor(name: str) -> base.PaymentVendor:
    """Raises UnknownVendor."""
    try:
        return _FACTORIES[name]()
    except KeyError:
        raise base.UnknownVendor(f"No payment vendor adapter named {name!r}") from None
