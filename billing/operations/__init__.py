"""Writes of billing: issuing bills, billing runs, and collecting payments.

Exactly-once rests on the database, not on the caller:
- a bill and its ledger entry are written in one transaction; the exclusion constraint on Bill
  refuses a second live bill of an account for an overlapping period, and `(billing_run, account)`
  is unique on both BillingRunItem and Bill;
- a chunk task claims its PENDING run items with a lease (`claimed_by`, `lease_until`, committed at
  once), then writes the bills and marks the items in one transaction, so a redelivered, duplicated
  or concurrent task finds no work left, and a crash rolls the chunk back; the lease sweep
  (`requeue_expired_work`, every 30 s) hands a lost worker's items, fan-out or collection to another
  worker once its lease runs out, without waiting for the broker to give its message back;
- a payment collection attempt has an idempotency key per (account, bill, attempt) sent to the
  vendor; a transient failure keeps the attempt PENDING and the retry re-sends the same key, so the
  vendor charges once; the Payment and the ledger entry are keyed on it too. An attempt ends
  SUCCEEDED, DECLINED or FAILED (reconciled with the vendor by its key).
"""

from billing.operations._agreements import AgreementRow, copy_agreements
from billing.operations._bills import (
    PAYMENT_TERMS_DAYS,
    AlreadyBilled,
    energy_ledger_ids,
    energy_ledgers,
    issue_bill,
    write_bills,
)
from billing.operations._collection import (
    BillAlreadyPaid,
    CollectionError,
    CollectionFailed,
    CollectionInProgress,
    CollectionOutcome,
    NoActivePaymentMethod,
    NotDeclined,
    NothingToCollect,
    PaymentDeclined,
    collect_bill_payment,
    collect_bill_payments,
    dunning_retry_at,
    represent_bill_payment,
    vendor_retry_delay,
)
from billing.operations._leases import Requeued, mark_rung, requeue_expired_work, this_worker
from billing.operations._moves import NothingToEnd, move_out
from billing.operations._rates import (
    CalorificValueRow,
    InvalidRates,
    RatesAlreadyPublished,
    half_hours_of_day,
    publish_half_hourly_rates,
    record_calorific_values,
)
from billing.operations._runs import (
    DISCARDED_IN_REVIEW,
    ChunkResult,
    InvalidBillingRun,
    NotAwaitingReview,
    NothingToRetry,
    bill_chunk,
    create_billing_run,
    create_scheduled_billing_run,
    discard_held_bills,
    finish_billing_run_if_done,
    release_held_bills,
    request_billing_run_start,
    retry_failed_items,
    start_billing_run,
)
from billing.operations._statements import (
    HistoricalStatement,
    HistoricalStatementExists,
    InvalidStatementPeriod,
    import_historical_statements,
)

__all__ = [
    "CollectionFailed",
    "CollectionInProgress",
    "NothingToRetry",
    "Requeued",
    "retry_failed_items",
    "mark_rung",
    "dunning_retry_at",
    "requeue_expired_work",
    "this_worker",
    "vendor_retry_delay",
    "DISCARDED_IN_REVIEW",
    "NotAwaitingReview",
    "discard_held_bills",
    "release_held_bills",
    "request_billing_run_start",
    "PAYMENT_TERMS_DAYS",
    "CalorificValueRow",
    "InvalidRates",
    "NothingToEnd",
    "move_out",
    "NotDeclined",
    "RatesAlreadyPublished",
    "half_hours_of_day",
    "publish_half_hourly_rates",
    "record_calorific_values",
    "represent_bill_payment",
    "AgreementRow",
    "AlreadyBilled",
    "BillAlreadyPaid",
    "ChunkResult",
    "CollectionError",
    "CollectionOutcome",
    "HistoricalStatement",
    "HistoricalStatementExists",
    "InvalidBillingRun",
    "InvalidStatementPeriod",
    "NoActivePaymentMethod",
    "NothingToCollect",
    "PaymentDeclined",
    "bill_chunk",
    "collect_bill_payment",
    "collect_bill_payments",
    "copy_agreements",
    "create_billing_run",
    "create_scheduled_billing_run",
    "energy_ledger_ids",
    "energy_ledgers",
    "finish_billing_run_if_done",
    "import_historical_statements",
    "issue_bill",
    "start_billing_run",
    "write_bills",
]
