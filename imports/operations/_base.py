"""What the import operations share: the base of their exceptions, the dry-run rollback, and the
events and errors an account import process row records."""

from __future__ import annotations

from datetime import datetime

from imports.rules import base

EVENT_CREATED = "EVENT_ACCOUNT_IMPORT_PROCESS_CREATED"
EVENT_PROCESSED = "EVENT_ACCOUNT_IMPORT_PROCESS_PROCESSED"
EVENT_ERRORED = "EVENT_ACCOUNT_IMPORT_PROCESS_ERRORED"
DRY_RUN_DETAIL = "Account would successfully import. Rolled back due to Dry Run."


class ImportError_(Exception):
    """An anticipated refusal of an import operation; `code` is its exact error code."""

    code = "import_error"


class RollBack(Exception):
    """Raised inside a dry run's transaction to undo everything it wrote."""


def event(name: str, now: datetime, data: dict | None = None) -> dict:
    """A process row's `latest_event`."""
    return {"event": name, "occurred_at": now.isoformat(), "data": data or {}}


def error_of(failure: base.Failure) -> dict:
    """A process row's `latest_error` for a validation failure (the first one is recorded)."""
    return {"code": failure.code, "detail": f"{failure.attr}: {failure.detail}", "domain": "import_process"}
