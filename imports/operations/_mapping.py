"""The one mapping from validated account payloads to the rows their accounts are written as.

`account_parts` picks out what each payload writes, `id_counts` says how many primary keys to draw
for them, and `rows` builds every row under the ids drawn: the rows of accounts, metering and billing,
typed by the owning app's writer (`accounts.operations.AccountRow`, ...). No database access here:
the writer (`_writer.write_accounts`) draws the ids, looks up known users and writes the rows.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.contrib.auth.hashers import make_password

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from billing import operations as billing_operations
from imports import catalogue as catalogue_module
from imports import models
from imports.operations import _columns
from imports.operations._validation import unknown_tariff
from imports.rules import base
from kernel import clock, money
from metering import models as metering_models
from metering import operations as metering_operations

PAYMENT_METHOD_TYPES = {
    "DIRECT_DEBIT": "DIRECT_DEBIT",
    "CARD": "CARD_PAYMENT",
    "PAYMENT_SLIP": "PAYMENT_SLIP",
}
OPENING_BALANCE_DESCRIPTION = "Balance transferred from previous supplier"
# `AccountType.values` builds its list on every read.
ACCOUNT_TYPES = frozenset(accounts_models.AccountType.values)


def currency_of(supplier: models.ImportSupplier) -> str:
    return _columns.currency_of(supplier.territory)


# Midnights by their payload text: a chunk's payloads repeat a handful of dates (some 13 an
# account), each parsed and combined again otherwise. Memoised as `base` memoises parsed values.
_midnights: dict[str, datetime | None] = {}


def midnight(value) -> datetime | None:
    """A payload date as the UTC midnight starting it, or None."""
    if value.__class__ is str:
        try:
            return _midnights[value]
        except KeyError:
            day = base.as_date(value)
            return base.remember(_midnights, value, clock.midnight(day, UTC) if day else None)
    day = base.as_date(value)
    return clock.midnight(day, UTC) if day else None


def minor_units(value, currency: str) -> int:
    """A payload amount (decimal string, major units) in the currency's integer minor units."""
    amount = base.as_decimal(value)
    return money.to_minor_units(amount=amount, currency=currency) if amount is not None else 0


@dataclasses.dataclass(frozen=True)
class AccountParts:
    """What one validated payload writes: its billing address (id None, drawn later), its supply
    addresses (none when the supplier skips property creation), its customers, and its meter points
    (none when it skips supply points)."""

    external_account_number: str | None
    payload: dict
    billing_address: accounts_operations.AddressRow | None
    supply_addresses: list[dict]
    customers: list[dict]
    meter_points: list[dict]
    transfer_balance: int  # minor units


def account_parts(*, supplier: models.ImportSupplier, items: list[tuple[str, dict]]) -> list[AccountParts]:
    """The parts of each (external account number, validated payload)."""
    currency = currency_of(supplier)
    parts = []
    for external, payload in items:
        addresses = (
            []
            if supplier.skip_property_creation
            else [a for a in payload.get("supply_addresses") or [] if isinstance(a, dict)]
        )
        parts.append(
            AccountParts(
                external_account_number=external,
                payload=payload,
                billing_address=_billing_address(payload, supplier.territory),
                supply_addresses=addresses,
                customers=[c for c in payload.get("customers") or [] if isinstance(c, dict)],
                meter_points=(
                    []
                    if supplier.skip_supply_point_creation
                    else [mp for a in addresses for mp in (a.get("meter_points") or [])]
                ),
                transfer_balance=minor_units(payload.get("transfer_balance"), currency),
            )
        )
    return parts


class IdCounts(NamedTuple):
    """How many primary keys the rows of some accounts need, per table (users: at most)."""

    addresses: int
    accounts: int
    users: int
    properties: int
    ledger_entries: int
    meter_points: int
    meters: int


def id_counts(parts: list[AccountParts]) -> IdCounts:
    return IdCounts(
        addresses=sum(p.billing_address is not None for p in parts)
        + sum(len(p.supply_addresses) for p in parts),
        accounts=len(parts),
        users=sum(len(p.customers) for p in parts),
        properties=sum(len(p.supply_addresses) for p in parts),
        ledger_entries=sum(1 for p in parts if p.transfer_balance),
        meter_points=sum(len(p.meter_points) for p in parts),
        meters=sum(len(mp.get("meters") or []) for p in parts for mp in p.meter_points),
    )


