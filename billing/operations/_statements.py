"""Pre-Kraken (historical) statements loaded by data import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from billing import models
from billing.operations._bills import AlreadyBilled


@dataclass(frozen=True)
class HistoricalStatement:
    """A statement the previous supplier issued, for `import_historical_statements`. Its period runs
    over whole days, `first_day` to `last_day` inclusive; `gross_amount` is in minor units."""

    statement_id: str
    first_day: date
    last_day: date
    issued_on: date | None = None
    number: str = ""
    gross_amount: int | None = None
    document_path: str = ""


class HistoricalStatementExists(ValueError):
    """The account already has a statement with one of these ids (or the ids repeat)."""


class InvalidStatementPeriod(ValueError):
    """A statement whose last day is before its first."""


def import_historical_statements(
    *,
    account: accounts_models.Account,
    statements: list[HistoricalStatement],
    tz: ZoneInfo,
    imported_at: datetime,
) -> list[models.Bill]:
    """Record an account's pre-Kraken statements as PRE_KRAKEN bills (no lines, no ledger charge:
    their transactions are imported separately), all or nothing, with one audit row. Each period is
    `[first_day 00:00, last_day + 1 00:00)` in `tz`; a statement without an issue date counts as
    issued when its period ends. Idempotent on (account, statement id), which the database enforces.

    Raises InvalidStatementPeriod, HistoricalStatementExists, AlreadyBilled (a period overlaps a
    live bill of the account).
    """
    for statement in statements:
        if statement.last_day < statement.first_day:
            raise InvalidStatementPeriod(
                f"Statement {statement.statement_id} ends on {statement.last_day}, before it starts"
            )
    bills = [
        models.Bill(
            account=account,
            bill_type=models.BillType.PRE_KRAKEN,
            period_start=_day_start(statement.first_day, tz),
            period_end=_day_start(statement.last_day + timedelta(days=1), tz),
            currency=account.currency,
            subtotal=statement.gross_amount or 0,
            tax=0,
            total=statement.gross_amount or 0,
            issued_at=_day_start(statement.issued_on or statement.last_day + timedelta(days=1), tz),
            external_identifier=statement.statement_id,
            external_number=statement.number,
            document_path=statement.document_path,
        )
        for statement in statements
    ]
    try:
        with transaction.atomic():
            models.Bill.objects.bulk_create(bills)
            accounts_operations.record_audit(
                action="HISTORICAL_STATEMENTS_IMPORTED",
                obj=account,
                account=account,
                occurred_at=imported_at,
                data={
                    "statement_ids": [s.statement_id for s in statements],
                    "bill_ids": [b.pk for b in bills],
                },
            )
    except IntegrityError as error:
        ids = [statement.statement_id for statement in statements]
        # A statement posted again also overlaps itself: which constraint Postgres names is chance.
        if len(set(ids)) < len(ids) or account.bills.filter(external_identifier__in=ids).exists():
            raise HistoricalStatementExists(f"{account} already has one of these statements") from error
        if "no_overlapping_live_bills_per_account" in str(error):
            raise AlreadyBilled(f"{account} already has a bill overlapping one of these periods") from error
        raise
    return bills


def _day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)
