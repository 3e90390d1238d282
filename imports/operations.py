"""Writes for imports: API keys, staging account payloads, creating accounts from them (one
transaction per account, idempotent on (supplier, external account number)), v2 scheduling, batches,
and the post-import writes (notes, transactions, payment instructions)."""

from __future__ import annotations

import dataclasses
import json
import secrets
from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from psycopg import errors as psycopg_errors

from accounts import models as account_models
from accounts import operations as account_operations
from accounts import tokens
from billing import models as billing_models
from billing import operations as billing_operations
from billing import queries as billing_queries
from imports import catalogue as catalogue_module
from imports import error_codes, models, queries, validation
from imports.rules import base
from kernel import bulk, money
from metering import models as metering_models
from metering import operations as metering_operations

KEY_PREFIX_LENGTH = 8
CURRENCIES = {"GB": "GBP", "JP": "JPY", "AU": "AUD"}
EVENT_CREATED = "EVENT_ACCOUNT_IMPORT_PROCESS_CREATED"
EVENT_PROCESSED = "EVENT_ACCOUNT_IMPORT_PROCESS_PROCESSED"
EVENT_ERRORED = "EVENT_ACCOUNT_IMPORT_PROCESS_ERRORED"
ALREADY_IMPORTED = "The account import process with the account number {} has already been imported."
Status = models.ImportProcessStatus


class ImportError_(Exception):
    code = "import_error"


class ValidationFailed(ImportError_):
    """The document failed schema or rule validation; `failures` has every one."""

    code = error_codes.IMPORT_PROCESS_FAILED_VALIDATION

    def __init__(self, failures: list[base.Failure]):
        super().__init__(f"{len(failures)} validation failure(s)")
        self.failures = failures


class AlreadyImported(ImportError_):
    code = error_codes.ACCOUNT_IMPORT_PROCESS_ALREADY_IMPORTED

    def __init__(self, *, external_account_number: str, account_number: str):
        super().__init__(ALREADY_IMPORTED.format(external_account_number))
        self.external_account_number = external_account_number
        self.account_number = account_number


class MigrationNotOngoing(ImportError_):
    code = error_codes.IMPORT_SUPPLIER_MIGRATION_NOT_ONGOING


class ImportSkipped(ImportError_):
    code = error_codes.IMPORT_PROCESS_SKIPPED


class ImportProcessNotFound(ImportError_):
    code = error_codes.IMPORT_PROCESS_DOES_NOT_EXIST


class DryRunSucceeded(ImportError_):
    """The account would import; everything was rolled back."""

    code = error_codes.DRY_RUN


class _RollBack(Exception):
    pass


# --- API keys ------------------------------------------------------------------------------------


def key_prefix(raw_key: str) -> str:
    return raw_key[:KEY_PREFIX_LENGTH]


def create_api_key(*, supplier: models.ImportSupplier, name: str) -> tuple[models.ImportApiKey, str]:
    """Create an import API key. Returns the row and the raw key, which is never stored: show it once."""
    raw_key = secrets.token_urlsafe(32)
    api_key = models.ImportApiKey.objects.create(
        supplier=supplier, name=name, prefix=key_prefix(raw_key), key_hash=tokens.hash_secret(raw_key)
    )
    return api_key, raw_key


def revoke_api_keys(*, api_keys, revoked_at: datetime) -> int:
    """Revoke keys that are still live. Returns how many were revoked."""
    return api_keys.filter(revoked_at__isnull=True).update(revoked_at=revoked_at)


def touch_api_key(*, api_key: models.ImportApiKey, now: datetime) -> None:
    """Record use, at most once a minute per key (one conditional UPDATE, nothing when recent)."""
    if api_key.last_used_at and now - api_key.last_used_at < timedelta(minutes=1):
        return
    models.ImportApiKey.objects.filter(pk=api_key.pk).exclude(
        last_used_at__gte=now - timedelta(minutes=1)
    ).update(last_used_at=now)


# --- validation ----------------------------------------------------------------------------------


def validate_document(
    *,
    supplier: models.ImportSupplier,
    document: str,
    data,
    now: datetime,
    catalogue: catalogue_module.Catalogue | None = None,
    variant: str = "v1",
    lookup: dict | None = None,
):
    """Returns the normalised document. Raises ValidationFailed with every failure."""
    normalised, failures = validation.validate(
        data,
        document=document,
        supplier=queries.supplier_config(supplier=supplier),
        now=now,
        catalogue=catalogue or queries.build_catalogue(),
        variant=variant,
        lookup=lookup,
    )
    if failures:
        raise ValidationFailed(failures)
    return normalised


def _ensure_not_imported(*, supplier: models.ImportSupplier, external_account_number: str) -> None:
    existing = (
        models.AccountImportProcess.objects.filter(
            supplier=supplier, external_account_number=external_account_number
        )
        .select_related("account")
        .only("status", "account__number")
        .first()
    )
    if existing is None:
        return
    if existing.account_id:
        raise AlreadyImported(
            external_account_number=external_account_number, account_number=existing.account.number
        )
    if existing.status == Status.CANCELLED:
        raise ImportSkipped(f"{external_account_number} is marked to be skipped")


def check_account(
    *, supplier: models.ImportSupplier, payload: dict, now: datetime, variant: str = "v1"
) -> dict:
    """Validate an account payload for this supplier. Raises AlreadyImported, ValidationFailed."""
    if isinstance(payload, dict) and isinstance(payload.get("external_account_number"), str):
        _ensure_not_imported(supplier=supplier, external_account_number=payload["external_account_number"])
    return validate_document(supplier=supplier, document=base.ACCOUNT, data=payload, now=now, variant=variant)


# --- staging -------------------------------------------------------------------------------------


def stage_account(
    *, supplier: models.ImportSupplier, payload: dict, now: datetime
) -> tuple[models.AccountImportProcess, bool]:
    """Validate and store (or overwrite) the pending payload. Returns (process, created).

    Raises MigrationNotOngoing, AlreadyImported, ImportSkipped, ValidationFailed.
    """
    if supplier.migration_status != models.MigrationStatus.ONGOING:
        raise MigrationNotOngoing(f"The migration for {supplier.code} is {supplier.migration_status.lower()}")
    normalised = check_account(supplier=supplier, payload=payload, now=now)
    external = normalised.get("external_account_number") or ""
    with transaction.atomic():
        process, created = models.AccountImportProcess.objects.select_for_update().get_or_create(
            supplier=supplier,
            external_account_number=external,
            defaults={"payload": payload, "latest_event": _event(EVENT_CREATED, now)},
        )
        if not created:
            if process.account_id:
                raise AlreadyImported(external_account_number=external, account_number=process.account.number)
            process.payload = payload
            process.status = Status.PENDING
            process.save(update_fields=["payload", "status", "modified_at"])
    return process, created


def _event(name: str, now: datetime, data: dict | None = None) -> dict:
    return {"event": name, "occurred_at": now.isoformat(), "data": data or {}}


# --- account creation ----------------------------------------------------------------------------


def _midnight(value) -> datetime | None:
    day = base.as_date(value)
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


