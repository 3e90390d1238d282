"""Rules on the other request documents: process, v2 task parameters, and the post-import requests
(historical statements, transactions, notes, payment instruction). Checks that depend on stored
state read `ctx.lookup`, which the operation fills before validating (one query per request)."""

from __future__ import annotations

from datetime import timedelta

from imports.rules import base
from imports.rules import checks as c
from imports.rules.base import as_datetime, items, present
from imports.rules.registry import REGISTRY

R = REGISTRY
MAX_SCHEDULE_AHEAD = timedelta(days=4)


def _account_not_found(n, ctx):
    return ctx.lookup.get("process_exists") and not ctx.lookup.get("account_number")


def _process_missing(n, ctx):
    return not ctx.lookup.get("process_exists")


def _migration_not_ongoing(n, ctx):
    return ctx.supplier.migration_status != "ONGOING"


POST_IMPORT = (
    ("account_not_found", _account_not_found),
    ("import_process_does_not_exist", _process_missing),
    ("import_supplier_migration_not_ongoing", _migration_not_ongoing),
)

R.group("AccountNote", document=base.NOTES).rules(*POST_IMPORT)
R.group("CreateAccountNotesResponse", document=base.NOTES, locations=("notes[]",)).rules(
    ("note_body_or_document_path_not_found", c.neither("body", "document_paths")),
    (
        "note_unpin_at_earlier_than_creation_date",
        lambda n, ctx: (
            present(n, "unpin_at")
            and present(n, "created_at")
            and as_datetime(n["unpin_at"]) < as_datetime(n["created_at"])
        ),
    ),
)
R.group("CreatePaymentInstructionError", document=base.PAYMENT_INSTRUCTION, locations=("",)).rules(
    *POST_IMPORT
)
R.group("HistoricalStatements", document=base.HISTORICAL_STATEMENTS).rules(
    *POST_IMPORT,
    (
        "account_not_found",
        lambda n, ctx: bool(items(n, "statements")) and not ctx.lookup.get("account_number"),
    ),
    (
        "historical_statement_already_exists",
        lambda n, ctx: any(
            isinstance(s, dict) and s.get("statement_id") in ctx.lookup.get("statement_ids", ())
            for s in items(n, "statements")
        ),
    ),
)
R.group("LegacyPaymentInstruction", document=base.PAYMENT_INSTRUCTION).rules(
    *POST_IMPORT,
    ("mutually_exclusive_field_required", c.not_exactly_one("instruction_reference", "reference")),
)
R.group("LegacyPaymentInstruction.ledger_code", document=base.PAYMENT_INSTRUCTION).rules(
    ("ledger_code_does_not_exist", c.not_in("ledger_codes")),
)
R.group("ProcessAccountImportProcess", document=base.PROCESS).rules(
    ("import_process_does_not_exist", _process_missing),
    (
        "operations_team_provided_when_using_auto_allocation",
        lambda n, ctx: ctx.supplier.auto_allocates_operations_team and present(n, "operations_team_name"),
    ),
    (
        "operations_team_should_be_provided",
        lambda n, ctx: (
            not ctx.supplier.auto_allocates_operations_team and not present(n, "operations_team_name")
        ),
    ),
)
R.group("ProcessAccountImportProcess.operations_team_name", document=base.PROCESS).rules(
    ("operations_team_name_does_not_exist", c.not_in("operations_teams")),
)


def _window_defaults(n, ctx):
    """Fill missing window ends (start now, end 4 days later), then check start is before end."""
    start = as_datetime(n.get("schedule_window_start")) or ctx.now
    end = as_datetime(n.get("schedule_window_end")) or start + MAX_SCHEDULE_AHEAD
    n["schedule_window_start"], n["schedule_window_end"] = start.isoformat(), end.isoformat()
    return start >= end


R.group("TaskParameters.schedule_window_end", document=base.TASK_PARAMS).rules(
    (
        "schedule_window_end_too_far_in_future",
        lambda v, ctx, parent: as_datetime(v) > ctx.now + MAX_SCHEDULE_AHEAD,
    ),
)
R.group("TaskParameters.schedule_window_start", document=base.TASK_PARAMS).rules(
    ("schedule_window_start_in_past", lambda v, ctx, parent: as_datetime(v) < ctx.now - timedelta(minutes=1)),
)
R.group("TaskParameters", document=base.TASK_PARAMS).rules(
    ("schedule_window_start__after_end", _window_defaults)
)
R.group("Transactions", document=base.TRANSACTIONS).rules(
    *POST_IMPORT,
    (
        "duplicate_transaction_ids",
        lambda n, ctx: base.duplicates(
            t.get("transaction_id")
            for t in items(n, "transactions")
            if isinstance(t, dict) and t.get("transaction_id")
        ),
    ),
    (
        "missing_transaction_id",
        lambda n, ctx: any(
            isinstance(t, dict) and not present(t, "transaction_id") for t in items(n, "transactions")
        ),
    ),
)