def customer_emails(parts: list[AccountParts]) -> set[str]:
    """The customers' emails in lower case, to link known users instead of creating them."""
    return {c["email"].lower() for p in parts for c in p.customers if c.get("email")}


@dataclasses.dataclass
class Rows:
    """Every row some accounts are written as, in the order the writer writes them."""

    addresses: list[accounts_operations.AddressRow] = dataclasses.field(default_factory=list)
    accounts: list[accounts_operations.AccountRow] = dataclasses.field(default_factory=list)
    users: list[accounts_operations.UserRow] = dataclasses.field(default_factory=list)
    roles: list[accounts_operations.AccountUserRoleRow] = dataclasses.field(default_factory=list)
    properties: list[accounts_operations.PropertyRow] = dataclasses.field(default_factory=list)
    meter_points: list[metering_operations.MeterPointRow] = dataclasses.field(default_factory=list)
    meters: list[metering_operations.MeterRow] = dataclasses.field(default_factory=list)
    registers: list[metering_operations.RegisterRow] = dataclasses.field(default_factory=list)
    readings: list[metering_operations.MeterReading] = dataclasses.field(default_factory=list)
    agreements: list[billing_operations.AgreementRow] = dataclasses.field(default_factory=list)
    payment_methods: list[accounts_operations.PaymentMethodRow] = dataclasses.field(default_factory=list)
    ledger_entries: list[accounts_operations.LedgerEntryRow] = dataclasses.field(default_factory=list)


def rows(
    *,
    supplier: models.ImportSupplier,
    parts: list[AccountParts],
    catalogue: catalogue_module.Catalogue,
    now: datetime,
    account_ids: accounts_operations.ReservedIds,
    metering_ids: metering_operations.ReservedIds,
    numbers: list[str],
    public_ids: list[int],
    known_users: dict[str, int],
) -> Rows:
    """The rows of these accounts under the ids drawn for them (`id_counts`), the free account
    numbers and property public ids given, linking customers whose email is in `known_users` (lower
    case email -> user id; a customer seen earlier in `parts` is linked too).

    Raises ValidationFailed (an agreement's tariff is not in the catalogue with a row).
    """
    territory = supplier.territory
    currency = currency_of(supplier)
    ids = _Ids(account_ids, metering_ids)
    written = Rows()
    billing_ids = []
    for p in parts:
        billing_ids.append(None if p.billing_address is None else ids.address())
        if p.billing_address is not None:
            written.addresses.append(p.billing_address._replace(id=billing_ids[-1]))
    supply_ids = []
    for p in parts:
        supply_ids.append([])
        for a in p.supply_addresses:
            supply_ids[-1].append(ids.address())
            written.addresses.append(_supply_address(a, territory)._replace(id=supply_ids[-1][-1]))
    for p, billing_id, number in zip(parts, billing_ids, numbers, strict=True):
        written.accounts.append(
            accounts_operations.AccountRow(
                id=ids.account(),
                ledger_id=ids.ledger(),
                number=number,
                billing_name=(p.payload.get("billing_name") or p.external_account_number or "Customer")[:255],
                billing_address_id=billing_id,
                currency=currency,
                account_type=_account_type(p.payload),
                billing_email=(p.payload.get("billing_email") or "")[:254],
                billing_sub_name=(p.payload.get("billing_sub_name") or "")[:255],
            )
        )
    _add_users(written, parts=parts, ids=ids, known_users=dict(known_users))
    _add_properties(
        written, parts=parts, supply_ids=supply_ids, public_ids=iter(public_ids), ids=ids, now=now
    )
    _add_supply(written, supplier=supplier, catalogue=catalogue, now=now, ids=ids, parts=parts)
    for account, p in zip(written.accounts, parts, strict=True):
        instructions = [i for i in p.payload.get("payment_instructions") or [] if isinstance(i, dict)]
        if instructions:
            first = instructions[0]
            written.payment_methods.append(
                accounts_operations.PaymentMethodRow(
                    account_id=account.id,
                    method_type=PAYMENT_METHOD_TYPES.get(first.get("type"), "DIRECT_DEBIT"),
                    vendor=(first.get("vendor") or "")[:64],
                    vendor_reference=(first.get("reference") or "")[:255],
                )
            )
    for account, p in zip(written.accounts, parts, strict=True):
        if p.transfer_balance:
            written.ledger_entries.append(
                accounts_operations.LedgerEntryRow(
                    id=ids.ledger_entry(),
                    ledger_id=account.ledger_id,
                    account_id=account.id,
                    amount=p.transfer_balance,
                    currency=currency,
                    kind=accounts_models.LedgerEntryKind.OPENING_BALANCE,
                    description=OPENING_BALANCE_DESCRIPTION,
                    reference=f"import:{supplier.code}:{p.external_account_number}"[:128],
                    posted_at=now,
                )
            )
    return written