def _minor(value, currency: str) -> int:
    """A payload amount (decimal string, major units) in the currency's integer minor units."""
    amount = base.as_decimal(value)
    return money.to_minor_units(amount=amount, currency=currency) if amount is not None else 0


def _billing_address(payload: dict, territory: str) -> account_models.Address | None:
    values = _billing_address_values(payload, territory)
    return account_models.Address(**values._asdict()) if values else None


def _billing_address_values(payload: dict, territory: str) -> account_operations.AddressRow | None:
    """The billing address's columns (id None, drawn later), or None without one."""
    new_style = payload.get("billing_address")
    if isinstance(new_style, dict):
        return account_operations.AddressRow(
            id=None,
            line_1=(new_style.get("street_address") or "")[:255] or "-",
            line_2="",
            line_3="",
            locality=(new_style.get("locality") or "")[:255],
            administrative_area=(new_style.get("administrative_area") or "")[:255],
            postcode=(new_style.get("postal_code") or "")[:16],
            country=new_style.get("country") or territory,
        )
    if payload.get("billing_address1"):
        return account_operations.AddressRow(
            id=None,
            line_1=payload["billing_address1"][:255],
            line_2=(payload.get("billing_address2") or "")[:255],
            line_3=(payload.get("billing_address3") or "")[:255],
            locality=(payload.get("billing_address4") or "")[:255],
            administrative_area="",
            postcode=(payload.get("billing_postcode") or "")[:16],
            country=territory,
        )
    return None


def create_account_from_payload(
    *,
    supplier: models.ImportSupplier,
    process: models.AccountImportProcess | None,
    payload: dict,
    catalogue: catalogue_module.Catalogue,
    now: datetime,
    external_account_number: str | None = None,
) -> account_models.Account:
    """Write the account and everything in its payload. Call inside a transaction holding the
    process row lock. A constant number of queries per account: each kind of row is one bulk insert.
    """
    external = external_account_number or process.external_account_number
    return create_accounts_from_payloads(
        supplier=supplier, items=[(external, payload)], catalogue=catalogue, now=now
    )[0]


def create_accounts_from_payloads(
    *,
    supplier: models.ImportSupplier,
    items: list[tuple[str, dict]],
    catalogue: catalogue_module.Catalogue,
    now: datetime,
) -> list[account_models.Account]:
    """Write accounts for validated payloads: the accounts (with ledgers and audit rows) through
    `accounts.operations.create_accounts`, their opening balances through `post_ledger_entries`,
    everything else one bulk insert per table for all of them. Call inside one transaction; the
    queries do not grow with the number of accounts, customers, meter points or meters."""
    territory = supplier.territory
    currency = CURRENCIES.get(territory, "GBP")
    billing_rows, supply_rows, supply_payloads = [], [], []
    for _, payload in items:
        billing_rows.append(_billing_address(payload, territory))
        addresses = (
            []
            if supplier.skip_property_creation
            else [a for a in payload.get("supply_addresses") or [] if isinstance(a, dict)]
        )
        supply_payloads.append(addresses)
        supply_rows.append([_supply_address(a, territory) for a in addresses])
    account_models.Address.objects.bulk_create(
        [row for row in billing_rows if row is not None] + [row for rows in supply_rows for row in rows]
    )
    accounts = account_operations.create_accounts(
        rows=[
            account_operations.NewAccount(
                billing_name=(payload.get("billing_name") or external or "Customer")[:255],
                currency=currency,
                billing_address=billing,
                account_type=_account_type(payload),
            )
            for (external, payload), billing in zip(items, billing_rows, strict=True)
        ],
        created_at=now,
    )
    _create_users(
        accounts=accounts,
        customer_lists=[
            [c for c in payload.get("customers") or [] if isinstance(c, dict)] for _, payload in items
        ],
    )
    _create_properties(
        accounts=accounts,
        address_lists=supply_payloads,
        address_rows=supply_rows,
        catalogue=catalogue,
        supplier=supplier,
        now=now,
    )
    _create_payment_methods(accounts=accounts, payloads=[payload for _, payload in items])
    _post_opening_balances(supplier=supplier, accounts=accounts, items=items, currency=currency, now=now)
    return accounts


