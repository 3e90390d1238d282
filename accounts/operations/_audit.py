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
    actor: models.User | None = None,
    data: dict | None = None,
) -> models.AuditEntry:
    """Leave an audit row for a state change that matters. Call inside the operation's transaction."""
    row = audit_row(
        action=action,
        obj=obj,
        account_id=account.pk if account is not None else None,
        occurred_at=occurred_at,
        actor=actor,
        data=data,
    )
    row.save(force_insert=True)
    return row


def record_audits(*, rows: list[models.AuditEntry]) -> None:
    """Leave many audit rows (built with `audit_row`) in one statement, inside the caller's transaction."""
    models.AuditEntry.objects.bulk_create(rows, batch_size=2000)


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
