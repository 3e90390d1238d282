"""Posting to ledgers: append-only entries in the ledger's currency."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from accounts import models
from accounts.operations._audit import record_audit


class CurrencyMismatch(ValueError):
    """An entry's currency differs from its ledger's."""


class ZeroAmount(ValueError):
    """A ledger entry of nothing."""


def post_ledger_entry(
    *,
    ledger: models.Ledger,
    amount: int,
    currency: str,
    kind: str,
    description: str,
    posted_at: datetime,
    reference: str = "",
    created_by: models.User | None = None,
) -> models.LedgerEntry:
    """Append an entry to a ledger, with its audit row.

    Raises CurrencyMismatch, ZeroAmount, IntegrityError if `reference` was already posted.
    """
    if currency != ledger.currency:
        raise CurrencyMismatch(f"Ledger {ledger} is in {ledger.currency}, not {currency}")
    if amount == 0:
        raise ZeroAmount("A ledger entry must move money")
    with transaction.atomic():
        entry = models.LedgerEntry.objects.create(
            ledger=ledger,
            amount=amount,
            currency=currency,
            kind=kind,
            description=description,
            reference=reference,
            posted_at=posted_at,
            created_by=created_by,
        )
        record_audit(
            action=f"LEDGER_{kind}",
            obj=entry,
            account=ledger.account,
            actor=created_by,
            data={"amount": amount, "currency": currency, "reference": reference},
            occurred_at=posted_at,
        )
    return entry