def copy_accounts_from_payloads(
    *,
    supplier: models.ImportSupplier,
    items: list[tuple[str, dict]],
    catalogue: catalogue_module.Catalogue,
    now: datetime,
) -> list[tuple[int, str]]:
    """`create_accounts_from_payloads` written with COPY: the same rows and values, built as tuples
    under ids drawn beforehand (one query), one COPY per table through the owning app's writer.
    Call inside one transaction and roll it back on any error. Returns (account id, number) per
    item; the queries do not grow with the number of accounts.

    Raises IntegrityError (the database refused a row), ValidationFailed (unknown tariff).
    """
    territory = supplier.territory
    currency = CURRENCIES.get(territory, "GBP")
    billing = [_billing_address_values(payload, territory) for _, payload in items]
    addresses = [
        []
        if supplier.skip_property_creation
        else [a for a in payload.get("supply_addresses") or [] if isinstance(a, dict)]
        for _, payload in items
    ]
    customer_lists = [
        [c for c in payload.get("customers") or [] if isinstance(c, dict)] for _, payload in items
    ]
    with_points = not supplier.skip_supply_point_creation
    points = (
        [mp for per_account in addresses for a in per_account for mp in (a.get("meter_points") or [])]
        if with_points
        else []
    )
    balances = [_minor(payload.get("transfer_balance"), currency) for _, payload in items]
    ids = bulk.reserve_ids(
        counts={
            account_models.Address: sum(b is not None for b in billing) + sum(map(len, addresses)),
            account_models.Account: len(items),
            account_models.Ledger: len(items),
            account_models.User: sum(map(len, customer_lists)),
            account_models.Property: sum(map(len, addresses)),
            metering_models.MeterPoint: len(points),
            metering_models.Meter: sum(len(mp.get("meters") or []) for mp in points),
            account_models.LedgerEntry: sum(1 for amount in balances if amount),
        }
    )
    next_id = {model: iter(drawn).__next__ for model, drawn in ids.items()}
    numbers = account_operations.free_account_numbers(count=len(items))
    public_ids = iter(account_operations.free_property_public_ids(count=sum(map(len, addresses))))

    address_rows, account_rows, billing_ids = [], [], []
    for b in billing:
        if b is None:
            billing_ids.append(None)
            continue
        address_id = next_id[account_models.Address]()
        address_rows.append(b._replace(id=address_id))
        billing_ids.append(address_id)
    supply_ids = []
    for per_account in addresses:
        supply_ids.append([])
        for a in per_account:
            address_id = next_id[account_models.Address]()
            address_rows.append(_supply_address_values(a, territory)._replace(id=address_id))
            supply_ids[-1].append(address_id)
    for (external, payload), billing_id, number in zip(items, billing_ids, numbers, strict=True):
        account_rows.append(
            account_operations.AccountRow(
                id=next_id[account_models.Account](),
                ledger_id=next_id[account_models.Ledger](),
                number=number,
                billing_name=(payload.get("billing_name") or external or "Customer")[:255],
                billing_address_id=billing_id,
                currency=currency,
                account_type=_account_type(payload),
            )
        )
    account_operations.copy_addresses(rows=address_rows, now=now)
    account_operations.copy_accounts(rows=account_rows, created_at=now)
    _copy_users(accounts=account_rows, customer_lists=customer_lists, next_id=next_id, now=now)

    property_rows, point_rows, meter_rows, register_rows, agreement_rows = [], [], [], [], []
    market = supplier.territory if supplier.territory in metering_models.Market.values else "GB"
    status = (
        metering_models.MeterPointStatus.PENDING
        if supplier.send_registration_flows
        else metering_models.MeterPointStatus.ON_SUPPLY
    )
    for account, per_account, address_ids in zip(account_rows, addresses, supply_ids, strict=True):
        for a, address_id in zip(per_account, address_ids, strict=True):
            property_id = next_id[account_models.Property]()
            property_rows.append(
                account_operations.PropertyRow(
                    id=property_id,
                    public_id=next(public_ids),
                    account_id=account.id,
                    address_id=address_id,
                    occupied_from=_midnight(a.get("customer_at_supply_address_from_date")) or now,
                    occupied_to=_midnight(a.get("customer_at_supply_address_to_date")),
                )
            )
            if not with_points:
                continue
            for mp in a.get("meter_points") or []:
                point_id = next_id[metering_models.MeterPoint]()
                supply_from = _midnight(mp.get("supply_start_date")) or now
                point_rows.append(
                    metering_operations.MeterPointRow(
                        id=point_id,
                        property_id=property_id,
                        utility_type=mp.get("supply_type") or "ELECTRICITY",
                        market=market,
                        identifier=mp.get("identifier"),
                        profile_class=mp.get("profile_class"),
                        supply_from=supply_from,
                        supply_to=_midnight(mp.get("supply_end_date")),
                        status=status,
                    )
                )
                for meter in mp.get("meters") or []:
                    meter_id = next_id[metering_models.Meter]()
                    meter_rows.append(
                        metering_operations.MeterRow(
                            id=meter_id,
                            meter_point_id=point_id,
                            serial_number=meter.get("meter_serial_number"),
                            is_smart=bool(meter.get("smart_type")),
                            installed_from=_midnight(meter.get("installed_on")) or supply_from,
                            installed_to=_midnight(meter.get("removed_on")),
                        )
                    )
                    register_rows.extend(
                        metering_operations.RegisterRow(
                            meter_id=meter_id,
                            identifier=str(r.get("register_id"))[:16],
                            digits=r.get("number_of_digits") or 5,
                        )
                        for r in meter.get("registers") or []
                    )
                for agreement in mp.get("agreements") or []:
                    info = catalogue.tariffs.get(agreement.get("tariff_code"))
                    if info is None or info.tariff_id is None:
                        raise validation_error("tariff_code_not_found", agreement.get("tariff_code"))
                    agreement_rows.append(
                        billing_operations.AgreementRow(
                            account_id=account.id,
                            meter_point_id=point_id,
                            tariff_id=info.tariff_id,
                            active_from=_midnight(agreement.get("effective_from")),
                            active_to=_midnight(agreement.get("effective_to")),
                        )
                    )
    account_operations.copy_properties(rows=property_rows, now=now)
    metering_operations.copy_meter_points(
        meter_points=point_rows, meters=meter_rows, registers=register_rows, now=now
    )
    billing_operations.copy_agreements(rows=agreement_rows, now=now)

    method_rows = []
    for account, (_, payload) in zip(account_rows, items, strict=True):
        instructions = [i for i in payload.get("payment_instructions") or [] if isinstance(i, dict)]
        if instructions:
            first = instructions[0]
            method_rows.append(
                account_operations.PaymentMethodRow(
                    account_id=account.id,
                    method_type=PAYMENT_METHOD_TYPES.get(first.get("type"), "DIRECT_DEBIT"),
                    vendor=(first.get("vendor") or "")[:64],
                    vendor_reference=(first.get("reference") or "")[:255],
                )
            )
    account_operations.copy_payment_methods(rows=method_rows, now=now)
    account_operations.copy_ledger_entries(
        rows=[
            account_operations.LedgerEntryRow(
                id=next_id[account_models.LedgerEntry](),
                ledger_id=account.ledger_id,
                account_id=account.id,
                amount=amount,
                currency=currency,
                kind=account_models.LedgerEntryKind.OPENING_BALANCE,
                description="Balance transferred from previous supplier",
                reference=f"import:{supplier.code}:{external}"[:128],
                posted_at=now,
            )
            for account, (external, _), amount in zip(account_rows, items, balances, strict=True)
            if amount
        ],
        now=now,
    )
    return [(account.id, account.number) for account in account_rows]


def _copy_users(*, accounts, customer_lists, next_id, now: datetime) -> None:
    """The customers of each account as `_create_users` makes them: a known email links the
    existing user (or one made earlier in the chunk), any other customer becomes a new user."""
    emails = {c["email"].lower() for customers in customer_lists for c in customers if c.get("email")}
    existing = (
        dict(account_models.User.objects.filter(email__in=emails).values_list("email", "id"))
        if emails
        else {}
    )
    existing = {email.lower(): user_id for email, user_id in existing.items()}
    unusable = make_password(None)
    users, roles = [], []
    for account, customers in zip(accounts, customer_lists, strict=True):
        linked = set()
        for customer in customers:
            email = (customer.get("email") or "").lower()
            user_id = existing.get(email) if email else None
            if user_id is None:
                user_id = next_id[account_models.User]()
                users.append(
                    account_operations.UserRow(
                        id=user_id,
                        username=f"import-{secrets.token_hex(8)}",
                        email=email or f"{secrets.token_hex(8)}@import.invalid",
                        first_name=(customer.get("given_name") or "")[:150],
                        last_name=(customer.get("family_name") or "")[:150],
                        mobile=(customer.get("mobile") or "")[:32],
                        landline=(customer.get("landline") or "")[:32],
                        date_of_birth=base.as_date(customer.get("date_of_birth")),
                        password=unusable,
                    )
                )
                if email:
                    existing[email] = user_id
            if user_id not in linked:
                linked.add(user_id)
                roles.append(account_operations.AccountUserRoleRow(account_id=account.id, user_id=user_id))
    account_operations.copy_users(users=users, roles=roles, now=now)


def _account_type(payload: dict) -> str:
    account_type = payload.get("account_type") or account_models.AccountType.DOMESTIC
    return (
        account_type
        if account_type in account_models.AccountType.values
        else account_models.AccountType.DOMESTIC
    )


def _post_opening_balances(*, supplier, accounts, items, currency: str, now: datetime) -> None:
    """The transferred balance of each account, one OPENING_BALANCE entry (and audit row) each."""
    balances = [
        (account, _minor(payload.get("transfer_balance"), currency), external)
        for account, (external, payload) in zip(accounts, items, strict=True)
    ]
    owing = {account.pk: (account, amount, external) for account, amount, external in balances if amount}
    if not owing:
        return
    ledgers = account_models.Ledger.objects.filter(
        account_id__in=owing, ledger_type=account_models.LedgerType.ENERGY
    )
    account_operations.post_ledger_entries(
        entries=[
            account_operations.NewLedgerEntry(
                ledger=ledger,
                amount=owing[ledger.account_id][1],
                currency=currency,
                kind=account_models.LedgerEntryKind.OPENING_BALANCE,
                description="Balance transferred from previous supplier",
                posted_at=now,
                reference=f"import:{supplier.code}:{owing[ledger.account_id][2]}"[:128],
            )
            for ledger in ledgers
        ]
    )