class _Ids:
    """The drawn ids, handed out in ascending order per table."""

    def __init__(
        self, account_ids: accounts_operations.ReservedIds, metering_ids: metering_operations.ReservedIds
    ) -> None:
        self.address = iter(account_ids.addresses).__next__
        self.account = iter(account_ids.accounts).__next__
        self.ledger = iter(account_ids.ledgers).__next__
        self.user = iter(account_ids.users).__next__
        self.property = iter(account_ids.properties).__next__
        self.ledger_entry = iter(account_ids.ledger_entries).__next__
        self.meter_point = iter(metering_ids.meter_points).__next__
        self.meter = iter(metering_ids.meters).__next__


def _add_users(written: Rows, *, parts: list[AccountParts], ids: _Ids, known_users: dict[str, int]) -> None:
    """The customers of each account: a known email links the existing user (or one made earlier in
    `parts`), any other customer becomes a new user without a usable password."""
    unusable = make_password(None)
    for account, p in zip(written.accounts, parts, strict=True):
        linked = set()
        for customer in p.customers:
            email = (customer.get("email") or "").lower()
            user_id = known_users.get(email) if email else None
            if user_id is None:
                user_id = ids.user()
                written.users.append(
                    accounts_operations.UserRow(
                        id=user_id,
                        username=f"import-{secrets.token_hex(8)}",
                        email=email or f"{secrets.token_hex(8)}@import.invalid",
                        first_name=(customer.get("given_name") or "")[:150],
                        last_name=(customer.get("family_name") or "")[:150],
                        mobile=(customer.get("mobile") or "")[:32],
                        landline=(customer.get("landline") or "")[:32],
                        date_of_birth=base.as_date(customer.get("date_of_birth")),
                        password=unusable,
                        title=(customer.get("title") or "")[:32],
                        pronouns=(customer.get("pronouns") or "")[:64],
                    )
                )
                if email:
                    known_users[email] = user_id
            if user_id not in linked:
                linked.add(user_id)
                written.roles.append(
                    accounts_operations.AccountUserRoleRow(account_id=account.id, user_id=user_id)
                )


def _add_properties(
    written: Rows,
    *,
    parts: list[AccountParts],
    supply_ids: list[list[int]],
    public_ids: Iterator[int],
    ids: _Ids,
    now: datetime,
) -> None:
    for account, p, address_ids in zip(written.accounts, parts, supply_ids, strict=True):
        for a, address_id in zip(p.supply_addresses, address_ids, strict=True):
            written.properties.append(
                accounts_operations.PropertyRow(
                    id=ids.property(),
                    public_id=next(public_ids),
                    account_id=account.id,
                    address_id=address_id,
                    occupied_from=midnight(a.get("customer_at_supply_address_from_date")) or now,
                    occupied_to=midnight(a.get("customer_at_supply_address_to_date")),
                )
            )


