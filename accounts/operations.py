"""Writes to accounts and ledgers. Each public function is one business operation in one transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db import models as django_models
from psycopg.types import json as psycopg_json

from accounts import models

MAX_ACCOUNT_NUMBER_ATTEMPTS = 5


class CurrencyMismatch(ValueError):
    """An entry's currency differs from its ledger's."""


class ZeroAmount(ValueError):
    """A ledger entry of nothing."""


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
    row = _audit_row(
        action=action,
        obj=obj,
        account_id=account.pk if account is not None else None,
        occurred_at=occurred_at,
        actor=actor,
        data=data,
    )
    row.save(force_insert=True)
    return row


def create_account(
    *,
    billing_name: str,
    currency: str,
    created_at: datetime,
    billing_address: models.Address | None = None,
    account_type: str = models.AccountType.DOMESTIC,
    status: str = models.AccountStatus.ACTIVE,
    number: str | None = None,
) -> models.Account:
    """Create an account with its energy ledger, under a fresh public number.

    Raises IntegrityError if `number` is given and taken.
    """
    for _ in range(MAX_ACCOUNT_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                account = models.Account.objects.create(
                    billing_name=billing_name,
                    billing_address=billing_address,
                    currency=currency,
                    account_type=account_type,
                    status=status,
                    **({"number": number} if number else {}),
                )
                models.Ledger.objects.create(
                    account=account, ledger_type=models.LedgerType.ENERGY, currency=currency
                )
                record_audit(action="ACCOUNT_CREATED", obj=account, account=account, occurred_at=created_at)
                return account
        except IntegrityError:
            if number:
                raise
    raise RuntimeError("Could not find a free account number")


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


def add_note(
    *, account: models.Account, body: str, created_at: datetime, created_by: models.User | None = None
) -> models.AccountNote:
    return models.AccountNote.objects.create(
        account=account, body=body, created_at=created_at, created_by=created_by
    )


class UnchangedStatus(ValueError):
    """The account already has the requested status."""


def change_account_status(
    *,
    account: models.Account,
    status: str,
    reason: str,
    changed_at: datetime,
    changed_by: models.User | None = None,
) -> models.Account:
    """Move an account to another status, leaving a note with the reason and an audit row.

    Raises UnchangedStatus, ValueError for an unknown status.
    """
    if status not in models.AccountStatus.values:
        raise ValueError(f"Unknown account status {status!r}")
    if account.status == status:
        raise UnchangedStatus(f"{account.number} is already {status}")
    with transaction.atomic():
        previous = account.status
        account.status = status
        account.save(update_fields=["status"])
        models.AccountNote.objects.create(
            account=account,
            body=f"Status {previous} → {status}: {reason}",
            created_at=changed_at,
            created_by=changed_by,
        )
        record_audit(
            action="ACCOUNT_STATUS_CHANGED",
            obj=account,
            account=account,
            actor=changed_by,
            data={"from": previous, "to": status, "reason": reason},
            occurred_at=changed_at,
        )
    return account


# --- Loyalty points ---------------------------------------------------------------------------------

# Octopoints are worth 12.5p each and are redeemed in whole pounds: 8 points for £1.
LOYALTY_POINTS_PER_POUND = 8
LOYALTY_POINT_CURRENCY = "GBP"


class NoLoyaltyPoints(Exception):
    """The user has never had loyalty points (no ledger)."""


class NonPositivePoints(ValueError):
    """Zero or negative points asked for."""


class IndivisiblePoints(ValueError):
    """Points that do not make whole pounds."""


class InsufficientPoints(ValueError):
    """More points than the user holds."""


def award_loyalty_points(
    *,
    user: models.User,
    account: models.Account | None,
    points: int,
    reason: str,
    reference: str,
    posted_at: datetime,
) -> models.LoyaltyPointLedgerEntry:
    """Give a user points. Idempotent on `reference`: awarding the same reference again returns the
    first entry. Raises NonPositivePoints."""
    if points <= 0:
        raise NonPositivePoints(points)
    with transaction.atomic():
        entry, created = models.LoyaltyPointLedgerEntry.objects.get_or_create(
            user=user,
            reference=reference,
            defaults={"account": account, "points": points, "reason": reason, "posted_at": posted_at},
        )
        if created:
            record_audit(
                action="LOYALTY_POINTS_AWARDED",
                obj=entry,
                account=account,
                actor=None,
                data={"points": points, "reason": reason, "reference": reference},
                occurred_at=posted_at,
            )
    return entry


def redeem_loyalty_points(
    *, user: models.User, account: models.Account, points: int, now: datetime
) -> models.LedgerEntry:
    """Turn a user's points into a credit on the account's energy ledger, 8 points to £1. The points
    leave the user's loyalty ledger and the credit is posted in the same transaction; a lock on the
    user keeps concurrent redemptions from spending the same points twice.

    Raises NonPositivePoints, IndivisiblePoints, NoLoyaltyPoints, InsufficientPoints,
    CurrencyMismatch for an account not billed in pounds, Ledger.DoesNotExist without an energy ledger.
    """
    if points <= 0:
        raise NonPositivePoints(points)
    if points % LOYALTY_POINTS_PER_POUND:
        raise IndivisiblePoints(points)
    if account.currency != LOYALTY_POINT_CURRENCY:
        raise CurrencyMismatch(f"Loyalty points pay out in {LOYALTY_POINT_CURRENCY}, not {account.currency}")
    with transaction.atomic():
        models.User.objects.select_for_update().filter(pk=user.pk).first()
        entries = models.LoyaltyPointLedgerEntry.objects.filter(user=user)
        if not entries.exists():
            raise NoLoyaltyPoints(user.pk)
        if entries.balance() < points:
            raise InsufficientPoints(points)
        ledger = models.Ledger.objects.get(account=account, ledger_type=models.LedgerType.ENERGY)
        redemption = models.LoyaltyPointLedgerEntry.objects.create(
            user=user,
            account=account,
            points=-points,
            reason=models.LoyaltyPointReason.ACCOUNT_CREDIT_REDEMPTION,
            posted_at=now,
        )
        return post_ledger_entry(
            ledger=ledger,
            amount=points // LOYALTY_POINTS_PER_POUND * 100,
            currency=LOYALTY_POINT_CURRENCY,
            kind=models.LedgerEntryKind.CREDIT,
            description=f"{points} loyalty points redeemed",
            posted_at=now,
            reference=f"loyalty-redemption-{redemption.pk}",
            created_by=user,
        )


# --- Comms preferences ----------------------------------------------------------------------------

COMMS_PREFERENCE_FIELDS = (
    "is_opted_in_to_client_messages",
    "is_opted_in_to_offer_messages",
    "is_opted_in_to_recommended_messages",
    "is_opted_in_to_update_messages",
    "is_opted_in_to_third_party_messages",
    "is_opted_in_meter_reading_confirmations",
    "is_opted_in_to_sms_messages",
    "is_using_inverted_email_colours",
    "font_size_multiplier",
    "email_format",
    "preferred_hold_music",
)
FONT_SIZE_MULTIPLIER_RANGE = (Decimal("0.5"), Decimal("3"))


class InvalidCommsPreferences(ValueError):
    """Comms preferences out of range; `errors` maps each bad field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def update_comms_preferences(*, user: models.User, changes: dict, now: datetime) -> models.CommsPreferences:
    """Set some of a user's comms preferences (`changes` maps field names of COMMS_PREFERENCE_FIELDS
    to new values; the others keep theirs). Idempotent: setting the values a user already has
    writes nothing and leaves no audit row.

    Raises InvalidCommsPreferences (nothing is saved) and KeyError for an unknown field name.
    """
    for name in changes:
        if name not in COMMS_PREFERENCE_FIELDS:
            raise KeyError(name)
    errors: dict[str, list[str]] = {}
    if "font_size_multiplier" in changes:
        try:
            size = Decimal(str(changes["font_size_multiplier"])).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        except InvalidOperation:
            size = None
        low, high = FONT_SIZE_MULTIPLIER_RANGE
        if size is None or not low <= size <= high:
            errors["font_size_multiplier"] = [f"Must be between {low} and {high}."]
        else:
            changes = {**changes, "font_size_multiplier": size}
    if "email_format" in changes and changes["email_format"] not in models.EmailFormat.values:
        errors["email_format"] = [f"Must be one of {', '.join(models.EmailFormat.values)}."]
    hold_music = {value for value, _ in models.HOLD_MUSIC_CHOICES}
    if "preferred_hold_music" in changes and changes["preferred_hold_music"] not in hold_music:
        errors["preferred_hold_music"] = ["Unknown song."]
    if errors:
        raise InvalidCommsPreferences(errors)
    with transaction.atomic():
        models.User.objects.select_for_update().filter(pk=user.pk).first()
        prefs = models.CommsPreferences.objects.filter(user=user).first()
        created = prefs is None
        if created:
            prefs = models.CommsPreferences(user=user)
        changed = {k: v for k, v in changes.items() if getattr(prefs, k) != v}
        if not created and not changed:
            return prefs
        for name, value in changed.items():
            setattr(prefs, name, value)
        prefs.updated_at = now
        prefs.save()
        record_audit(
            action="COMMS_PREFERENCES_UPDATED",
            obj=prefs,
            actor=user,
            data={k: str(v) for k, v in changed.items()},
            occurred_at=now,
        )
    return prefs