def _create_users(*, accounts, customer_lists) -> None:
    emails = {c["email"].lower() for customers in customer_lists for c in customers if c.get("email")}
    if not any(customer_lists):
        return
    existing = (
        {u.email.lower(): u for u in account_models.User.objects.filter(email__in=emails)} if emails else {}
    )
    unusable = make_password(None)
    new_users, links = [], []
    for account, customers in zip(accounts, customer_lists, strict=True):
        linked = set()
        for customer in customers:
            email = (customer.get("email") or "").lower()
            user = existing.get(email) if email else None
            if user is None:
                user = account_models.User(
                    username=f"import-{secrets.token_hex(8)}",
                    email=email or f"{secrets.token_hex(8)}@import.invalid",
                    first_name=(customer.get("given_name") or "")[:150],
                    last_name=(customer.get("family_name") or "")[:150],
                    mobile=(customer.get("mobile") or "")[:32],
                    landline=(customer.get("landline") or "")[:32],
                    date_of_birth=base.as_date(customer.get("date_of_birth")),
                    password=unusable,
                )
                new_users.append(user)
                if email:
                    existing[email] = user
            if id(user) not in linked:
                linked.add(id(user))
                links.append((account, user))
    account_models.User.objects.bulk_create(new_users)
    account_models.AccountUserRole.objects.bulk_create(
        [account_models.AccountUserRole(account=account, user=user) for account, user in links]
    )


def _supply_address(a: dict, territory: str) -> account_models.Address:
    return account_models.Address(**_supply_address_values(a, territory)._asdict())


def _supply_address_values(a: dict, territory: str) -> account_operations.AddressRow:
    return account_operations.AddressRow(
        id=None,
        line_1=(a.get("supply_address1") or "")[:255],
        line_2=(a.get("supply_address2") or "")[:255],
        line_3=(a.get("supply_address3") or "")[:255],
        locality=(a.get("supply_address4") or "")[:255],
        administrative_area="",
        postcode=(a.get("supply_postcode") or "")[:16],
        country=territory,
    )


def _create_properties(*, accounts, address_lists, address_rows, catalogue, supplier, now) -> None:
    properties, property_payloads, owners = [], [], []
    for account, addresses, rows in zip(accounts, address_lists, address_rows, strict=True):
        for a, row in zip(addresses, rows, strict=True):
            properties.append(
                account_models.Property(
                    account=account,
                    address=row,
                    occupied_from=_midnight(a.get("customer_at_supply_address_from_date")) or now,
                    occupied_to=_midnight(a.get("customer_at_supply_address_to_date")),
                )
            )
            property_payloads.append(a)
            owners.append(account)
    if not properties:
        return
    account_models.Property.objects.bulk_create(properties)
    if supplier.skip_supply_point_creation:
        return
    market = supplier.territory if supplier.territory in metering_models.Market.values else "GB"
    # An on-market switch (the supplier sends registration flows) gains its meter points pending.
    status = (
        metering_models.MeterPointStatus.PENDING
        if supplier.send_registration_flows
        else metering_models.MeterPointStatus.ON_SUPPLY
    )
    points, point_payloads, point_accounts = [], [], []
    for prop, a, account in zip(properties, property_payloads, owners, strict=True):
        for mp in a.get("meter_points") or []:
            points.append(
                metering_models.MeterPoint(
                    property=prop,
                    utility_type=mp.get("supply_type") or "ELECTRICITY",
                    market=market,
                    identifier=mp.get("identifier"),
                    profile_class=mp.get("profile_class"),
                    supply_from=_midnight(mp.get("supply_start_date")) or now,
                    supply_to=_midnight(mp.get("supply_end_date")),
                    status=status,
                )
            )
            point_payloads.append(mp)
            point_accounts.append(account)
    metering_models.MeterPoint.objects.bulk_create(points)
    meters, meter_payloads, agreements = [], [], []
    for point, mp, account in zip(points, point_payloads, point_accounts, strict=True):
        for meter in mp.get("meters") or []:
            meters.append(
                metering_models.Meter(
                    meter_point=point,
                    serial_number=meter.get("meter_serial_number"),
                    is_smart=bool(meter.get("smart_type")),
                    installed_from=_midnight(meter.get("installed_on")) or point.supply_from,
                    installed_to=_midnight(meter.get("removed_on")),
                )
            )
            meter_payloads.append(meter)
        for agreement in mp.get("agreements") or []:
            info = catalogue.tariffs.get(agreement.get("tariff_code"))
            if info is None or info.tariff_id is None:
                raise validation_error("tariff_code_not_found", agreement.get("tariff_code"))
            agreements.append(
                billing_models.Agreement(
                    account=account,
                    meter_point=point,
                    tariff_id=info.tariff_id,
                    active_from=_midnight(agreement.get("effective_from")),
                    active_to=_midnight(agreement.get("effective_to")),
                )
            )
    metering_models.Meter.objects.bulk_create(meters)
    registers = [
        metering_models.Register(
            meter=meter, identifier=str(r.get("register_id"))[:16], digits=r.get("number_of_digits") or 5
        )
        for meter, payload_meter in zip(meters, meter_payloads, strict=True)
        for r in payload_meter.get("registers") or []
    ]
    metering_models.Register.objects.bulk_create(registers)
    billing_models.Agreement.objects.bulk_create(agreements)


def validation_error(code: str, value) -> ValidationFailed:
    return ValidationFailed(
        [base.Failure(base.NON_FIELD_ERRORS, code, f"{value} cannot be imported", "create", 0)]
    )


PAYMENT_METHOD_TYPES = {
    "DIRECT_DEBIT": "DIRECT_DEBIT",
    "CARD": "CARD_PAYMENT",
    "PAYMENT_SLIP": "PAYMENT_SLIP",
}


def _create_payment_methods(*, accounts, payloads) -> None:
    methods = []
    for account, payload in zip(accounts, payloads, strict=True):
        instructions = [i for i in payload.get("payment_instructions") or [] if isinstance(i, dict)]
        if instructions:
            first = instructions[0]
            methods.append(
                account_models.PaymentMethod(
                    account=account,
                    method_type=PAYMENT_METHOD_TYPES.get(first.get("type"), "DIRECT_DEBIT"),
                    vendor=(first.get("vendor") or "")[:64],
                    vendor_reference=(first.get("reference") or "")[:255],
                )
            )
    account_models.PaymentMethod.objects.bulk_create(methods)


