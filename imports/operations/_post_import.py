"""Writes on accounts imported already: notes, transactions, a payment instruction and historical
statements. Each request is validated once, against what `post_import_lookup` found."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from accounts import queries as accounts_queries
from billing import operations as billing_operations
from billing import queries as billing_queries
from imports import error_codes, models
from imports.operations._base import ImportError_, RollBack
from imports.operations._mapping import PAYMENT_METHOD_TYPES, midnight, minor_units
from imports.operations._validation import ValidationFailed, check_storable, validate_document
from imports.rules import base

TRANSACTION_KINDS = {
    "CHARGE": (accounts_models.LedgerEntryKind.CHARGE, -1),
    "SUPPLY_CHARGE": (accounts_models.LedgerEntryKind.CHARGE, -1),
    "REPAYMENT": (accounts_models.LedgerEntryKind.REFUND, -1),
    "CREDIT": (accounts_models.LedgerEntryKind.CREDIT, 1),
    "PAYMENT": (accounts_models.LedgerEntryKind.PAYMENT, 1),
}
MAX_STATEMENT_AMOUNT = 10**15


def post_import_lookup(*, supplier: models.ImportSupplier, external_account_number: str | None) -> dict:
    """What the post-import rules check (`RuleContext.lookup`): whether the process exists, and the
    account it created (with its number), if any. One query. Raises nothing."""
    process = (
        models.AccountImportProcess.objects.filter(
            supplier=supplier, external_account_number=external_account_number or ""
        )
        .select_related("account")
        .first()
    )
    return {
        "process_exists": process is not None,
        "account_number": process.account.number if process and process.account_id else None,
        "account": process.account if process and process.account_id else None,
    }


def create_notes(*, supplier: models.ImportSupplier, body: dict, now: datetime) -> list[dict]:
    """Add notes to an imported account; a note with the same body and created_at is not re-added.
    Returns each note's status. Raises ValidationFailed."""
    check_storable(document=body)
    lookup = post_import_lookup(
        supplier=supplier,
        external_account_number=body.get("external_account_number") or body.get("account_number"),
    )
    validate_document(supplier=supplier, document=base.NOTES, data=body, now=now, lookup=lookup)
    account = lookup["account"]
    existing = accounts_queries.note_keys(account=account)
    results = []
    with transaction.atomic():
        for note in body.get("notes") or []:
            created_at = base.as_datetime(note.get("created_at")) or now
            body_text = note.get("body") or ""
            status = "NOTE_ALREADY_EXISTS" if (body_text, created_at) in existing else "NOTE_CREATION_SUCCESS"
            if status == "NOTE_CREATION_SUCCESS":
                accounts_operations.add_note(account=account, body=body_text, created_at=created_at)
                existing.add((body_text, created_at))
            results.append({"created_at": created_at.isoformat(), "body": body_text, "status": status})
    return results


def create_transactions(*, supplier: models.ImportSupplier, body: dict, now: datetime) -> list[dict]:
    """Post an imported account's transactions to its energy ledger; a transaction id already on
    the ledger is reported, not posted twice. Dry runs roll back. Returns each transaction's status.
    Raises ValidationFailed."""
    check_storable(document=body)
    lookup = post_import_lookup(
        supplier=supplier,
        external_account_number=body.get("external_account_number") or body.get("account_number"),
    )
    validate_document(supplier=supplier, document=base.TRANSACTIONS, data=body, now=now, lookup=lookup)
    ledger = accounts_queries.energy_ledger(account=lookup["account"])
    transactions = [t for t in body.get("transactions") or [] if isinstance(t, dict)]
    existing = accounts_queries.posted_references(
        ledger=ledger, references=[t["transaction_id"] for t in transactions]
    )
    results = []
    try:
        with transaction.atomic():
            for item in transactions:
                if item["transaction_id"] in existing:
                    results.append({"status": "TRANSACTION_ALREADY_EXISTS", "transaction_data": item})
                    continue
                kind, sign = TRANSACTION_KINDS[item["type"]]
                entry = accounts_operations.post_ledger_entry(
                    ledger=ledger,
                    amount=sign * minor_units(item.get("amount"), ledger.currency),
                    currency=ledger.currency,
                    kind=kind,
                    description=(item.get("reason") or item["type"])[:255],
                    posted_at=midnight(item.get("transaction_date")) or now,
                    reference=item["transaction_id"][:128],
                )
                existing.add(item["transaction_id"])
                results.append(
                    {
                        "added_transaction_id": entry.pk,
                        "status": "TRANSACTION_ADDED_TO_ACCOUNT",
                        "transaction_data": item,
                    }
                )
            if body.get("dry_run") is True:
                raise RollBack
    except RollBack:
        pass
    return results


