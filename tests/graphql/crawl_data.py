"""Demo-style data for the graph crawl (test_graph_crawl.py), built with the tests' factories: a
customer like the demo one, holding something for every part of the graph the platform serves.

- A London home with a smart electricity meter (its ESME, in-home display and communications hub,
  a register with actual and estimated reads, three days of half hours and an hour of telemetry),
  an export meter with the same serial number, and a smart gas meter (GSME, m³ register, half
  hours); a flat the customer moved out of.
- Agreements on a product priced by region (an ended one and the current one), statements with
  their charges on the ledger, a payment and a credit, a direct debit mandate and a collected
  payment.
- An electric vehicle with charging preferences and a dispatch plan, a battery, a heat pump with
  its controller, zones and sensors; the device catalogue.
- Saving sessions (a past event with results, an upcoming one), loyalty points, comms
  preferences and a secret API key.

Another customer's account sits next to it, which the crawl must never reach.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from billing import models as billing_models
from billing import operations as billing_operations
from devices import models as devices_models
from metering import models as metering_models
from metering import operations as metering_operations
from tests.accounts.factories import (
    AccountUserRoleFactory,
    AddressFactory,
    LedgerEntryFactory,
    PaymentMethodFactory,
    PropertyFactory,
    UserFactory,
)
from tests.billing.factories import AgreementFactory, BillFactory, priced_product
from tests.devices.factories import DeviceFactory, DispatchFactory
from tests.graphql.conftest import PASSWORD
from tests.graphql.factories import (
    DeviceVariantFactory,
    LoyaltyPointEntryFactory,
    SavingSessionEnrolmentFactory,
    SavingSessionEventFactory,
    SavingSessionParticipationFactory,
    controller_with_state,
)
from tests.metering.factories import (
    GridSupplyPointPostcodeFactory,
    MeterFactory,
    MeterPointFactory,
    ReadingFactory,
    RegisterFactory,
    SmartMeterDeviceFactory,
    half_hours,
)

EMAIL = "crawl-customer@example.com"
PRODUCT = "VAR-22-11-01"


@dataclasses.dataclass(frozen=True)
class Customer:
    email: str
    password: str
    account_number: str
    other_account_number: str


def build(*, now: dt.datetime) -> Customer:
    since = (now - dt.timedelta(days=400)).replace(minute=0, second=0, microsecond=0)
    priced_product(code=PRODUCT, regions=("_C",), starts=(since,))
    _billable(since=since, now=now)
    GridSupplyPointPostcodeFactory(postcode="SW1A", gsp_group_id="_C")
    user = UserFactory(
        email=EMAIL,
        first_name="Ada",
        last_name="Lovelace",
        preferred_name="Ada",
        mobile="07700900123",
        landline="02079460123",
        date_of_birth=dt.date(1985, 12, 10),
    )
    role = AccountUserRoleFactory(
        user=user,
        account__billing_email=EMAIL,
        account__brand="OCTOPUS_ENERGY",
        account__billing_address=AddressFactory(
            line_1="1 Example Road",
            line_2="Flat 2",
            locality="London",
            administrative_area="Greater London",
            postcode="SW1A 1AA",
        ),
    )
    AccountUserRoleFactory(account=role.account, role=accounts_models.AccountUserRoleType.LOYALTY_POINT_USER)
    account = role.account
    home = PropertyFactory(
        account=account,
        address=AddressFactory(line_1="1 Example Road", postcode="SW1A 1AA"),
        occupied_from=since,
    )
    PropertyFactory(
        account=account,
        address=AddressFactory(line_1="9 Old Street", postcode="N1 9GU"),
        occupied_from=since - dt.timedelta(days=700),
        occupied_to=since,
    )
    electricity, gas = _meters(home, since=since, now=now)
    _billing(account, electricity=electricity, gas=gas, since=since, now=now)
    _devices(account, home, now=now)
    _saving_sessions(user, account, electricity, now=now)
    accounts_operations.update_comms_preferences(
        user=user, changes={"is_opted_in_to_offer_messages": True}, now=now
    )
    accounts_operations.regenerate_api_key(user=user, now=now)
    other = AccountUserRoleFactory(user=UserFactory()).account
    MeterPointFactory(property=PropertyFactory(account=other), identifier="1200000000031")
    return Customer(
        email=EMAIL, password=PASSWORD, account_number=account.number, other_account_number=other.number
    )


def _meters(home, *, since, now):
    electricity = MeterPointFactory(
        property=home,
        identifier="1200000000017",
        gsp_group_id="_C",
        estimated_annual_consumption=2900,
        supply_from=since,
    )
    meter = MeterFactory(meter_point=electricity, serial_number="21L0000017", installed_from=since)
    register = RegisterFactory(meter=meter)
    for days, value, quality in ((60, 1200, "ACTUAL"), (30, 1410, "ACTUAL"), (1, 1620, "ESTIMATE")):
        ReadingFactory(register=register, read_at=now - dt.timedelta(days=days), value=value, quality=quality)
    esme = SmartMeterDeviceFactory(
        meter=meter,
        device_id="00-11-22-33-44-55-66-77",
        manufacturer="Landis+Gyr",
        model="E470",
        firmware_version="1.2",
        paired_at=since,
    )
    SmartMeterDeviceFactory(meter=meter, device_type=metering_models.SmartDeviceType.IHD, paired_at=since)
    SmartMeterDeviceFactory(meter=meter, device_type=metering_models.SmartDeviceType.CHF, paired_at=since)
    export = MeterPointFactory(
        property=home, identifier="1200000000024", gsp_group_id="_C", is_export=True, supply_from=since
    )
    RegisterFactory(meter=MeterFactory(meter_point=export, serial_number="21L0000017", installed_from=since))
    gas = MeterPointFactory(
        property=home,
        identifier="9000000017",
        utility_type=metering_models.UtilityType.GAS,
        gsp_group_id="",
        estimated_annual_consumption=11500,
        supply_from=since,
    )
    gas_meter = MeterFactory(meter_point=gas, serial_number="E6S0000017", meter_type="", installed_from=since)
    gas_register = RegisterFactory(meter=gas_meter, unit=metering_models.RegisterUnit.CUBIC_METRES)
    ReadingFactory(register=gas_register, read_at=now - dt.timedelta(days=30), value=4210)
    SmartMeterDeviceFactory(
        meter=gas_meter,
        device_type=metering_models.SmartDeviceType.GSME,
        manufacturer="Landis+Gyr",
        model="G470",
        firmware_version="2.0",
        paired_at=since,
    )
    start = (now - dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    metering_operations.ensure_interval_partitions(months=[(start.year, start.month), (now.year, now.month)])
    half_hours(meter, start=start, values=[Decimal("0.125") + Decimal(i % 7) / 20 for i in range(144)])
    half_hours(gas_meter, start=start, values=[Decimal("0.310")] * 144)
    for minute in range(0, 60, 5):
        metering_models.TelemetryReading.objects.create(
            device=esme,
            read_at=now - dt.timedelta(minutes=60 - minute),
            consumption_kwh=Decimal("1620.000") + Decimal(minute) / 100,
            demand_w=Decimal("420.0"),
        )
    return electricity, gas


def _billable(*, since, now):
    """What billing needs to price the customer as the platform bills it (line items, the smart
    tariff comparison): Economy 7 windows on the two-rate tariff's bands and a national calorific
    value for the m³ gas meter."""
    two_rate = billing_models.TariffRate.objects.filter(tariff__code=f"E-2R-{PRODUCT}-C")
    two_rate.filter(band="NIGHT").update(start_time=dt.time(0, 30), end_time=dt.time(7, 30))
    two_rate.filter(band="DAY").update(start_time=dt.time(7, 30), end_time=dt.time(0, 30))
    billing_operations.record_calorific_values(
        rows=[billing_operations.CalorificValueRow("", since - dt.timedelta(days=1), None, Decimal("39.5"))],
        recorded_at=now,
    )


def _billing(account, *, electricity, gas, since, now):
    switch = now - dt.timedelta(days=40)
    tariffs = billing_models.Tariff.objects.filter(product__code=PRODUCT)
    AgreementFactory(
        account=account,
        meter_point=electricity,
        tariff=tariffs.get(code=f"E-1R-{PRODUCT}-C"),
        active_from=since,
        active_to=switch,
    )
    AgreementFactory(
        account=account,
        meter_point=electricity,
        tariff=tariffs.get(code=f"E-2R-{PRODUCT}-C"),
        active_from=switch,
    )
    AgreementFactory(
        account=account, meter_point=gas, tariff=tariffs.get(code=f"G-1R-{PRODUCT}-C"), active_from=since
    )
    ledger = account.ledgers.get()
    for months in (2, 1):
        start = now - dt.timedelta(days=30 * (months + 1))
        bill = BillFactory(
            account=account,
            period_start=start,
            period_end=start + dt.timedelta(days=30),
            issued_at=start + dt.timedelta(days=31),
            subtotal=8000,
            tax=400,
            total=8400,
        )
        LedgerEntryFactory(
            ledger=ledger,
            amount=-8400,
            kind=accounts_models.LedgerEntryKind.CHARGE,
            description="Energy charges",
            reference=f"BILL-{bill.pk}",
            posted_at=bill.issued_at,
        )
    LedgerEntryFactory(
        ledger=ledger,
        amount=9000,
        kind=accounts_models.LedgerEntryKind.PAYMENT,
        description="Direct debit",
        reference="PAYMENT-crawl-1",
        posted_at=now - dt.timedelta(days=20),
    )
    LedgerEntryFactory(
        ledger=ledger,
        amount=500,
        kind=accounts_models.LedgerEntryKind.CREDIT,
        description="Goodwill credit",
        posted_at=now - dt.timedelta(days=10),
    )
    mandate = PaymentMethodFactory(account=account)
    billing_models.Payment.objects.create(
        account=account,
        payment_method=mandate,
        amount=9000,
        currency="GBP",
        status=billing_models.PaymentStatus.CLEARED,
        idempotency_key="crawl-payment-1",
        vendor_reference="PAY-1",
        paid_at=now - dt.timedelta(days=20),
    )


def _devices(account, home, *, now):
    tesla = DeviceVariantFactory(
        make="Tesla",
        model="Model 3",
        year=2023,
        battery_capacity_kwh=Decimal("57.5"),
        supported_providers=["TESLA"],
    )
    DeviceVariantFactory(
        kind=devices_models.DeviceKind.CHARGE_POINTS,
        make="myenergi",
        model="zappi",
        power_kw=Decimal("7.4"),
        amperage=32,
    )
    DeviceVariantFactory(
        kind=devices_models.DeviceKind.HEAT_PUMPS, make="Daikin", model="Altherma", power_kw=Decimal("8")
    )
    DeviceVariantFactory(
        kind=devices_models.DeviceKind.BATTERIES,
        make="GivEnergy",
        model="9.5kWh",
        battery_capacity_kwh=Decimal("9.5"),
        power_kw=Decimal("3.6"),
        coupling_type="AC",
    )
    vehicle = DeviceFactory(
        account=account,
        property=home,
        name="Ada's car",
        variant=tesla,
        battery_capacity_kwh=Decimal("57.5"),
        max_power_kw=Decimal("7.4"),
    )
    preferences = devices_models.DevicePreferences.objects.create(device=vehicle)
    for day in devices_models.DayOfWeek.values:
        preferences.schedules.create(day_of_week=day, time=dt.time(7, 30), min_value=20, max_value=80)
    DispatchFactory(
        device=vehicle, start_at=now + dt.timedelta(hours=2), delta_kwh=Decimal("-9.5"), location="AT_HOME"
    )
    DispatchFactory(
        device=vehicle,
        start_at=now - dt.timedelta(days=1),
        delta_kwh=Decimal("-12.0"),
        status=devices_models.DispatchStatus.COMPLETED,
        location="AT_HOME",
    )
    DeviceFactory(
        account=account,
        property=home,
        kind=devices_models.DeviceKind.BATTERIES,
        provider=devices_models.Provider.GIVENERGY,
        vendor="GivEnergy",
        model="9.5kWh",
        name="Battery",
        max_power_kw=Decimal("3.6"),
    )
    controller_with_state(account, property=home)


def _saving_sessions(user, account, electricity, *, now):
    past = SavingSessionEventFactory(start_at=now - dt.timedelta(days=3))
    SavingSessionEventFactory(start_at=now + dt.timedelta(days=2))
    SavingSessionEnrolmentFactory(
        account=account, meter_point=electricity, joined_at=now - dt.timedelta(days=10)
    )
    SavingSessionParticipationFactory(
        event=past,
        account=account,
        result_status=devices_models.SavingSessionResultStatus.SUCCESS,
        baseline_kwh=Decimal("2.500"),
        consumption_kwh=Decimal("1.000"),
        points_awarded=2700,
        results_set_at=now - dt.timedelta(days=2),
        joined_at=now - dt.timedelta(days=4),
    )
    LoyaltyPointEntryFactory(
        user=user,
        account=account,
        points=2700,
        reference=f"event-{past.code}",
        posted_at=now - dt.timedelta(days=2),
    )
