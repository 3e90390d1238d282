"""Demo data for `make run`: a few hundred accounts with everything hanging off them.

Idempotent: everything is written in one transaction, under an advisory lock, and only if the demo
product does not exist yet, so a second run changes nothing. Bulk inserts keep it to a few seconds.
Passwords and the import key are fixed, development-only values printed by `make run`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction

from accounts import models as accounts
from accounts import tokens as accounts_tokens
from billing import models as billing
from devices import models as devices
from imports import models as imports
from imports import operations as import_operations
from metering import models as metering

DEMO_PRODUCT_CODE = "DEMO-FLEX-24"
DEMO_CUSTOMER_EMAIL = "demo@example.com"
DEMO_CUSTOMER_PASSWORD = "demo-password"
DEMO_IMPORT_SUPPLIER = "DEMO"
# Development only: a fixed key so every `make run` can print it although only its hash is stored.
DEMO_IMPORT_API_KEY = "demo-import-key-development-only"
ADVISORY_LOCK_ID = 4_242_001
MONTHS_OF_HISTORY = 6


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    accounts: int


def load_demo_data(*, now: datetime, account_count: int = 300, seed: int = 42) -> DemoSummary:
    """Load the demo set unless it is already there."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_ID])
        if billing.Product.objects.filter(code=DEMO_PRODUCT_CODE).exists():
            return DemoSummary(created=False, accounts=account_count)
        _Loader(now=now, rng=random.Random(seed)).load(account_count=account_count)
    return DemoSummary(created=True, accounts=account_count)


def _month_start(moment: datetime, months_back: int) -> datetime:
    year, month = moment.year, moment.month - months_back
    while month <= 0:
        month += 12
        year -= 1
    return moment.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


