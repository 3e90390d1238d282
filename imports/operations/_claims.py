"""Claiming (supplier, external account number) process rows for accounts just written, in raw SQL:
one statement per account, or COPY plus one UPDATE per chunk. A key a concurrent import took is not
claimed, and the caller rolls its accounts back."""

from __future__ import annotations

import json
from datetime import datetime
from typing import NamedTuple

from django.db import connection

from imports import models
from imports.operations._base import EVENT_PROCESSED, event
from kernel import bulk

CLAIM_SQL = """
INSERT INTO imports_accountimportprocess
    (supplier_id, external_account_number, status, payload, account_id, latest_event, task_params,
     created_at, modified_at, processed_at)
VALUES (%s, %s, 'PROCESSED', %s, %s, %s, '{}'::jsonb, %s, %s, %s)
ON CONFLICT (supplier_id, external_account_number) DO UPDATE
    SET status = 'PROCESSED', payload = EXCLUDED.payload, account_id = EXCLUDED.account_id,
        latest_error = NULL, latest_event = EXCLUDED.latest_event, modified_at = EXCLUDED.modified_at,
        processed_at = EXCLUDED.processed_at
    WHERE imports_accountimportprocess.account_id IS NULL AND imports_accountimportprocess.status <> 'CANCELLED'
RETURNING id
"""

CLAIM_STAGED_SQL = """
UPDATE imports_accountimportprocess AS p
SET status = 'PROCESSED', payload = v.payload::jsonb, account_id = v.account_id::bigint,
    latest_error = NULL, latest_event = v.latest_event::jsonb, modified_at = %s, processed_at = %s
FROM (VALUES {values}) AS v (external_account_number, payload, account_id, latest_event)
WHERE p.supplier_id = %s AND p.external_account_number = v.external_account_number
    AND p.account_id IS NULL AND p.status <> 'CANCELLED'
RETURNING p.id
"""


def claim_process(
    *,
    supplier: models.ImportSupplier,
    external_account_number: str,
    payload: dict,
    account: tuple[int, str],
    now: datetime,
) -> int | None:
    """Record the account (id, number) on its (supplier, number) process row in one statement.
    Returns the row's id, or None when the key is taken: a concurrent import of the same key waits
    on the unique index and then finds it taken (or the process is marked to be skipped)."""
    account_id, number = account
    latest_event = json.dumps(event(EVENT_PROCESSED, now, {"kraken_identifier": number}))
    with connection.cursor() as cursor:
        cursor.execute(
            CLAIM_SQL,
            [
                supplier.pk,
                external_account_number,
                json.dumps(payload),
                account_id,
                latest_event,
                now,
                now,
                now,
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


class _ProcessRow(NamedTuple):
    supplier_id: int
    external_account_number: str
    status: str
    payload: dict
    account_id: int
    latest_event: dict
    processed_at: datetime


def claim_processes(
    *,
    supplier: models.ImportSupplier,
    rows: list[tuple[str, dict, tuple[int, str]]],
    staged: set[str],
    now: datetime,
) -> int:
    """`claim_process` for a chunk of (external account number, payload, (account id, number)): new
    keys are written with COPY (in key order, so concurrent chunks lock keys in one order); keys
    staged earlier (PENDING or ERRORED, no account) are claimed with one UPDATE. Returns how many
    rows were claimed; a key a concurrent import took makes COPY raise IntegrityError or the UPDATE
    skip its row."""
    new = sorted((row for row in rows if row[0] not in staged), key=lambda row: row[0])
    process_rows = [
        _ProcessRow(
            supplier.pk,
            external,
            models.ImportProcessStatus.PROCESSED,
            payload,
            account_id,
            event(EVENT_PROCESSED, now, {"kraken_identifier": number}),
            now,
        )
        for external, payload, (account_id, number) in new
    ]
    bulk.copy_rows(model=models.AccountImportProcess, rows=process_rows, now=now, binary=True)
    claimed = len(process_rows)
    again = [row for row in rows if row[0] in staged]
    if again:
        params = []
        for external, payload, (account_id, number) in again:
            latest_event = event(EVENT_PROCESSED, now, {"kraken_identifier": number})
            params += [external, json.dumps(payload), account_id, json.dumps(latest_event)]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(again))
        with connection.cursor() as cursor:
            cursor.execute(CLAIM_STAGED_SQL.format(values=values), [now, now, *params, supplier.pk])
            claimed += len(cursor.fetchall())
    return claimed