def _add_supply(
    written: Rows,
    *,
    supplier: models.ImportSupplier,
    catalogue: catalogue_module.Catalogue,
    now: datetime,
    ids: _Ids,
    parts: list[AccountParts],
) -> None:
    """Meter points (with their meters and registers) and agreements, property by property."""
    if supplier.skip_supply_point_creation:
        return
    market = _columns.market_of(supplier.territory)
    # An on-market switch (the supplier sends registration flows) gains its meter points pending.
    status = (
        metering_models.MeterPointStatus.PENDING
        if supplier.send_registration_flows
        else metering_models.MeterPointStatus.ON_SUPPLY
    )
    properties = iter(written.properties)
    for account, p in zip(written.accounts, parts, strict=True):
        for a in p.supply_addresses:
            property_id = next(properties).id
            for mp in a.get("meter_points") or []:
                point_id = ids.meter_point()
                supply_from = midnight(mp.get("supply_start_date")) or now
                written.meter_points.append(
                    metering_operations.MeterPointRow(
                        id=point_id,
                        property_id=property_id,
                        utility_type=mp.get("supply_type") or "ELECTRICITY",
                        market=market,
                        identifier=mp.get("identifier"),
                        profile_class=mp.get("profile_class"),
                        supply_from=supply_from,
                        supply_to=midnight(mp.get("supply_end_date")),
                        status=status,
                        ldz=(mp.get("ldz") or "")[:2],
                        estimated_annual_consumption=_annual_consumption(mp),
                        supplier_mpid=(mp.get("mpid") or "")[:4],
                    )
                )
                register_eacs = _eacs_by_time_pattern(mp)
                for meter in mp.get("meters") or []:
                    meter_id = ids.meter()
                    written.meters.append(
                        metering_operations.MeterRow(
                            id=meter_id,
                            meter_point_id=point_id,
                            serial_number=meter.get("meter_serial_number"),
                            is_smart=meter.get("smart_type") not in (None, "", "NONE"),
                            installed_from=midnight(meter.get("installed_on")) or supply_from,
                            installed_to=midnight(meter.get("removed_on")),
                            is_prepay=meter.get("is_prepay") is True,
                        )
                    )
                    gas = mp.get("supply_type") == "GAS"
                    written.registers.extend(_registers(meter, meter_id, register_eacs, gas=gas))
                    written.readings.extend(_readings(meter, meter_id, gas=gas))
                for agreement in mp.get("agreements") or []:
                    info = catalogue.tariffs.get(agreement.get("tariff_code"))
                    if info is None or info.tariff_id is None:
                        raise unknown_tariff(agreement.get("tariff_code"))
                    active_from = midnight(agreement.get("effective_from"))
                    active_to = midnight(agreement.get("effective_to"))
                    if active_to is not None and active_to == active_from:
                        continue  # [day, day) is empty: it covers nothing, so there is nothing to write
                    written.agreements.append(
                        billing_operations.AgreementRow(
                            account_id=account.id,
                            meter_point_id=point_id,
                            tariff_id=info.tariff_id,
                            active_from=active_from,
                            active_to=active_to,
                        )
                    )


def _account_type(payload: dict) -> str:
    account_type = payload.get("account_type") or accounts_models.AccountType.DOMESTIC
    return account_type if account_type in ACCOUNT_TYPES else accounts_models.AccountType.DOMESTIC


def _billing_address(payload: dict, territory: str) -> accounts_operations.AddressRow | None:
    """The billing address's columns (id None, drawn later), or None without one."""
    new_style = payload.get("billing_address")
    if isinstance(new_style, dict):
        return accounts_operations.AddressRow(
            id=None,
            line_1=(new_style.get("street_address") or "")[:255] or "-",
            line_2="",
            line_3="",
            locality=(new_style.get("locality") or "")[:255],
            administrative_area=(new_style.get("administrative_area") or "")[:255],
            postcode=(new_style.get("postal_code") or "")[:16],
            country=new_style.get("country") or territory,
            delivery_point_identifier=_delivery_point(payload.get("billing_delivery_point_identifier")),
        )
    if payload.get("billing_address1"):
        return accounts_operations.AddressRow(
            id=None,
            line_1=payload["billing_address1"][:255],
            line_2=(payload.get("billing_address2") or "")[:255],
            line_3=(payload.get("billing_address3") or "")[:255],
            locality=(payload.get("billing_address4") or "")[:255],
            administrative_area=(payload.get("billing_address5") or "")[:255],
            postcode=(payload.get("billing_postcode") or "")[:16],
            country=territory,
            delivery_point_identifier=_delivery_point(payload.get("billing_delivery_point_identifier")),
        )
    return None


