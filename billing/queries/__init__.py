"""Reads of billing: the inputs of a bill calculation and previews, billing runs, what is
collectable, and statements as plain data."""

from billing.queries._inputs import (
    AU_TIME_ZONES,
    account_time_zone,
    billing_inputs,
    billing_time_zone,
    preview_bill,
)
from billing.queries._runs import (
    RunProgress,
    accounts_in_scope,
    accounts_with_live_bills,
    bill_outstanding,
    billing_run_progress,
    collectable_bill_ids,
    failed_items,
    get_bill,
    get_billing_run,
    pending_chunks,
)
from billing.queries._statements import (
    CLOSED,
    OPEN,
    AgreementLineItems,
    Amounts,
    LineItem,
    Statement,
    Transaction,
    get_statement,
    open_statement,
    statements_of_accounts,
    transaction_kind,
)

__all__ = [
    "AU_TIME_ZONES",
    "CLOSED",
    "OPEN",
    "AgreementLineItems",
    "Amounts",
    "LineItem",
    "RunProgress",
    "Statement",
    "Transaction",
    "account_time_zone",
    "accounts_in_scope",
    "accounts_with_live_bills",
    "bill_outstanding",
    "billing_inputs",
    "billing_run_progress",
    "billing_time_zone",
    "collectable_bill_ids",
    "failed_items",
    "get_bill",
    "get_billing_run",
    "get_statement",
    "open_statement",
    "pending_chunks",
    "preview_bill",
    "statements_of_accounts",
    "transaction_kind",
]
