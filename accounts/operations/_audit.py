"""Audit rows: every state change that matters leaves one (DESIGN.md, "Data rules")."""

from __future__ import annotations

from datetime import datetime

from accounts import models


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
