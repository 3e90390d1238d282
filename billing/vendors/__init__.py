"""Payment vendors behind one adapter interface (`base.PaymentVendor`), looked up by the name a
payment method records in `PaymentMethod.vendor`."""

from billing.vendors._registry import get_vendor
from billing.vendors.base import (
    Charge,
    PaymentVendor,
    UnknownVendor,
    VendorDeclined,
    VendorError,
    VendorUnavailable,
)

__all__ = [
    "Charge",
    "PaymentVendor",
    "UnknownVendor",
    "VendorDeclined",
    "VendorError",
    "VendorUnavailable",
    "get_vendor",
]
