"""The account overview: everything an ops person needs about one account, read through each app's
queries in a constant number of queries (whatever the number of bills, readings or devices). It
composes apps, so it lives in the project package, the one place that may import them all."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from accounts import models as accounts_models
from accounts import queries as accounts_queries
from billing import models as billing_models
from billing import queries as billing_queries
from devices import models as devices_models
from devices import queries as devices_queries
from metering import queries as metering_queries

LEDGER_ROWS = 50
BILLS = 24
PAYMENTS = 24
ATTEMPTS = 24
NOTES = 50
AUDIT_ROWS = 50
ADJUSTMENTS = 20
READINGS_PER_REGISTER = 13
DISPATCHES_PER_DEVICE = 5


@dataclass(frozen=True)
class AccountOverview:
    account: accounts_models.Account
    balance: int
    time_zone: ZoneInfo
    ledger: list[accounts_models.LedgerEntry]
    adjustments: list[accounts_models.LedgerAdjustment]
    bills: list[billing_models.Bill]
    payments: list[billing_models.Payment]
    collection_attempts: list[billing_models.PaymentCollectionAttempt]
    agreements: list[billing_models.Agreement]
    meter_points: list[metering_queries.MeterPointReadings]
    devices: list[devices_models.Device]
    notes: list[accounts_models.AccountNote]
    audit_trail: list[accounts_models.AuditEntry]


def account_overview(*, account: accounts_models.Account) -> AccountOverview:
    """Raises nothing: an account without bills, meters or devices has empty sections."""
    return AccountOverview(
        account=account,
        balance=accounts_queries.account_balance(account=account),
        time_zone=accounts_queries.account_time_zone(account=account),
        ledger=accounts_queries.ledger_with_running_balance(account=account, limit=LEDGER_ROWS),
        adjustments=accounts_queries.adjustments_of_account(account=account, limit=ADJUSTMENTS),
        bills=billing_queries.bills_of_account(account_id=account.pk, limit=BILLS),
        payments=billing_queries.payments_of_account(account_id=account.pk, limit=PAYMENTS),
        collection_attempts=billing_queries.collection_attempts_of_account(
            account_id=account.pk, limit=ATTEMPTS
        ),
        agreements=billing_queries.agreements_of_account(account_id=account.pk),
        meter_points=metering_queries.meter_points_with_readings(
            account_id=account.pk, per_register=READINGS_PER_REGISTER
        ),
        devices=devices_queries.devices_with_recent_dispatches(
            account_id=account.pk, per_device=DISPATCHES_PER_DEVICE
        ),
        notes=accounts_queries.notes_of_account(account=account, limit=NOTES),
        audit_trail=accounts_queries.audit_trail(account=account, limit=AUDIT_ROWS),
    )