def process_account(
    *,
    supplier: models.ImportSupplier,
    external_account_number: str,
    now: datetime,
    dry_run: bool = False,
    operations_team_name: str | None = None,
    catalogue: catalogue_module.Catalogue | None = None,
) -> models.AccountImportProcess:
    """Create the account from the staged payload, in one transaction, exactly once.

    The process row is locked (SELECT ... FOR UPDATE) for the whole creation, so concurrent calls
    for one (supplier, external account number) serialise and the second sees the account.
    Raises ImportProcessNotFound, AlreadyImported, ValidationFailed, DryRunSucceeded.
    """
    catalogue = catalogue or queries.build_catalogue()
    try:
        with transaction.atomic():
            # Lock the process row alone: a join would be evaluated before the lock wait, so a
            # concurrent caller that waited would see the new account_id but a stale (empty) join.
            process = (
                models.AccountImportProcess.objects.select_for_update()
                .filter(supplier=supplier, external_account_number=external_account_number)
                .first()
            )
            if process is None:
                raise ImportProcessNotFound(external_account_number)
            if process.account_id:
                number = account_models.Account.objects.values_list("number", flat=True).get(
                    pk=process.account_id
                )
                raise AlreadyImported(external_account_number=external_account_number, account_number=number)
            payload = validate_document(
                supplier=supplier, document=base.ACCOUNT, data=process.payload, now=now, catalogue=catalogue
            )
            account = create_account_from_payload(
                supplier=supplier, process=process, payload=payload, catalogue=catalogue, now=now
            )
            if dry_run:
                raise _RollBack
            process.account = account
            process.status = Status.PROCESSED
            process.processed_at = now
            process.latest_error = None
            process.latest_event = _event(EVENT_PROCESSED, now, {"kraken_identifier": account.number})
            process.save(
                update_fields=[
                    "account",
                    "status",
                    "processed_at",
                    "latest_error",
                    "latest_event",
                    "modified_at",
                ]
            )
            return process
    except _RollBack:
        raise DryRunSucceeded("Account would successfully import. Rolled back due to Dry Run.") from None


# --- v2 scheduling and the async run ------------------------------------------------------------


def schedule_account(
    *, supplier: models.ImportSupplier, payload: dict, task_params: dict, now: datetime
) -> models.AccountImportProcess:
    """Validate and stage a v2 import for the worker. Raises MigrationNotOngoing, AlreadyImported,
    ValidationFailed (payload or task parameters)."""
    if supplier.migration_status != models.MigrationStatus.ONGOING:
        raise MigrationNotOngoing(supplier.code)
    params = validate_document(supplier=supplier, document=base.TASK_PARAMS, data=task_params or {}, now=now)
    normalised = check_account(supplier=supplier, payload=payload, now=now, variant="v2")
    external = normalised.get("external_account_number") or ""
    with transaction.atomic():
        process, created = models.AccountImportProcess.objects.select_for_update().get_or_create(
            supplier=supplier,
            external_account_number=external,
            defaults={"payload": payload, "task_params": params, "latest_event": _event(EVENT_CREATED, now)},
        )
        if not created:
            if process.account_id:
                raise AlreadyImported(external_account_number=external, account_number=process.account.number)
            process.payload, process.task_params, process.status = payload, params, Status.PENDING
            process.latest_error = None
            process.latest_event = _event(EVENT_CREATED, now)
            process.save()
    return process


def run_account_import(
    *, process_id: int, now: datetime, catalogue: catalogue_module.Catalogue | None = None
) -> models.AccountImportProcess:
    """Worker side of one account import (v2 and batches). Safe to run twice: a processed account is
    left alone; failures are recorded on the process (ERRORED / DRY_RUN_*), never raised."""
    process = models.AccountImportProcess.objects.select_related("supplier").get(pk=process_id)
    if process.status in (Status.PROCESSED, Status.CANCELLED, Status.DRY_RUN_SUCCEEDED):
        return process
    dry_run = bool((process.task_params or {}).get("is_dry_run"))
    models.AccountImportProcess.objects.filter(pk=process_id, status=Status.PENDING).update(
        status=Status.IN_PROGRESS
    )
    try:
        return process_account(
            supplier=process.supplier,
            external_account_number=process.external_account_number,
            now=now,
            dry_run=dry_run,
            catalogue=catalogue,
        )
    except DryRunSucceeded:
        status, error = Status.DRY_RUN_SUCCEEDED, None
    except AlreadyImported:
        return models.AccountImportProcess.objects.get(pk=process_id)
    except ValidationFailed as exc:
        failure = exc.failures[0]
        status = Status.DRY_RUN_ERRORED if dry_run else Status.ERRORED
        error = {
            "code": failure.code,
            "detail": f"{failure.attr}: {failure.detail}",
            "domain": "import_process",
        }
    except IntegrityError as exc:
        status = Status.DRY_RUN_ERRORED if dry_run else Status.ERRORED
        error = {
            "code": error_codes.ACCOUNT_CREATION_FAILED,
            "detail": str(exc)[:500],
            "domain": "import_process",
        }
    event = _event(EVENT_ERRORED, now, error) if error else _event(EVENT_PROCESSED, now)
    models.AccountImportProcess.objects.filter(pk=process_id).exclude(status=Status.PROCESSED).update(
        status=status, latest_error=error, latest_event=event
    )
    return models.AccountImportProcess.objects.get(pk=process_id)


def start_batch(
    *, supplier: models.ImportSupplier, payloads: list[dict], now: datetime, is_dry_run: bool = False
) -> models.ImportProcess:
    """Stage many payloads as one ImportProcess. Accounts imported earlier are linked to it and
    count as processed; validation happens per account when its chunk runs."""
    with transaction.atomic():
        batch = models.ImportProcess.objects.create(
            supplier=supplier,
            is_dry_run=is_dry_run,
            total_count=len(payloads),
            started_at=now,
            status=Status.IN_PROGRESS,
        )
        by_number = {p.get("external_account_number") or "": p for p in payloads if isinstance(p, dict)}
        existing = set(
            models.AccountImportProcess.objects.filter(
                supplier=supplier, external_account_number__in=by_number
            ).values_list("external_account_number", flat=True)
        )
        rows = models.AccountImportProcess.objects.filter(
            supplier=supplier, external_account_number__in=existing
        )
        rows.filter(account__isnull=False).update(import_process=batch)
        for row in rows.filter(account__isnull=True).only("pk", "external_account_number"):
            models.AccountImportProcess.objects.filter(pk=row.pk).update(
                import_process=batch,
                status=Status.PENDING,
                payload=by_number[row.external_account_number],
                task_params={"is_dry_run": is_dry_run},
            )
        models.AccountImportProcess.objects.bulk_create(
            [
                models.AccountImportProcess(
                    supplier=supplier,
                    external_account_number=number,
                    payload=payload,
                    import_process=batch,
                    task_params={"is_dry_run": is_dry_run},
                    latest_event=_event(EVENT_CREATED, now),
                )
                for number, payload in by_number.items()
                if number not in existing
            ]
        )
        _refresh_batch_counts(batch_id=batch.pk)
    return batch


FINISHED_OK = (Status.PROCESSED, Status.DRY_RUN_SUCCEEDED)
FINISHED_FAILED = (Status.ERRORED, Status.DRY_RUN_ERRORED)