class _Loader:
    def __init__(self, *, now: datetime, rng: random.Random) -> None:
        self.now = now
        self.rng = rng
        self.history_start = _month_start(now, MONTHS_OF_HISTORY)

    def load(self, *, account_count: int) -> None:
        elec_tariff, gas_tariff, product = self._products()
        addresses = accounts.Address.objects.bulk_create(
            [self._address(index) for index in range(account_count)]
        )
        account_rows = accounts.Account.objects.bulk_create(
            [
                accounts.Account(
                    number=f"A-{0xDE000000 + index:08X}",
                    billing_name=f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}",
                    billing_address=address,
                    billing_email=f"customer{index}@example.com",
                    currency="GBP",
                    brand="OCTOPUS_ENERGY",
                )
                for index, address in enumerate(addresses)
            ]
        )
        users = self._users(account_rows)
        accounts.AccountUserRole.objects.bulk_create(
            [
                accounts.AccountUserRole(account=account, user=user)
                for account, user in zip(account_rows, users, strict=True)
            ]
        )
        ledgers = accounts.Ledger.objects.bulk_create(
            [accounts.Ledger(account=account, currency="GBP") for account in account_rows]
        )
        properties = accounts.Property.objects.bulk_create(
            [
                accounts.Property(
                    account=account, address=account.billing_address, occupied_from=self.history_start
                )
                for account in account_rows
            ]
        )
        accounts.PaymentMethod.objects.bulk_create(
            [
                accounts.PaymentMethod(
                    account=account,
                    method_type=accounts.PaymentMethodType.DIRECT_DEBIT,
                    vendor="localpay",
                    vendor_reference=f"DEMO-MANDATE-{index:06d}",
                    last_four=f"{self.rng.randrange(10000):04d}",
                )
                for index, account in enumerate(account_rows)
                if index % 5
            ]
        )
        meter_points = self._meter_points(properties)
        registers = self._meters_and_registers(meter_points)
        self._readings(registers)
        agreements = billing.Agreement.objects.bulk_create(
            [
                billing.Agreement(
                    account=meter_point.property.account,
                    meter_point=meter_point,
                    tariff=gas_tariff
                    if meter_point.utility_type == metering.UtilityType.GAS
                    else elec_tariff,
                    active_from=self.history_start,
                )
                for meter_point in meter_points
            ]
        )
        self._bills_and_ledgers(account_rows, ledgers, agreements, product)
        self._devices(account_rows, properties)
        self._import_supplier()

    def _products(self):
        product = billing.Product.objects.create(
            code=DEMO_PRODUCT_CODE,
            display_name="Flexible Demo",
            full_name="Flexible Demo Tariff",
            description="Variable tariff used by the demo data.",
            brand="OCTOPUS_ENERGY",
            tax_rate=Decimal("0.05"),
            available_from=self.history_start,
        )
        elec = billing.Tariff.objects.create(
            product=product,
            code="E-1R-DEMO-FLEX-24-A",
            utility_type="ELECTRICITY",
            region="_A",
            standing_charge=Decimal("53.3500"),
        )
        gas = billing.Tariff.objects.create(
            product=product,
            code="G-1R-DEMO-FLEX-24-A",
            utility_type="GAS",
            region="_A",
            standing_charge=Decimal("31.4300"),
        )
        billing.TariffRate.objects.bulk_create(
            [
                billing.TariffRate(tariff=elec, unit_rate=Decimal("24.5000"), active_from=self.history_start),
                billing.TariffRate(tariff=gas, unit_rate=Decimal("6.2400"), active_from=self.history_start),
            ]
        )
        go_product = billing.Product.objects.create(
            code="DEMO-GO-24",
            display_name="Go Demo",
            full_name="Intelligent Go Demo",
            tax_rate=Decimal("0.05"),
            available_from=self.history_start,
        )
        go = billing.Tariff.objects.create(
            product=go_product,
            code="E-1R-DEMO-GO-24-A",
            utility_type="ELECTRICITY",
            region="_A",
            standing_charge=Decimal("53.3500"),
        )
        billing.TariffRate.objects.bulk_create(
            [
                billing.TariffRate(
                    tariff=go,
                    band=billing.RateBand.OFF_PEAK,
                    unit_rate=Decimal("7.5000"),
                    start_time=time(23, 30),
                    end_time=time(5, 30),
                    active_from=self.history_start,
                ),
                billing.TariffRate(
                    tariff=go,
                    band=billing.RateBand.PEAK,
                    unit_rate=Decimal("27.0000"),
                    start_time=time(5, 30),
                    end_time=time(23, 30),
                    active_from=self.history_start,
                ),
            ]
        )
        return elec, gas, product

    def _address(self, index: int) -> accounts.Address:
        return accounts.Address(
            line_1=f"{index + 1} {self.rng.choice(STREETS)}",
            locality=self.rng.choice(TOWNS),
            postcode=f"{self.rng.choice(['SW', 'N', 'E', 'W', 'SE'])}{self.rng.randrange(1, 20)} {self.rng.randrange(1, 9)}AB",
            country="GB",
        )

    def _users(self, account_rows):
        users = []
        for index, account in enumerate(account_rows):
            first, _, last = account.billing_name.partition(" ")
            user = accounts.User(
                username=DEMO_CUSTOMER_EMAIL if index == 0 else f"customer{index}@example.com",
                email=DEMO_CUSTOMER_EMAIL if index == 0 else f"customer{index}@example.com",
                first_name=first,
                last_name=last,
            )
            if index == 0:
                user.set_password(DEMO_CUSTOMER_PASSWORD)
            else:
                user.set_unusable_password()
            users.append(user)
        return accounts.User.objects.bulk_create(users)

    def _meter_points(self, properties):
        rows = []
        for index, prop in enumerate(properties):
            rows.append(
                metering.MeterPoint(
                    property=prop,
                    utility_type=metering.UtilityType.ELECTRICITY,
                    identifier=f"{1012345000000 + index}",
                    gsp_group_id="_A",
                    profile_class=1,
                    supply_from=self.history_start,
                )
            )
            if index % 2 == 0:
                rows.append(
                    metering.MeterPoint(
                        property=prop,
                        utility_type=metering.UtilityType.GAS,
                        identifier=f"{7000000 + index}",
                        supply_from=self.history_start,
                    )
                )
        return metering.MeterPoint.objects.bulk_create(rows)

    def _meters_and_registers(self, meter_points):
        meters = metering.Meter.objects.bulk_create(
            [
                metering.Meter(
                    meter_point=meter_point,
                    serial_number=f"{'21L' if meter_point.utility_type == 'ELECTRICITY' else 'G4P'}{meter_point.pk:07d}",
                    meter_type="S2A" if meter_point.utility_type == "ELECTRICITY" else "",
                    is_smart=True,
                    installed_from=self.history_start,
                )
                for meter_point in meter_points
            ]
        )
        return metering.Register.objects.bulk_create(
            [
                metering.Register(
                    meter=meter,
                    identifier="1",
                    unit=metering.RegisterUnit.KWH
                    if meter.meter_point.utility_type == "ELECTRICITY"
                    else metering.RegisterUnit.CUBIC_METRES,
                )
                for meter in meters
            ]
        )

    def _readings(self, registers) -> None:
        rows = []
        for register in registers:
            value = Decimal(self.rng.randrange(1000, 40000))
            for month in range(MONTHS_OF_HISTORY, -1, -1):
                rows.append(
                    metering.Reading(
                        register=register,
                        read_at=_month_start(self.now, month),
                        value=value,
                        source=metering.ReadingSource.SMART,
                    )
                )
                value += Decimal(self.rng.randrange(150, 400))
        metering.Reading.objects.bulk_create(rows, batch_size=2000)

    def _bills_and_ledgers(self, account_rows, ledgers, agreements, product) -> None:
        agreements_by_account = {}
        for agreement in agreements:
            agreements_by_account.setdefault(agreement.account_id, []).append(agreement)
        bills, line_sets, entries = [], [], []
        for account in account_rows:
            for month in range(MONTHS_OF_HISTORY, 1, -1):
                start, end = _month_start(self.now, month), _month_start(self.now, month - 1)
                days = Decimal((end - start).days)
                lines = []
                for agreement in agreements_by_account[account.pk]:
                    kwh = Decimal(self.rng.randrange(150, 400))
                    rate = (
                        Decimal("24.5000")
                        if agreement.meter_point.utility_type == "ELECTRICITY"
                        else Decimal("6.2400")
                    )
                    standing = agreement.tariff.standing_charge
                    lines.append(
                        self._line(
                            agreement,
                            billing.BillLineKind.STANDING_CHARGE,
                            "Standing charge",
                            days,
                            standing,
                            start,
                            end,
                        )
                    )
                    lines.append(
                        self._line(
                            agreement, billing.BillLineKind.CONSUMPTION, "Energy", kwh, rate, start, end
                        )
                    )
                subtotal = sum(line.amount for line in lines)
                tax = int((Decimal(subtotal) * product.tax_rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))
                bills.append(
                    billing.Bill(
                        account=account,
                        period_start=start,
                        period_end=end,
                        currency="GBP",
                        subtotal=subtotal,
                        tax=tax,
                        total=subtotal + tax,
                        issued_at=end + timedelta(days=1),
                    )
                )
                line_sets.append(lines)
        billing.Bill.objects.bulk_create(bills, batch_size=1000)
        for bill, lines in zip(bills, line_sets, strict=True):
            for line in lines:
                line.bill = bill
        billing.BillLine.objects.bulk_create([line for lines in line_sets for line in lines], batch_size=2000)
        ledger_by_account = {ledger.account_id: ledger for ledger in ledgers}
        for bill in bills:
            ledger = ledger_by_account[bill.account_id]
            entries.append(
                accounts.LedgerEntry(
                    ledger=ledger,
                    amount=-bill.total,
                    currency="GBP",
                    kind=accounts.LedgerEntryKind.CHARGE,
                    description=f"Statement {bill.period_start:%B %Y}",
                    reference=f"BILL-{bill.pk}",
                    posted_at=bill.issued_at,
                )
            )
            if self.rng.random() < 0.9:
                entries.append(
                    accounts.LedgerEntry(
                        ledger=ledger,
                        amount=bill.total,
                        currency="GBP",
                        kind=accounts.LedgerEntryKind.PAYMENT,
                        description="Direct debit payment",
                        reference=f"DEMO-PAYMENT-{bill.pk}",
                        posted_at=bill.issued_at + timedelta(days=10),
                    )
                )
        accounts.LedgerEntry.objects.bulk_create(entries, batch_size=2000)

    @staticmethod
    def _line(agreement, kind, description, quantity, rate, start, end) -> billing.BillLine:
        return billing.BillLine(
            agreement=agreement,
            kind=kind,
            description=description,
            period_start=start,
            period_end=end,
            quantity=quantity,
            unit_rate=rate,
            amount=int((quantity * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        )

    def _devices(self, account_rows, properties) -> None:
        rows = []
        for index, (account, prop) in enumerate(zip(account_rows, properties, strict=True)):
            if index % 3 == 0:
                vendor, model = self.rng.choice(EV_MODELS)
                rows.append(
                    devices.Device(
                        account=account,
                        property=prop,
                        kind=devices.DeviceKind.ELECTRIC_VEHICLES,
                        provider=devices.Provider.ENODE,
                        vendor=vendor,
                        model=model,
                        name="My car",
                        status=devices.DeviceLifecycleStatus.LIVE,
                        state=devices.DeviceState.SMART_CONTROL_CAPABLE,
                        battery_capacity_kwh=Decimal("75.00"),
                        max_power_kw=Decimal("7.40"),
                    )
                )
            if index % 7 == 0:
                rows.append(
                    devices.Device(
                        account=account,
                        property=prop,
                        kind=devices.DeviceKind.BATTERIES,
                        provider=devices.Provider.GIVENERGY,
                        vendor="GivEnergy",
                        model="All in One",
                        status=devices.DeviceLifecycleStatus.LIVE,
                        state=devices.DeviceState.SMART_CONTROL_CAPABLE,
                        battery_capacity_kwh=Decimal("13.50"),
                    )
                )
        device_rows = devices.Device.objects.bulk_create(rows)
        preferences = devices.DevicePreferences.objects.bulk_create(
            [
                devices.DevicePreferences(device=device)
                for device in device_rows
                if device.kind == devices.DeviceKind.ELECTRIC_VEHICLES
            ]
        )
        devices.DevicePreferenceSchedule.objects.bulk_create(
            [
                devices.DevicePreferenceSchedule(
                    preferences=pref, day_of_week=day, time=time(7, 30), max_value=Decimal(80)
                )
                for pref in preferences
                for day in devices.DayOfWeek.values
            ]
        )
        dispatches = []
        tonight = self.now.replace(hour=23, minute=30, second=0, microsecond=0)
        for device in device_rows:
            if device.kind != devices.DeviceKind.ELECTRIC_VEHICLES:
                continue
            for nights_ago in range(1, 4):
                start = tonight - timedelta(days=nights_ago)
                dispatches.append(
                    devices.Dispatch(
                        device=device,
                        start_at=start,
                        end_at=start + timedelta(hours=6),
                        delta_kwh=Decimal("-21.000"),
                        status=devices.DispatchStatus.COMPLETED,
                    )
                )
            dispatches.append(
                devices.Dispatch(
                    device=device,
                    start_at=tonight,
                    end_at=tonight + timedelta(hours=6),
                    delta_kwh=Decimal("-18.500"),
                )
            )
        devices.Dispatch.objects.bulk_create(dispatches)

    def _import_supplier(self) -> None:
        supplier = imports.ImportSupplier.objects.create(
            code=DEMO_IMPORT_SUPPLIER, name="Demo migration cohort"
        )
        imports.ImportApiKey.objects.create(
            supplier=supplier,
            name="Demo key",
            prefix=import_operations.key_prefix(DEMO_IMPORT_API_KEY),
            key_hash=accounts_tokens.hash_secret(DEMO_IMPORT_API_KEY),
        )


FIRST_NAMES = [
    "Ada",
    "Grace",
    "Alan",
    "Mary",
    "Tim",
    "Rosalind",
    "Charles",
    "Dorothy",
    "Isambard",
    "Florence",
]
LAST_NAMES = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Seacole",
    "Berners-Lee",
    "Franklin",
    "Babbage",
    "Hodgkin",
    "Brunel",
]
STREETS = ["High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue"]
TOWNS = ["London", "Bristol", "Leeds", "Brighton", "Norwich", "York", "Bath", "Oxford"]
EV_MODELS = [("Tesla", "Model 3"), ("Kia", "EV6"), ("Volkswagen", "ID.3"), ("Nissan", "Leaf"), ("MG", "MG4")]
