"""Back office for accounts, users, properties, payment methods, ledgers, adjustments and the audit
trail. The Account page itself is registered in kraken/admin/ (it shows rows of every app)."""

from accounts.admin import _ledgers, _people
from accounts.admin._accounts import (
    ADJUST_PERMISSION,
    NOTE_PERMISSION,
    STATUS_PERMISSION,
    AccountAdmin,
    AccountUserRoleInline,
    PaymentMethodInline,
    PropertyInline,
)
from accounts.admin._forms import AccountStatusForm, LedgerAdjustmentForm

__all__ = [
    "ADJUST_PERMISSION",
    "NOTE_PERMISSION",
    "STATUS_PERMISSION",
    "AccountAdmin",
    "AccountStatusForm",
    "AccountUserRoleInline",
    "LedgerAdjustmentForm",
    "PaymentMethodInline",
    "PropertyInline",
    "_ledgers",
    "_people",
]