class AccountHasActiveInstruction(ImportError_):
    """The account has an active payment method (or another account holds the reference)."""

    code = error_codes.ACCOUNT_HAS_ACTIVE_INSTRUCTION


def create_payment_instruction(
    *, supplier: models.ImportSupplier, body: dict, now: datetime
) -> tuple[str, str]:
    """Give an imported account its payment instruction. Returns (account number, reference).
    Raises ValidationFailed, AccountHasActiveInstruction."""
    check_storable(document=body)
    lookup = post_import_lookup(
        supplier=supplier, external_account_number=body.get("external_account_number")
    )
    validate_document(supplier=supplier, document=base.PAYMENT_INSTRUCTION, data=body, now=now, lookup=lookup)
    account = lookup["account"]
    reference = body.get("reference") or body.get("instruction_reference")
    try:
        accounts_operations.add_payment_method(
            account=account,
            method_type=PAYMENT_METHOD_TYPES.get(body["type"], "DIRECT_DEBIT"),
            vendor=body["vendor"][:64],
            vendor_reference=reference[:255],
        )
    except accounts_operations.PaymentMethodConflict:
        raise AccountHasActiveInstruction("Account already has an active instruction") from None
    return account.number, reference


class StatementsRefused(ImportError_):
    """The database refused the statements (a race re-posting them, or a period already billed)."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code


def create_historical_statements(*, supplier: models.ImportSupplier, body: dict, now: datetime) -> dict:
    """Record an imported account's pre-Kraken statements as PRE_KRAKEN bills, all or nothing.
    Returns the validated body. Re-posting a statement id the account has creates nothing: the
    validators report it, and a concurrent re-post is refused by the database key.

    Raises ValidationFailed, StatementsRefused.
    """
    check_storable(document=body)
    lookup = post_import_lookup(
        supplier=supplier, external_account_number=body.get("external_account_number")
    )
    statements = [s for s in body.get("statements") or [] if isinstance(s, dict)]
    if lookup["account"] is not None:
        lookup["statement_ids"] = billing_queries.historical_statement_ids(
            account=lookup["account"],
            statement_ids=[s["statement_id"] for s in statements if isinstance(s.get("statement_id"), str)],
        )
    normalised = validate_document(
        supplier=supplier, document=base.HISTORICAL_STATEMENTS, data=body, now=now, lookup=lookup
    )
    rows, failures = _statement_rows(normalised["statements"])
    if failures:
        raise ValidationFailed(failures)
    if not rows:
        return normalised
    try:
        billing_operations.import_historical_statements(
            account=lookup["account"],
            statements=rows,
            tz=billing_queries.billing_time_zone(),
            imported_at=now,
        )
    except billing_operations.HistoricalStatementExists as exc:
        raise StatementsRefused(error_codes.HISTORICAL_STATEMENT_ALREADY_EXISTS, str(exc)) from exc
    except billing_operations.AlreadyBilled as exc:
        raise StatementsRefused(error_codes.HISTORICAL_STATEMENT_PERIOD_ALREADY_BILLED, str(exc)) from exc
    return normalised


def _statement_rows(
    statements: list[dict],
) -> tuple[list[billing_operations.HistoricalStatement], list[base.Failure]]:
    """The validated statements as billing rows, and the failures of what neither the schema (real
    dates, checked there) nor the rules say: a period in order, sizes the database holds."""
    rows, failures = [], []

    def fail(index: int, field: str, code: str, detail: str) -> None:
        failures.append(base.Failure(f"statements.{index}.{field}", code, detail, "api", 0))

    for index, statement in enumerate(statements):
        before = len(failures)
        if len(statement["statement_id"]) > 128:
            fail(index, "statement_id", error_codes.MAX_LENGTH, "At most 128 characters.")
        if abs(statement.get("gross_amount") or 0) >= MAX_STATEMENT_AMOUNT:
            fail(index, "gross_amount", error_codes.INVALID, "The amount is too large.")
        first_day = base.as_date(statement["bill_period_from_date"])
        last_day = base.as_date(statement["bill_period_to_date"])
        if first_day and last_day and last_day < first_day:
            fail(
                index,
                "bill_period_to_date",
                error_codes.STATEMENT_PERIOD_ENDS_BEFORE_START,
                "The statement ends before it starts.",
            )
        if len(failures) > before:
            continue
        rows.append(
            billing_operations.HistoricalStatement(
                statement_id=statement["statement_id"],
                first_day=first_day,
                last_day=last_day,
                issued_on=base.as_date(statement.get("issued_date")),
                number=(statement.get("number") or "")[:64],
                gross_amount=statement.get("gross_amount"),
                document_path=(statement.get("statement_path") or "")[:512],
            )
        )
    return rows, failures
