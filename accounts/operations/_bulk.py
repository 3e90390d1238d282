"""Bulk creation for data import: many accounts, users, properties and entries per statement,
written with COPY (`kernel.bulk`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from django.db import transaction
from django.db.models import F

from accounts import models
from accounts.operations._accounts import MAX_ACCOUNT_NUMBER_ATTEMPTS
from accounts.operations._audit import audit_row
from accounts.operations._ledgers import CurrencyMismatch, ZeroAmount
from kernel import bulk


@dataclasses.dataclass(frozen=True)
class NewLedgerEntry:
    """One posting for `post_ledger_entries`, with the arguments of `post_ledger_entry`."""

    ledger: models.Ledger
    amount: int
    currency: str
    kind: str
    description: str
    posted_at: datetime
    reference: str = ""
    created_by: models.User | None = None


def post_ledger_entries(*, entries: list[NewLedgerEntry]) -> list[models.LedgerEntry]:
    """`post_ledger_entry` for many entries (any ledgers) in two statements: the entries, then one
    audit row each, in one transaction (a savepoint inside the caller's). All or nothing: every
    entry is checked before anything is written. Returns the entries in the order given.

    Raises CurrencyMismatch, ZeroAmount, IntegrityError if a `reference` was already posted to
    its ledger (or twice in `entries`).
    """
    for entry in entries:
        if entry.currency != entry.ledger.currency:
            raise CurrencyMismatch(
                f"Ledger {entry.ledger.pk} is in {entry.ledger.currency}, not {entry.currency}"
            )
        if entry.amount == 0:
            raise ZeroAmount("A ledger entry must move money")
    if not entries:
        return []
    rows = [
        models.LedgerEntry(
            ledger=entry.ledger,
            amount=entry.amount,
            currency=entry.currency,
            kind=entry.kind,
            description=entry.description,
            reference=entry.reference,
            posted_at=entry.posted_at,
            created_by=entry.created_by,
        )
        for entry in entries
    ]
    with transaction.atomic():
        models.LedgerEntry.objects.bulk_create(rows)
        models.AuditEntry.objects.bulk_create(
            [
                audit_row(
                    action=f"LEDGER_{entry.kind}",
                    obj=row,
                    account_id=entry.ledger.account_id,
                    actor=entry.created_by,
                    data={"amount": entry.amount, "currency": entry.currency, "reference": entry.reference},
                    occurred_at=entry.posted_at,
                )
                for entry, row in zip(entries, rows, strict=True)
            ]
        )
    return rows


class ReservedIds(NamedTuple):
    """Primary keys drawn for rows written with COPY, per table, ascending (`reserve_ids`)."""

    addresses: list[int]
    accounts: list[int]
    ledgers: list[int]
    users: list[int]
    properties: list[int]
    ledger_entries: list[int]


def reserve_ids(
    *, addresses: int, accounts: int, users: int, properties: int, ledger_entries: int
) -> ReservedIds:
    """Draw primary keys for the rows `copy_*` will write, in one query: `accounts` ids for accounts
    and as many for their energy ledgers. Ids drawn and not used stay gaps."""
    drawn = bulk.reserve_ids(
        counts={
            models.Address: addresses,
            models.Account: accounts,
            models.Ledger: accounts,
            models.User: users,
            models.Property: properties,
            models.LedgerEntry: ledger_entries,
        }
    )
    return ReservedIds(
        addresses=drawn[models.Address],
        accounts=drawn[models.Account],
        ledgers=drawn[models.Ledger],
        users=drawn[models.User],
        properties=drawn[models.Property],
        ledger_entries=drawn[models.LedgerEntry],
    )


def free_account_numbers(*, count: int) -> list[str]:
    """`count` fresh random public account numbers, distinct, none of them taken (one query per
    draw; a clash is vanishingly rare). A concurrent insert can still take one: COPY then refuses it."""
    numbers: list[str] = []
    for _ in range(MAX_ACCOUNT_NUMBER_ATTEMPTS):
        drawn = {models.generate_account_number() for _ in range(count - len(numbers))} - set(numbers)
        taken = set(
            models.Account.objects.filter(bulk.AnyOf(F("number"), drawn)).values_list("number", flat=True)
        )
        numbers += sorted(drawn - taken)
        if len(numbers) == count:
            return numbers
    raise RuntimeError("Could not find free account numbers")


def free_property_public_ids(*, count: int) -> list[int]:
    """`count` random property public ids, distinct, none of them taken (as `free_account_numbers`)."""
    public_ids: list[int] = []
    for _ in range(MAX_ACCOUNT_NUMBER_ATTEMPTS):
        drawn = {models.new_property_public_id() for _ in range(count - len(public_ids))} - set(public_ids)
        taken = set(
            models.Property.objects.filter(bulk.AnyOf(F("public_id"), drawn)).values_list(
                "public_id", flat=True
            )
        )
        public_ids += sorted(drawn - taken)
        if len(public_ids) == count:
            return public_ids
    raise RuntimeError("Could not find free property numbers")


class AddressRow(NamedTuple):
    id: int
    line_1: str
    line_2: str
    line_3: str
    locality: str
    administrative_area: str
    postcode: str
    country: str
    delivery_point_identifier: str = ""


class AccountRow(NamedTuple):
    """An account and its energy ledger (`ledger_id`), for `copy_accounts`."""

    id: int
    ledger_id: int
    number: str
    billing_name: str
    billing_address_id: int | None
    currency: str
    account_type: str
    status: str = models.AccountStatus.ACTIVE
    billing_email: str = ""
    billing_sub_name: str = ""


class UserRow(NamedTuple):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    mobile: str
    landline: str
    date_of_birth: date | None
    password: str
    title: str = ""
    pronouns: str = ""


class AccountUserRoleRow(NamedTuple):
    account_id: int
    user_id: int


class PropertyRow(NamedTuple):
    id: int
    public_id: int
    account_id: int
    address_id: int
    occupied_from: datetime
    occupied_to: datetime | None


class PaymentMethodRow(NamedTuple):
    account_id: int
    method_type: str
    vendor: str
    vendor_reference: str


class LedgerEntryRow(NamedTuple):
    """A posting for `copy_ledger_entries`; `account_id` is the ledger's account (for its audit row)."""

    id: int
    ledger_id: int
    account_id: int
    amount: int
    currency: str
    kind: str
    description: str
    reference: str
    posted_at: datetime


class _LedgerRow(NamedTuple):
    id: int
    account_id: int
    ledger_type: str
    currency: str


class _AccountColumns(NamedTuple):
    id: int
    number: str
    billing_name: str
    billing_address_id: int | None
    currency: str
    account_type: str
    status: str
    billing_email: str
    billing_sub_name: str


class _EntryColumns(NamedTuple):
    id: int
    ledger_id: int
    amount: int
    currency: str
    kind: str
    description: str
    reference: str
    posted_at: datetime


class AuditRow(NamedTuple):
    """An audit row for COPY (no actor)."""

    account_id: int | None
    action: str
    object_type: str
    object_id: str
    data: dict
    occurred_at: datetime


def copy_addresses(*, rows: list[AddressRow], now: datetime) -> None:
    """Write addresses with COPY (ids from `reserve_ids`). Raises IntegrityError."""
    bulk.copy_rows(model=models.Address, rows=rows, now=now, binary=True)


def copy_accounts(*, rows: list[AccountRow], created_at: datetime) -> None:
    """Many accounts with COPY: the accounts under the given ids and numbers (from `reserve_ids` and
    `free_account_numbers`), their energy ledgers in the account's currency and one ACCOUNT_CREATED
    audit row each. Billing addresses must be written already.

    Raises IntegrityError if a number is taken (nothing is written if the caller rolls back).
    """
    bulk.copy_rows(
        model=models.Account,
        rows=[
            _AccountColumns(
                r.id,
                r.number,
                r.billing_name,
                r.billing_address_id,
                r.currency,
                r.account_type,
                r.status,
                r.billing_email,
                r.billing_sub_name,
            )
            for r in rows
        ],
        now=created_at,
        binary=True,
    )
    bulk.copy_rows(
        model=models.Ledger,
        rows=[_LedgerRow(r.ledger_id, r.id, models.LedgerType.ENERGY, r.currency) for r in rows],
        now=created_at,
        binary=True,
    )
    bulk.copy_rows(
        model=models.AuditEntry,
        rows=[AuditRow(r.id, "ACCOUNT_CREATED", "Account", str(r.id), {}, created_at) for r in rows],
        now=created_at,
        binary=True,
    )


def copy_users(*, users: list[UserRow], roles: list[AccountUserRoleRow], now: datetime) -> None:
    """Write new users and their ADMIN roles on accounts with COPY. Raises IntegrityError (an
    email or a role taken)."""
    bulk.copy_rows(model=models.User, rows=users, now=now, binary=True)
    bulk.copy_rows(model=models.AccountUserRole, rows=roles, now=now, binary=True)


def copy_properties(*, rows: list[PropertyRow], now: datetime) -> None:
    """Write properties with COPY (ids and public ids drawn beforehand). Raises IntegrityError."""
    bulk.copy_rows(model=models.Property, rows=rows, now=now, binary=True)


def copy_payment_methods(*, rows: list[PaymentMethodRow], now: datetime) -> None:
    """Write ACTIVE payment methods with COPY. Raises IntegrityError (a vendor reference taken, or
    a second active method on an account)."""
    bulk.copy_rows(model=models.PaymentMethod, rows=rows, now=now, binary=True)


def copy_ledger_entries(
    *, rows: list[LedgerEntryRow], now: datetime, more_audits: Sequence[AuditRow] = ()
) -> None:
    """`post_ledger_entries` with COPY: the entries under the given ids, then one audit row each
    (and `more_audits`, the caller's own, in the same COPY: one round trip fewer for a billing
    chunk). Every entry is checked before anything is written; the database checks again that each
    entry's currency is its ledger's (composite foreign key) and keeps entries append-only.

    Raises ZeroAmount, IntegrityError (a currency other than the ledger's, a reference already
    posted to the ledger).
    """
    for row in rows:
        if row.amount == 0:
            raise ZeroAmount("A ledger entry must move money")
    bulk.copy_rows(
        model=models.LedgerEntry,
        rows=[
            _EntryColumns(
                r.id, r.ledger_id, r.amount, r.currency, r.kind, r.description, r.reference, r.posted_at
            )
            for r in rows
        ],
        now=now,
        binary=True,
    )
    bulk.copy_rows(
        model=models.AuditEntry,
        rows=[
            *(
                AuditRow(
                    r.account_id,
                    f"LEDGER_{r.kind}",
                    "LedgerEntry",
                    str(r.id),
                    {"amount": r.amount, "currency": r.currency, "reference": r.reference},
                    r.posted_at,
                )
                for r in rows
            ),
            *more_audits,
        ],
        now=now,
        binary=True,
    )