def run_batch_chunk(
    *,
    batch_id: int,
    process_ids: list[int],
    now: datetime,
    catalogue: catalogue_module.Catalogue | None = None,
) -> None:
    """Import a chunk of a batch. Safe to run again after a crash: finished accounts are skipped,
    and the batch's counts are recomputed from its rows, so nothing is counted twice or lost."""
    catalogue = catalogue or queries.build_catalogue()
    statuses = dict(
        models.AccountImportProcess.objects.filter(
            pk__in=process_ids, import_process_id=batch_id
        ).values_list("pk", "status")
    )
    for process_id in process_ids:
        if statuses.get(process_id) not in (Status.PENDING, Status.IN_PROGRESS):
            continue
        process = run_account_import(process_id=process_id, now=now, catalogue=catalogue)
        _refresh_batch_counts(batch_id=batch_id)
        if process.status in FINISHED_FAILED:
            _append_batch_error(batch_id, process)
    _refresh_batch_counts(batch_id=batch_id)


def _refresh_batch_counts(*, batch_id: int) -> None:
    rows = models.AccountImportProcess.objects.filter(import_process_id=batch_id)

    def count(statuses):
        counted = (
            rows.filter(status__in=statuses).order_by().values("import_process_id").annotate(n=Count("id"))
        )
        return Coalesce(Subquery(counted.values("n")[:1]), 0)

    models.ImportProcess.objects.filter(pk=batch_id).update(
        processed_count=count(FINISHED_OK), failed_count=count(FINISHED_FAILED)
    )


def _append_batch_error(batch_id: int, process: models.AccountImportProcess) -> None:
    with transaction.atomic():
        batch = models.ImportProcess.objects.select_for_update().get(pk=batch_id)
        if any(e.get("external_account_number") == process.external_account_number for e in batch.errors):
            return
        batch.errors = [
            *batch.errors,
            {"external_account_number": process.external_account_number, **(process.latest_error or {})},
        ]
        batch.save(update_fields=["errors"])


def finish_batch(*, batch_id: int, now: datetime) -> models.ImportProcess:
    batch = models.ImportProcess.objects.get(pk=batch_id)
    if batch.processed_count + batch.failed_count >= batch.total_count and batch.finished_at is None:
        batch.status = Status.ERRORED if batch.failed_count else Status.PROCESSED
        batch.finished_at = now
        batch.save(update_fields=["status", "finished_at"])
    return batch


# --- post-import writes --------------------------------------------------------------------------


def post_import_lookup(*, supplier: models.ImportSupplier, external_account_number: str | None) -> dict:
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
    Raises ValidationFailed."""
    lookup = post_import_lookup(
        supplier=supplier,
        external_account_number=body.get("external_account_number") or body.get("account_number"),
    )
    validate_document(supplier=supplier, document=base.NOTES, data=body, now=now, lookup=lookup)
    account = lookup["account"]
    existing = set(
        account_models.AccountNote.objects.filter(account=account).values_list("body", "created_at")
    )
    results = []
    with transaction.atomic():
        for note in body.get("notes") or []:
            created_at = base.as_datetime(note.get("created_at")) or now
            body_text = note.get("body") or ""
            status = "NOTE_ALREADY_EXISTS" if (body_text, created_at) in existing else "NOTE_CREATION_SUCCESS"
            if status == "NOTE_CREATION_SUCCESS":
                account_operations.add_note(account=account, body=body_text, created_at=created_at)
                existing.add((body_text, created_at))
            results.append({"created_at": created_at.isoformat(), "body": body_text, "status": status})
    return results


MAX_STATEMENT_AMOUNT = 10**15


def _statement_rows(statements: list[dict]) -> tuple[list, list[base.Failure]]:
    """The statements as billing rows, and the failures of what the schema cannot say (real dates,
    a period in order, sizes the database holds)."""
    rows, failures = [], []

    def fail(index: int, field: str, code: str, detail: str) -> None:
        failures.append(base.Failure(f"statements.{index}.{field}", code, detail, "api", 0))

    for index, statement in enumerate(statements):
        before = len(failures)
        for field in ("bill_period_from_date", "bill_period_to_date", "issued_date"):
            if statement.get(field) is not None and base.as_date(statement[field]) is None:
                fail(index, field, error_codes.INVALID, "Enter a valid date.")
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
    lookup = post_import_lookup(
        supplier=supplier, external_account_number=body.get("external_account_number")
    )
    statements = [s for s in body.get("statements") or [] if isinstance(s, dict)]
    if lookup["account"] is not None:
        lookup["statement_ids"] = queries.historical_statement_ids(
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


REGISTRATION_FLOW_SUCCESS = "REGISTRATION_FLOW_SUCCESS"
REGISTRATION_FLOW_ERROR = "REGISTRATION_FLOW_ERROR"


class AccountNotImported(ImportError_):
    code = error_codes.ACCOUNT_NOT_FOUND


class NoMeterPoints(ImportError_):
    code = error_codes.NO_METER_POINTS


@dataclasses.dataclass(frozen=True)
class RegistrationFlowResult:
    """What happened to one meter point: REGISTRATION_FLOW_SUCCESS (it is marked for registration)
    or REGISTRATION_FLOW_ERROR with the reason."""

    mpxn: str
    status: str
    error_detail: str = ""


def send_registration_flows(
    *, supplier: models.ImportSupplier | None, external_account_number: str, now: datetime
) -> list[RegistrationFlowResult]:
    """Mark every meter point of an imported account that awaits registration (GB, pending, supply
    not ended) for registration: one RegistrationFlow row each, which Kraken's registration process
    picks up. Idempotent: a meter point marked before succeeds again and gets no second row, also
    when two requests race (the row is unique per meter point).

    Raises AccountNotImported, NoMeterPoints.
    """
    try:
        process = queries.imported_account(supplier=supplier, external_account_number=external_account_number)
    except models.AccountImportProcess.DoesNotExist:
        raise AccountNotImported(f"Account not found for {external_account_number}.") from None
    points = queries.account_meter_points(account=process.account)
    if not points:
        raise NoMeterPoints(f"No meter points found for {external_account_number}.")
    results, new_flows = [], []
    for point in points:
        refusal = _registration_refusal(supplier=supplier, meter_point=point, now=now)
        if refusal:
            results.append(RegistrationFlowResult(point.identifier, REGISTRATION_FLOW_ERROR, refusal))
            continue
        if not hasattr(point, "registration_flow"):
            new_flows.append(
                models.RegistrationFlow(meter_point=point, account_import=process, requested_at=now)
            )
        results.append(RegistrationFlowResult(point.identifier, REGISTRATION_FLOW_SUCCESS))
    models.RegistrationFlow.objects.bulk_create(new_flows, ignore_conflicts=True)
    return results


def _registration_refusal(*, supplier: models.ImportSupplier, meter_point, now: datetime) -> str:
    """Why this meter point cannot be marked for registration, or ""."""
    if not supplier.send_registration_flows:
        return f"Registration flows are not sent for import supplier {supplier.code}."
    if meter_point.market != metering_models.Market.GB:
        return "Registration flows are sent for GB meter points only."
    if meter_point.supply_to is not None and meter_point.supply_to <= now:
        return f"Supply ended on {meter_point.supply_to:%Y-%m-%d}."
    if meter_point.status != metering_models.MeterPointStatus.PENDING:
        return f"The meter point is {meter_point.status}, not awaiting registration."
    return ""


# --- one-shot import (management command, benchmarks) ---------------------------------------------


def import_account(
    *,
    supplier: models.ImportSupplier,
    payload: dict,
    now: datetime,
    catalogue: catalogue_module.Catalogue,
    dry_run: bool = False,
) -> int:
    """Validate, stage and create one account in one go (what a file import does per line).
    Returns the id of the account's import process.

    Validation failures are recorded on the process (ERRORED, latest_error) and raised. The
    account's rows and the process update share one transaction, so an interrupted run leaves
    each account either fully imported or not at all; re-running skips imported accounts.
    Raises ValidationFailed, AlreadyImported, DryRunSucceeded, IntegrityError.
    """
    external = payload.get("external_account_number") if isinstance(payload, dict) else None
    try:
        normalised = validate_document(
            supplier=supplier, document=base.ACCOUNT, data=payload, now=now, catalogue=catalogue
        )
    except ValidationFailed as exc:
        if isinstance(external, str):
            failure = exc.failures[0]
            error = {
                "code": failure.code,
                "detail": f"{failure.attr}: {failure.detail}",
                "domain": "import_process",
            }
            _record_failure(
                supplier=supplier, external_account_number=external, payload=payload, error=error, now=now
            )
        raise
    try:
        with transaction.atomic():
            account = create_account_from_payload(
                supplier=supplier,
                process=None,
                payload=normalised,
                catalogue=catalogue,
                now=now,
                external_account_number=external,
            )
            if dry_run:
                raise _RollBack
            process_id = _claim_process(
                supplier=supplier, external_account_number=external, payload=payload, account=account, now=now
            )
            if process_id is None:
                number = (
                    models.AccountImportProcess.objects.filter(
                        supplier=supplier, external_account_number=external
                    )
                    .values_list("account__number", flat=True)
                    .get()
                )
                if number is None:
                    raise ImportSkipped(f"{external} is marked to be skipped")
                raise AlreadyImported(external_account_number=external, account_number=number)
            return process_id
    except _RollBack:
        raise DryRunSucceeded("Account would successfully import. Rolled back due to Dry Run.") from None
    except IntegrityError:
        # A concurrent import of the same account wins on a unique row (meter point, mandate, ...):
        # that is "already imported", not a failure.
        number = (
            models.AccountImportProcess.objects.filter(
                supplier=supplier, external_account_number=external, account__isnull=False
            )
            .values_list("account__number", flat=True)
            .first()
        )
        if number:
            raise AlreadyImported(external_account_number=external, account_number=number) from None
        raise


CLAIM_SQL = """
INSERT INTO imports_accountimportprocess
    (supplier_id, external_account_number, status, payload, account_id, latest_event, task_params,
     created_at, modified_at, processed_at)
