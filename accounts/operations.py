"""Writes to accounts and ledgers. Each public function is one business operation in one transaction."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction

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
    return models.AuditEntry.objects.create(
        account=account,
        actor=actor,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "pk", obj)),
        data=data or {},
        occurred_at=occurred_at,
    )


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
