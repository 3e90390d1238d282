"""Back office for billing: catalogue and agreements, bills and their preview, payments, billing runs."""

from billing.admin import _bills, _catalogue, _runs
from billing.admin._catalogue import AgreementInline
from billing.admin._forms import BillNowForm, CollectForm

ISSUE_BILL_PERMISSION = "billing.issue_bill"
COLLECT_PERMISSION = "billing.collect_payment"

__all__ = [
    "COLLECT_PERMISSION",
    "ISSUE_BILL_PERMISSION",
    "AgreementInline",
    "BillNowForm",
    "CollectForm",
    "_bills",
    "_catalogue",
    "_runs",
]