def _supply_address(a: dict, territory: str) -> accounts_operations.AddressRow:
    return accounts_operations.AddressRow(
        id=None,
        line_1=(a.get("supply_address1") or "")[:255],
        line_2=(a.get("supply_address2") or "")[:255],
        line_3=(a.get("supply_address3") or "")[:255],
        locality=(a.get("supply_address4") or "")[:255],
        administrative_area=(a.get("supply_address5") or "")[:255],
        postcode=(a.get("supply_postcode") or "")[:16],
        country=territory,
        delivery_point_identifier=_delivery_point(a.get("supply_delivery_point_identifier")),
    )


# A gas meter has one register, unnamed in the payload: the import names it 1.
GAS_REGISTER = "1"
GAS_UNITS = {
    "SCMH": metering_models.RegisterUnit.CUBIC_METRES,
    "SCFH": metering_models.RegisterUnit.HUNDREDS_OF_CUBIC_FEET,
}


def _registers(meter: dict, meter_id: int, eacs: dict, *, gas: bool) -> list[metering_operations.RegisterRow]:
    """An electricity meter's registers as sent; a gas meter's single register."""
    if gas:
        return [
            metering_operations.RegisterRow(
                meter_id=meter_id,
                identifier=GAS_REGISTER,
                digits=meter.get("gas_number_of_digits") or 5,
                unit=GAS_UNITS.get(meter.get("units_of_measure"), metering_models.RegisterUnit.CUBIC_METRES),
            )
        ]
    return [
        metering_operations.RegisterRow(
            meter_id=meter_id,
            identifier=str(r.get("register_id"))[:16],
            digits=r.get("number_of_digits") or 5,
            time_pattern_regime=str(r.get("tpr") or "")[:5],
            estimated_annual_consumption=eacs.get(str(r.get("tpr") or "")),
        )
        for r in meter.get("registers") or []
    ]


def _readings(meter: dict, meter_id: int, *, gas: bool) -> list[metering_operations.MeterReading]:
    """The meter's transfer readings and reading history, one per register and day (the transfer
    reading wins over a historical one of the same day)."""
    found = {}
    for r in [*(meter.get("transfer_readings") or []), *(meter.get("reading_history") or [])]:
        if not isinstance(r, dict):
            continue
        register = GAS_REGISTER if gas else str(r.get("register_id"))[:16]
        read_at, value = midnight(r.get("reading_date")), base.as_decimal(r.get("reading_value"))
        if read_at is None or value is None or (register, read_at) in found:
            continue
        quality = (
            metering_models.ReadingQuality.ESTIMATE
            if r.get("reading_type") == "ESTIMATE"
            else metering_models.ReadingQuality.ACTUAL
        )
        found[register, read_at] = metering_operations.MeterReading(
            meter_id, register, read_at, value, quality
        )
    return list(found.values())


def _delivery_point(value) -> str:
    return str(value or "")[:32]


def _latest_estimates(history) -> list[dict]:
    """The entries of an EAC or AQ history with the newest effective date."""
    entries = [h for h in history or [] if isinstance(h, dict)]
    latest = max((str(h.get("effective_from") or "") for h in entries), default="")
    return [h for h in entries if str(h.get("effective_from") or "") == latest]


def _eacs_by_time_pattern(mp: dict) -> dict[str, Decimal]:
    """The newest EAC of each time pattern regime (TPR) of an electricity meter point, kWh."""
    eacs = {}
    for h in _latest_estimates(mp.get("eac_history")):
        kwh = base.as_decimal(h.get("consumption"))
        if h.get("tpr") and kwh is not None and 0 <= kwh < 10**10:
            eacs[str(h["tpr"])[:5]] = kwh.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return eacs


def _annual_consumption(mp: dict) -> int | None:
    """The industry's latest estimate of a year's kWh: the newest AQ (gas), or the newest EAC of
    each time pattern summed (electricity)."""
    total = sum(
        base.as_decimal(h.get("consumption")) or 0
        for h in _latest_estimates(mp.get("aq_history") or mp.get("eac_history"))
    )
    if not total:
        return None
    kwh = int(Decimal(total).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    # Out of the column's range means no usable estimate, not a failed import.
    return kwh if 0 < kwh < 2**31 else None