VALUES (%s, %s, 'PROCESSED', %s, %s, %s, '{}'::jsonb, %s, %s, %s)
ON CONFLICT (supplier_id, external_account_number) DO UPDATE
    SET status = 'PROCESSED', payload = EXCLUDED.payload, account_id = EXCLUDED.account_id,
        latest_error = NULL, latest_event = EXCLUDED.latest_event, modified_at = EXCLUDED.modified_at,
        processed_at = EXCLUDED.processed_at
    WHERE imports_accountimportprocess.account_id IS NULL AND imports_accountimportprocess.status <> 'CANCELLED'
RETURNING id
"""


def _claim_process(
    *, supplier, external_account_number: str, payload: dict, account, now: datetime
) -> int | None:
    """Record the account on its (supplier, number) process row in one statement. A concurrent
    import of the same key waits on the unique index and then finds it taken: returns None, and
    the caller rolls its account back."""
    event = json.dumps(_event(EVENT_PROCESSED, now, {"kraken_identifier": account.number}))
    with connection.cursor() as cursor:
        cursor.execute(
            CLAIM_SQL,
            [supplier.pk, external_account_number, json.dumps(payload), account.pk, event, now, now, now],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _record_failure(
    *, supplier, external_account_number: str, payload: dict, error: dict, now: datetime
) -> None:
    """Stage the failing payload as ERRORED, unless the account was imported already."""
    fields = {
        "payload": payload,
        "status": Status.ERRORED,
        "latest_error": error,
        "latest_event": _event(EVENT_ERRORED, now, error),
    }
    rows = models.AccountImportProcess.objects.filter(
        supplier=supplier, external_account_number=external_account_number, account__isnull=True
    )
    if rows.update(**fields):
        return
    try:
        with transaction.atomic():
            models.AccountImportProcess.objects.create(
                supplier=supplier, external_account_number=external_account_number, **fields
            )
    except IntegrityError:
        pass  # already imported: the import stands, the failing re-post changes nothing


TRANSACTION_KINDS = {
    "CHARGE": (account_models.LedgerEntryKind.CHARGE, -1),
    "SUPPLY_CHARGE": (account_models.LedgerEntryKind.CHARGE, -1),
    "REPAYMENT": (account_models.LedgerEntryKind.REFUND, -1),
    "CREDIT": (account_models.LedgerEntryKind.CREDIT, 1),
    "PAYMENT": (account_models.LedgerEntryKind.PAYMENT, 1),
}


class AccountHasActiveInstruction(ImportError_):
    code = "account_has_active_instruction"


def create_transactions(*, supplier: models.ImportSupplier, body: dict, now: datetime) -> list[dict]:
    """Post an imported account's transactions to its energy ledger; a transaction id already on
    the ledger is reported, not posted twice. Dry runs roll back. Raises ValidationFailed."""
    lookup = post_import_lookup(
        supplier=supplier,
        external_account_number=body.get("external_account_number") or body.get("account_number"),
    )
    validate_document(supplier=supplier, document=base.TRANSACTIONS, data=body, now=now, lookup=lookup)
    account = lookup["account"]
    ledger = account_models.Ledger.objects.get(account=account, ledger_type=account_models.LedgerType.ENERGY)
    transactions = [t for t in body.get("transactions") or [] if isinstance(t, dict)]
    existing = set(
        account_models.LedgerEntry.objects.filter(
            ledger=ledger, reference__in=[t["transaction_id"] for t in transactions]
        ).values_list("reference", flat=True)
    )
    results = []
    try:
        with transaction.atomic():
            for item in transactions:
                if item["transaction_id"] in existing:
                    results.append({"status": "TRANSACTION_ALREADY_EXISTS", "transaction_data": item})
                    continue
                kind, sign = TRANSACTION_KINDS[item["type"]]
                entry = account_operations.post_ledger_entry(
                    ledger=ledger,
                    amount=sign * _minor(item.get("amount"), ledger.currency),
                    currency=ledger.currency,
                    kind=kind,
                    description=(item.get("reason") or item["type"])[:255],
                    posted_at=_midnight(item.get("transaction_date")) or now,
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
                raise _RollBack
    except _RollBack:
        pass
    return results


def create_payment_instruction(
    *, supplier: models.ImportSupplier, body: dict, now: datetime
) -> tuple[str, str]:
    """Give an imported account its payment instruction. Returns (account number, reference).
    Raises ValidationFailed, AccountHasActiveInstruction."""
    lookup = post_import_lookup(
        supplier=supplier, external_account_number=body.get("external_account_number")
    )
    validate_document(supplier=supplier, document=base.PAYMENT_INSTRUCTION, data=body, now=now, lookup=lookup)
    account = lookup["account"]
    reference = body.get("reference") or body.get("instruction_reference")
    try:
        with transaction.atomic():
            account_models.PaymentMethod.objects.create(
                account=account,
                method_type={"CARD": "CARD_PAYMENT", "PAYMENT_SLIP": "PAYMENT_SLIP"}.get(
                    body["type"], "DIRECT_DEBIT"
                ),
                vendor=body["vendor"][:64],
                vendor_reference=reference[:255],
            )
    except IntegrityError:
        raise AccountHasActiveInstruction("Account already has an active instruction") from None
    return account.number, reference


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What happened to one payload of a chunk: IMPORTED, SKIPPED (already imported) or FAILED."""

    external_account_number: str | None
    status: str
    failures: tuple = ()
    error: str = ""


