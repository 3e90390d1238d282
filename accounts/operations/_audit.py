"""Audit rows: every state change that matters leaves one (DESIGN.md, "Data rules")."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from accounts import models
from kernel import bulk


def record_audit(
    *,
    action: str,
    obj: object,
    occurred_at: datetime,
    account: models.Account | None = None,
    account_id: int | None = None,
    actor: models.User | None = None,
    data: dict | None = None,
) -> models.AuditEntry:
    """Leave an audit row for a state change that matters, on `account` (or the account with
    `account_id`, when the caller holds only the id). Call inside the operation's transaction."""
    row = audit_row(
        action=action,
        obj=obj,
        account_id=account.pk if account is not None else account_id,
        occurred_at=occurred_at,
        actor=actor,
        data=data,
    )
    row.save(force_insert=True)
    return row


class _AuditColumns(NamedTuple):
    account_id: int | None
    actor_id: int | None
    action: str
    object_type: str
    object_id: str
    data: dict
    occurred_at: datetime


def record_audits(*, rows: list[models.AuditEntry]) -> None:
    """Leave many audit rows (built with `audit_row`) with one COPY, inside the caller's transaction."""
    if not rows:
        return
    bulk.copy_rows(
        model=models.AuditEntry,
        rows=[
            _AuditColumns(
                row.account_id,
                row.actor_id,
                row.action,
                row.object_type,
                row.object_id,
                row.data,
                row.occurred_at,
            )
            for row in rows
        ],
        now=rows[0].occurred_at,
    )


def audit_row(
    *,
    action: str,
    obj: object,
    account_id: int | None,
    occurred_at: datetime,
    actor: models.User | None = None,
    data: dict | None = None,
) -> models.AuditEntry:
    """The unsaved row `record_audit` would write, for bulk inserts."""
    return models.AuditEntry(
        account_id=account_id,
        actor=actor,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "pk", obj)),
        data=data or {},
        occurred_at=occurred_at,
    )
