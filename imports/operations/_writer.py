"""The one writer of imported accounts: the rows of `_mapping` written with COPY through each owning
app's operations. A chunk of accounts and a single account (the per-account path and its fallback)
go through the same code; only the number of items differs."""

from __future__ import annotations

from datetime import datetime

from accounts import operations as accounts_operations
from accounts import queries as accounts_queries
from billing import operations as billing_operations
from imports import catalogue as catalogue_module
from imports import models
from imports.operations import _mapping
from metering import models as metering_models
from metering import operations as metering_operations


def write_accounts(
    *,
    supplier: models.ImportSupplier,
    items: list[tuple[str, dict]],
    catalogue: catalogue_module.Catalogue,
    now: datetime,
) -> list[tuple[int, str]]:
    """Write an account, with everything in its validated payload, for each (external account
    number, payload): addresses, the account with its energy ledger and audit row, users and roles,
    properties, meter points with meters and registers, agreements, the payment method and the
    opening balance (with its audit row). Ids are drawn up front (two queries), then one COPY per
    table; the queries do not grow with the number of accounts, customers, meter points or meters.
    Call inside one transaction and roll it back on any error. Returns (account id, number) per item.

    Raises IntegrityError (the database refused a row), ValidationFailed (an unknown tariff).
    """
    parts = _mapping.account_parts(supplier=supplier, items=items)
    counts = _mapping.id_counts(parts)
    account_ids = accounts_operations.reserve_ids(
        addresses=counts.addresses,
        accounts=counts.accounts,
        users=counts.users,
        properties=counts.properties,
        ledger_entries=counts.ledger_entries,
    )
    metering_ids = metering_operations.reserve_ids(meter_points=counts.meter_points, meters=counts.meters)
    rows = _mapping.rows(
        supplier=supplier,
        parts=parts,
        catalogue=catalogue,
        now=now,
        account_ids=account_ids,
        metering_ids=metering_ids,
        numbers=accounts_operations.free_account_numbers(count=counts.accounts),
        public_ids=accounts_operations.free_property_public_ids(count=counts.properties),
        known_users=accounts_queries.user_ids_by_email(emails=_mapping.customer_emails(parts)),
    )
    accounts_operations.copy_addresses(rows=rows.addresses, now=now)
    accounts_operations.copy_accounts(rows=rows.accounts, created_at=now)
    accounts_operations.copy_users(users=rows.users, roles=rows.roles, now=now)
    accounts_operations.copy_properties(rows=rows.properties, now=now)
    metering_operations.copy_meter_points(
        meter_points=rows.meter_points, meters=rows.meters, registers=rows.registers, now=now
    )
    metering_operations.copy_meter_readings(
        readings=rows.readings, source=metering_models.ReadingSource.IMPORT, recorded_at=now
    )
    billing_operations.copy_agreements(rows=rows.agreements, now=now)
    accounts_operations.copy_payment_methods(rows=rows.payment_methods, now=now)
    accounts_operations.copy_ledger_entries(rows=rows.ledger_entries, now=now)
    return [(account.id, account.number) for account in rows.accounts]
