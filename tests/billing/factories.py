from decimal import Decimal

import factory

from accounts import models as accounts_models
from billing import models
from metering import models as metering_models
from tests.accounts.factories import EPOCH, AccountFactory, AddressFactory, PaymentMethodFactory
from tests.metering.factories import MeterPointFactory, ReadingFactory, RegisterFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Product

    code = factory.Sequence(lambda n: f"VAR-{n}")
    display_name = "Flexible"
    full_name = "Flexible Octopus"
    tax_rate = Decimal("0.05")
    available_from = EPOCH


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Tariff

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"E-1R-VAR-{n}-A")
    utility_type = "ELECTRICITY"
    region = "_A"
    standing_charge = Decimal("45.0000")


class TariffRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TariffRate

    tariff = factory.SubFactory(TariffFactory)
    band = models.RateBand.STANDARD
    unit_rate = Decimal("24.5000")
    active_from = EPOCH


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Agreement

    account = factory.SubFactory(AccountFactory)
    meter_point = factory.SubFactory(MeterPointFactory, property__account=factory.SelfAttribute("...account"))
    tariff = factory.SubFactory(TariffFactory)
    active_from = EPOCH


class BillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Bill

    account = factory.SubFactory(AccountFactory)
    period_start = EPOCH
    period_end = factory.LazyAttribute(lambda o: o.period_start.replace(month=2))
    currency = "GBP"
    subtotal = 10000
    tax = 500
    total = 10500
    issued_at = factory.LazyAttribute(lambda o: o.period_end)


class BillingRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.BillingRun

    period_start = EPOCH
    period_end = factory.LazyAttribute(lambda o: o.period_start.replace(month=2))


def billable_account(
    *,
    tariff: models.Tariff | None = None,
    start_read: Decimal | int = 1000,
    end_read: Decimal | int | None = 1310,
    period_start=EPOCH,
    period_end=None,
    payment_method: bool = False,
    **account_fields,
):
    """An account with one electricity agreement from `period_start`, a meter with one register and
    readings at the period's boundaries (no end read if `end_read` is None)."""
    period_end = period_end or period_start.replace(month=period_start.month + 1)
    tariff = tariff or TariffRateFactory().tariff
    agreement = AgreementFactory(tariff=tariff, active_from=period_start, **account_fields)
    register = RegisterFactory(meter__meter_point=agreement.meter_point)
    ReadingFactory(register=register, read_at=period_start, value=start_read)
    if end_read is not None:
        ReadingFactory(register=register, read_at=period_end, value=end_read)
    if payment_method:
        PaymentMethodFactory(account=agreement.account)
    return agreement.account


def bulk_billable_accounts(*, count: int, tariff: models.Tariff, period_start, period_end, prefix: int = 0):
    """`count` billable accounts (ledger, property, meter point, meter, register, two reads, agreement)
    written with bulk_create: fast enough for runs of hundreds or thousands of accounts.

    Consumption of the n-th account is 100 + n % 400 kWh. Returns the accounts."""
    address = AddressFactory()
    accounts = accounts_models.Account.objects.bulk_create(
        [
            accounts_models.Account(
                number=f"A-{prefix + index:08X}", billing_name=f"Customer {index}", currency=tariff.currency
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    accounts_models.Ledger.objects.bulk_create(
        [accounts_models.Ledger(account=account, currency=account.currency) for account in accounts],
        batch_size=2000,
    )
    properties = accounts_models.Property.objects.bulk_create(
        [
            accounts_models.Property(account=account, address=address, occupied_from=period_start)
            for account in accounts
        ],
        batch_size=2000,
    )
    meter_points = metering_models.MeterPoint.objects.bulk_create(
        [
            metering_models.MeterPoint(
                property=prop,
                utility_type=metering_models.UtilityType.ELECTRICITY,
                identifier=f"{2000000000000 + prefix + index}",
                supply_from=period_start,
            )
            for index, prop in enumerate(properties)
        ],
        batch_size=2000,
    )
    meters = metering_models.Meter.objects.bulk_create(
        [
            metering_models.Meter(
                meter_point=point, serial_number=f"B{point.identifier}", installed_from=period_start
            )
            for point in meter_points
        ],
        batch_size=2000,
    )
    registers = metering_models.Register.objects.bulk_create(
        [metering_models.Register(meter=meter, identifier="1") for meter in meters], batch_size=2000
    )
    metering_models.Reading.objects.bulk_create(
        [
            metering_models.Reading(
                register=register, read_at=moment, value=value, source=metering_models.ReadingSource.SMART
            )
            for index, register in enumerate(registers)
            for moment, value in ((period_start, 1000), (period_end, 1100 + index % 400))
        ],
        batch_size=5000,
    )
    models.Agreement.objects.bulk_create(
        [
            models.Agreement(account=account, meter_point=point, tariff=tariff, active_from=period_start)
            for account, point in zip(accounts, meter_points, strict=True)
        ],
        batch_size=2000,
    )
    return accounts


class StandingChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StandingCharge

    tariff = factory.SubFactory(TariffFactory)
    value = Decimal("45.0000")
    active_from = EPOCH


JULY = EPOCH.replace(month=7)


def priced_product(
    *,
    code: str = "VAR-22-11-01",
    regions=("_A", "_C"),
    kinds=("E-1R", "E-2R", "G-1R"),
    starts=(EPOCH, JULY),
    methods=(models.ChargePaymentMethod.DIRECT_DEBIT, models.ChargePaymentMethod.NON_DIRECT_DEBIT),
    **product_fields,
) -> models.Product:
    """A product with tariffs `<kind>-<code>-<region letter>` whose prices change at each of `starts`
    (the last open-ended), once per payment method in `methods`. Prices (pence, before tax): unit
    rate 20 + period + region index / 10 (+ 1 for NON_DIRECT_DEBIT); Economy 7 day +5, night -5;
    gas a quarter of it; standing charge 40 + period (+ 2 for NON_DIRECT_DEBIT)."""
    product = ProductFactory(code=code, **product_fields)
    for index, region in enumerate(regions):
        for kind in kinds:
            tariff = TariffFactory(
                product=product,
                code=f"{kind}-{code}-{region[1]}",
                region=region,
                utility_type="GAS" if kind == "G-1R" else "ELECTRICITY",
            )
            for number, (start, end) in enumerate(zip(starts, [*starts[1:], None], strict=True)):
                for method in methods:
                    surcharge = 1 if method == models.ChargePaymentMethod.NON_DIRECT_DEBIT else 0
                    unit = Decimal(20 + number + surcharge) + Decimal(index) / 10
                    StandingChargeFactory(
                        tariff=tariff,
                        value=Decimal(40 + number + 2 * surcharge),
                        payment_method=method,
                        active_from=start,
                        active_to=end,
                    )
                    bands = (
                        [("DAY", unit + 5), ("NIGHT", unit - 5)]
                        if kind == "E-2R"
                        else [("STANDARD", unit / 4 if kind == "G-1R" else unit)]
                    )
                    for band, rate in bands:
                        TariffRateFactory(
                            tariff=tariff,
                            band=band,
                            unit_rate=rate,
                            payment_method=method,
                            active_from=start,
                            active_to=end,
                        )
    return product