IMPORTED, SKIPPED, FAILED = "IMPORTED", "SKIPPED", "FAILED"


class _ChunkConflict(Exception):
    pass


def import_accounts(
    *,
    supplier: models.ImportSupplier,
    payloads: list[dict],
    now: datetime,
    catalogue: catalogue_module.Catalogue,
    dry_run: bool = False,
) -> list[Outcome]:
    """Import a chunk of payloads (a file import's or a benchmark's unit of work).

    Each payload is validated on its own; the valid ones are written together in one durable
    transaction, with one COPY per table (`copy_accounts_from_payloads`, ids reserved up front). If
    anything in the chunk is refused by the database, or a concurrent import claims one of its
    accounts, the chunk rolls back and each account is retried alone in its own transaction, so a
    bad account never takes good ones down and none is written twice.
    """
    outcomes: list[Outcome | None] = [None] * len(payloads)
    todo: list[tuple[int, str, dict, dict]] = []
    for index, payload in enumerate(payloads):
        external = payload.get("external_account_number") if isinstance(payload, dict) else None
        try:
            normalised = validate_document(
                supplier=supplier, document=base.ACCOUNT, data=payload, now=now, catalogue=catalogue
            )
        except ValidationFailed as exc:
            outcomes[index] = Outcome(external, FAILED, tuple(exc.failures))
            if isinstance(external, str):
                failure = exc.failures[0]
                _record_failure(
                    supplier=supplier,
                    external_account_number=external,
                    payload=payload,
                    now=now,
                    error={
                        "code": failure.code,
                        "detail": f"{failure.attr}: {failure.detail}",
                        "domain": "import_process",
                    },
                )
            continue
        todo.append((index, external, payload, normalised))
    known = models.AccountImportProcess.objects.filter(
        supplier=supplier, external_account_number__in=[t[1] for t in todo]
    ).values_list("external_account_number", "account_id", "status")
    done = {external for external, account_id, status in known if account_id or status == Status.CANCELLED}
    staged = {external for external, _, _ in known} - done
    seen: set[str] = set()
    chunk = []
    for index, external, payload, normalised in todo:
        if external in done or external in seen:
            outcomes[index] = Outcome(external, SKIPPED)
            continue
        seen.add(external)
        chunk.append((index, external, payload, normalised))
    if chunk:
        try:
            with transaction.atomic():
                accounts = copy_accounts_from_payloads(
                    supplier=supplier,
                    items=[(external, normalised) for _, external, _, normalised in chunk],
                    catalogue=catalogue,
                    now=now,
                )
                if dry_run:
                    raise _RollBack
                claimed = _copy_processes(
                    supplier=supplier,
                    rows=[
                        (external, payload, account)
                        for (_, external, payload, _), account in zip(chunk, accounts, strict=True)
                    ],
                    staged=staged,
                    now=now,
                )
                if claimed != len(chunk):
                    raise _ChunkConflict
            for index, external, _, _ in chunk:
                outcomes[index] = Outcome(external, IMPORTED)
        except _RollBack:
            for index, external, _, _ in chunk:
                outcomes[index] = Outcome(external, IMPORTED)
        except (_ChunkConflict, IntegrityError, ValidationFailed, OperationalError) as exc:
            if isinstance(exc, OperationalError) and not isinstance(
                exc.__cause__, psycopg_errors.DeadlockDetected
            ):
                raise
            for index, _external, payload, _ in chunk:
                outcomes[index] = _import_alone(
                    supplier=supplier,
                    payload=payload,
                    now=now,
                    catalogue=catalogue,
                    dry_run=dry_run,
                )
    return outcomes


def _import_alone(*, supplier, payload, now, catalogue, dry_run) -> Outcome:
    external = payload.get("external_account_number")
    try:
        import_account(supplier=supplier, payload=payload, now=now, catalogue=catalogue, dry_run=dry_run)
    except DryRunSucceeded:
        return Outcome(external, IMPORTED)
    except (AlreadyImported, ImportSkipped):
        return Outcome(external, SKIPPED)
    except ValidationFailed as exc:
        return Outcome(external, FAILED, tuple(exc.failures))
    except IntegrityError as exc:
        return Outcome(external, FAILED, error=str(exc).splitlines()[0])
    return Outcome(external, IMPORTED)


class _ProcessRow(NamedTuple):
    supplier_id: int
    external_account_number: str
    status: str
    payload: dict
    account_id: int
    latest_event: dict
    processed_at: datetime


CLAIM_STAGED_SQL = """
UPDATE imports_accountimportprocess AS p
SET status = 'PROCESSED', payload = v.payload::jsonb, account_id = v.account_id::bigint,
    latest_error = NULL, latest_event = v.latest_event::jsonb, modified_at = %s, processed_at = %s
FROM (VALUES {values}) AS v (external_account_number, payload, account_id, latest_event)
WHERE p.supplier_id = %s AND p.external_account_number = v.external_account_number
    AND p.account_id IS NULL AND p.status <> 'CANCELLED'
RETURNING p.id
"""


def _copy_processes(
    *, supplier, rows: list[tuple[str, dict, tuple[int, str]]], staged: set[str], now: datetime
) -> int:
    """`_claim_processes` for the COPY path: new (supplier, number) keys are written with COPY
    (in key order, so concurrent chunks lock keys in one order); keys staged earlier (PENDING or
    ERRORED, no account) are claimed with one UPDATE. Returns how many rows were claimed; a key a
    concurrent import took makes COPY raise IntegrityError or the UPDATE skip its row."""
    new = sorted((row for row in rows if row[0] not in staged), key=lambda row: row[0])
    process_rows = [
        _ProcessRow(
            supplier.pk,
            external,
            Status.PROCESSED,
            payload,
            account_id,
            _event(EVENT_PROCESSED, now, {"kraken_identifier": number}),
            now,
        )
        for external, payload, (account_id, number) in new
    ]
    bulk.copy_rows(model=models.AccountImportProcess, rows=process_rows, now=now)
    claimed = len(process_rows)
    again = [row for row in rows if row[0] in staged]
    if again:
        params = []
        for external, payload, (account_id, number) in again:
            event = _event(EVENT_PROCESSED, now, {"kraken_identifier": number})
            params += [external, json.dumps(payload), account_id, json.dumps(event)]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(again))
        with connection.cursor() as cursor:
            cursor.execute(CLAIM_STAGED_SQL.format(values=values), [now, now, *params, supplier.pk])
            claimed += len(cursor.fetchall())
    return claimed