# --- Bulk creation (data import) ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NewAccount:
    """One account for `create_accounts`; `number` None means a fresh random public number."""

    billing_name: str
    currency: str
    billing_address: models.Address | None = None
    account_type: str = models.AccountType.DOMESTIC
    status: str = models.AccountStatus.ACTIVE
    number: str | None = None


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


def create_accounts(*, rows: list[NewAccount], created_at: datetime) -> list[models.Account]:
    """`create_account` for many accounts in a few statements, whatever their number: the accounts,
    their energy ledgers and one ACCOUNT_CREATED audit row each, one bulk insert per table, in one
    transaction (a savepoint inside the caller's). Returns the accounts in the order of `rows`.
    Addresses must be saved already.

    Raises IntegrityError if a given `number` is taken (nothing is written); a clash of fresh
    random numbers is retried with new ones, as `create_account` does.
    """
    if not rows:
        return []
    for _ in range(MAX_ACCOUNT_NUMBER_ATTEMPTS):
        accounts = [
            models.Account(
                billing_name=row.billing_name,
                billing_address=row.billing_address,
                currency=row.currency,
                account_type=row.account_type,
                status=row.status,
                **({"number": row.number} if row.number else {}),
            )
            for row in rows
        ]
        try:
            with transaction.atomic():
                models.Account.objects.bulk_create(accounts)
                models.Ledger.objects.bulk_create(
                    [
                        models.Ledger(
                            account=account, ledger_type=models.LedgerType.ENERGY, currency=account.currency
                        )
                        for account in accounts
                    ]
                )
                models.AuditEntry.objects.bulk_create(
                    [
                        _audit_row(
                            action="ACCOUNT_CREATED",
                            obj=account,
                            account_id=account.pk,
                            occurred_at=created_at,
                        )
                        for account in accounts
                    ]
                )
                return accounts
        except IntegrityError:
            numbers = [account.number for account in accounts]
            generated = {number for number, row in zip(numbers, rows, strict=True) if not row.number}
            clashes = {number for number in numbers if numbers.count(number) > 1} | set(
                models.Account.objects.filter(number__in=numbers).values_list("number", flat=True)
            )
            if not clashes or clashes - generated:
                raise
    raise RuntimeError("Could not find free account numbers")


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
                _audit_row(
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


def _audit_row(
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


# --- Bulk loading with COPY (data import) ---------------------------------------------------------
#
# Rows are plain named tuples whose fields are the table's columns (ids drawn beforehand with
# `reserve_ids`), written with COPY inside the caller's transaction. COPY honours every constraint
# and trigger an INSERT does (unique keys, checks, foreign keys, the ledger's composite key): a
# refused row raises IntegrityError and the caller's transaction (or savepoint) must roll back.


def reserve_ids(
    *, counts: Mapping[type[django_models.Model], int]
) -> dict[type[django_models.Model], list[int]]:
    """Draw ids from each model's primary-key sequence, `count` per model, in one query. Ids drawn
    and not used stay gaps, as after any rolled-back insert."""
    wanted = [(model, count) for model, count in counts.items() if count > 0]
    ids: dict[type[django_models.Model], list[int]] = {model: [] for model in counts}
    if not wanted:
        return ids
    sql = "SELECT " + ", ".join(
        "(SELECT array_agg(nextval(pg_get_serial_sequence(%s, 'id')::regclass)) FROM generate_series(1, %s))"
        for _ in wanted
    )
    params = [value for model, count in wanted for value in (model._meta.db_table, count)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        arrays = cursor.fetchone()
    for (model, _), drawn in zip(wanted, arrays, strict=True):
        ids[model] = sorted(drawn)
    return ids


def copy_rows(*, model: type[django_models.Model], rows: Sequence[tuple], now: datetime) -> None:
    """COPY `rows` (named tuples named after the model's fields, all of one type) into the model's
    table. Columns the tuples leave out get what Django would give them: `now` for timestamps set
    on creation, a constant default, or NULL. Raises IntegrityError (the database refuses a row),
    ValueError if a left-out column needs a value per row (a callable default on a unique field)."""
    if not rows:
        return
    fields = {field.attname: field for field in model._meta.concrete_fields}
    names = list(type(rows[0])._fields)
    extra_names, extra_values = [], []
    for attname, field in fields.items():
        if attname in names or field.primary_key:
            continue
        extra_names.append(attname)
        extra_values.append(_column_default(field, now))
    columns = names + extra_names
    json_at = [i for i, name in enumerate(columns) if isinstance(fields[name], django_models.JSONField)]
    extra = tuple(psycopg_json.Jsonb(v) if isinstance(v, dict | list) else v for v in extra_values)
    table = model._meta.db_table
    column_list = ", ".join(f'"{fields[name].column}"' for name in columns)
    sql = f'COPY "{table}" ({column_list}) FROM STDIN'
    if connection.queries_logged:  # counted like any statement (assertNumQueries, debug logs)
        connection.queries_log.append({"sql": sql, "time": "0.000"})
    # The wrapper turns psycopg's errors into Django's (IntegrityError, ...), as a Django cursor does.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            json_in_row = [i for i in json_at if i < len(names)]
            if json_in_row:
                for row in rows:
                    values = list(row)
                    for i in json_in_row:
                        if values[i] is not None:
                            values[i] = psycopg_json.Jsonb(values[i])
                    write((*values, *extra))
            elif extra:
                for row in rows:
                    write((*row, *extra))
            else:
                for row in rows:
                    write(row)


def _column_default(field: django_models.Field, now: datetime):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        if callable(field.default) and isinstance(field, django_models.DateTimeField):
            return now
        if callable(field.default) and field.unique:
            raise ValueError(f"{field.model.__name__}.{field.name} needs a value per row")
        return field.get_default()
    if field.null:
        return None
    if field.blank and isinstance(field, django_models.CharField):
        return ""
    raise ValueError(f"{field.model.__name__}.{field.name} has no default")


def free_account_numbers(*, count: int) -> list[str]:
    """`count` fresh random public account numbers, distinct, none of them taken (one query per
    draw; a clash is vanishingly rare). A concurrent insert can still take one: COPY then refuses it."""
    numbers: list[str] = []
    for _ in range(MAX_ACCOUNT_NUMBER_ATTEMPTS):
        drawn = {models.generate_account_number() for _ in range(count - len(numbers))} - set(numbers)
        taken = set(models.Account.objects.filter(number__in=drawn).values_list("number", flat=True))
        numbers += sorted(drawn - taken)
        if len(numbers) == count:
            return numbers
    raise RuntimeError("Could not find free account numbers")


def free_property_public_ids(*, count: int) -> list[int]:
    """`count` random property public ids, distinct, none of them taken (as `free_account_numbers`)."""
    public_ids: list[int] = []
    for _ in range(MAX_ACCOUNT_NUMBER_ATTEMPTS):
        drawn = {models.new_property_public_id() for _ in range(count - len(public_ids))} - set(public_ids)
        taken = set(models.Property.objects.filter(public_id__in=drawn).values_list("public_id", flat=True))
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


class _EntryColumns(NamedTuple):
    id: int
    ledger_id: int
    amount: int
    currency: str
    kind: str
    description: str
    reference: str
    posted_at: datetime


class _AuditRow(NamedTuple):
    account_id: int | None
    action: str
    object_type: str
    object_id: str
    data: dict
    occurred_at: datetime


def copy_addresses(*, rows: list[AddressRow], now: datetime) -> None:
    """Write addresses with COPY (ids from `reserve_ids`). Raises IntegrityError."""
    copy_rows(model=models.Address, rows=rows, now=now)


def copy_accounts(*, rows: list[AccountRow], created_at: datetime) -> None:
    """`create_accounts` with COPY: the accounts under the given ids and numbers (from
    `reserve_ids` and `free_account_numbers`), their energy ledgers in the account's currency and one
    ACCOUNT_CREATED audit row each. Billing addresses must be written already.

    Raises IntegrityError if a number is taken (nothing is written if the caller rolls back).
    """
    copy_rows(
        model=models.Account,
        rows=[
            _AccountColumns(
                r.id, r.number, r.billing_name, r.billing_address_id, r.currency, r.account_type, r.status
            )
            for r in rows
        ],
        now=created_at,
    )
    copy_rows(
        model=models.Ledger,
        rows=[_LedgerRow(r.ledger_id, r.id, models.LedgerType.ENERGY, r.currency) for r in rows],
        now=created_at,
    )
    copy_rows(
        model=models.AuditEntry,
        rows=[_AuditRow(r.id, "ACCOUNT_CREATED", "Account", str(r.id), {}, created_at) for r in rows],
        now=created_at,
    )


def copy_users(*, users: list[UserRow], roles: list[AccountUserRoleRow], now: datetime) -> None:
    """Write new users and their ADMIN roles on accounts with COPY. Raises IntegrityError (an
    email or a role taken)."""
    copy_rows(model=models.User, rows=users, now=now)
    copy_rows(model=models.AccountUserRole, rows=roles, now=now)


def copy_properties(*, rows: list[PropertyRow], now: datetime) -> None:
    """Write properties with COPY (ids and public ids drawn beforehand). Raises IntegrityError."""
    copy_rows(model=models.Property, rows=rows, now=now)


def copy_payment_methods(*, rows: list[PaymentMethodRow], now: datetime) -> None:
    """Write ACTIVE payment methods with COPY. Raises IntegrityError (a vendor reference taken, or
    a second active method on an account)."""
    copy_rows(model=models.PaymentMethod, rows=rows, now=now)


def copy_ledger_entries(*, rows: list[LedgerEntryRow], now: datetime) -> None:
    """`post_ledger_entries` with COPY: the entries under the given ids, then one audit row each.
    Every entry is checked before anything is written; the database checks again that each
    entry's currency is its ledger's (composite foreign key) and keeps entries append-only.

    Raises ZeroAmount, IntegrityError (a currency other than the ledger's, a reference already
    posted to the ledger).
    """
    for row in rows:
        if row.amount == 0:
            raise ZeroAmount("A ledger entry must move money")
    copy_rows(
        model=models.LedgerEntry,
        rows=[
            _EntryColumns(
                r.id, r.ledger_id, r.amount, r.currency, r.kind, r.description, r.reference, r.posted_at
            )
            for r in rows
        ],
        now=now,
    )
    copy_rows(
        model=models.AuditEntry,
        rows=[
            _AuditRow(
                r.account_id,
                f"LEDGER_{r.kind}",
                "LedgerEntry",
                str(r.id),
                {"amount": r.amount, "currency": r.currency, "reference": r.reference},
                r.posted_at,
            )
            for r in rows
        ],
        now=now,
    )
