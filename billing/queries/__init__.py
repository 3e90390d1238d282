"""Reads of billing: the inputs of a bill calculation, previews, billing runs, collectable bills;
the product catalogue and tariff charges (`_catalogue`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.fields import DateTimeRangeField
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from accounts import models as accounts_models
from billing import calculation, models, pricing
from billing.queries._catalogue import (
    SAMPLE_CONSUMPTION,
    STANDING_CHARGE,
    Charge,
    ProductDetail,
    TariffKind,
    TariffPrices,
    UnknownProduct,
    UnknownTariff,
    available_products,
    charges_page,
    product,
    product_detail,
    tariff_kind,
    tariff_of_product,
)
from billing.queries._supply import (
    AccountNotVisible,
    AccountSupply,
    MeterPointSupply,
    PropertySupply,
    account_supply,
)
from kernel import ranges
from metering import models as metering_models

__all__ = [  # re-exported from the private modules; the functions defined below are public too
    "SAMPLE_CONSUMPTION",
    "AccountNotVisible",
    "AccountSupply",
    "MeterPointSupply",
    "PropertySupply",
    "account_supply",
    "STANDING_CHARGE",
    "Charge",
    "ProductDetail",
    "TariffKind",
    "TariffPrices",
    "UnknownProduct",
    "UnknownTariff",
    "available_products",
    "charges_page",
    "product",
    "product_detail",
    "tariff_kind",
    "tariff_of_product",
]


def billing_time_zone() -> ZoneInfo:
    """The zone whose wall clock counts billing days."""
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class TariffSummary:
    """A tariff with what data import checks agreements against: its product and its rate bands."""

    id: int
    code: str
    utility_type: str
    product_code: str
    available_from: datetime
    available_to: datetime | None
    is_variable: bool
    rate_bands: frozenset[str]
    rate_count: int  # distinct rate bands; 0 for a tariff without rates


def tariff_summaries() -> list[TariffSummary]:
    """Every tariff with its product and rate bands (two queries)."""
    bands: dict[int, set[str]] = {}
    for tariff_id, band in models.TariffRate.objects.values_list("tariff_id", "band").distinct():
        bands.setdefault(tariff_id, set()).add(band)
    rows = (
        models.Tariff.objects.select_related("product")
        .annotate(rate_count=Count("rates__band", distinct=True))
        .order_by()
    )
    return [
        TariffSummary(
            id=tariff.pk,
            code=tariff.code,
            utility_type=tariff.utility_type,
            product_code=tariff.product.code,
            available_from=tariff.product.available_from,
            available_to=tariff.product.available_to,
            is_variable=tariff.product.is_variable,
            rate_bands=frozenset(bands.get(tariff.pk, ())),
            rate_count=tariff.rate_count,
        )
        for tariff in rows
    ]


def historical_statement_ids(*, account: accounts_models.Account, statement_ids: list[str]) -> set[str]:
    """Which of these statement ids the account already has (as PRE_KRAKEN bills; one query)."""
    return set(
        models.Bill.objects.filter(account=account, external_identifier__in=statement_ids).values_list(
            "external_identifier", flat=True
        )
    )


def get_billing_run(*, id: int) -> models.BillingRun:
    """Raises BillingRun.DoesNotExist."""
    return models.BillingRun.objects.get(id=id)


def get_bill(*, id: int) -> models.Bill:
    """Raises Bill.DoesNotExist."""
    return models.Bill.objects.select_related("account").get(id=id)


def preview_bill(
    *, account: accounts_models.Account, period: ranges.Period, as_of: datetime
) -> calculation.BillDraft:
    """The bill `account` would get for `period` with the readings taken up to `as_of`. Writes nothing.

    Raises calculation.NothingToBill, CurrencyMismatch, MissingRate, InvalidReadings.
    """
    inputs = billing_inputs(account_ids=[account.pk], period=period, as_of=as_of)
    return calculation.calculate_bill(account=inputs[account.pk], period=period, tz=billing_time_zone())


def billing_inputs(
    *, account_ids: Sequence[int], period: ranges.Period, as_of: datetime
) -> dict[int, calculation.Account]:
    """The calculation inputs of many accounts for one period, in a constant number of queries.

    Readings are those taken (`read_at`) up to `as_of`; for each register only the readings needed
    to value it at the period's boundaries are loaded (the two nearest either side of each).
    """
    currencies = dict(
        accounts_models.Account.objects.filter(id__in=account_ids).values_list("id", "currency")
    )
    agreements = list(
        models.Agreement.objects.filter(account_id__in=account_ids)
        .overlapping(start=period.start, end=period.end)
        .select_related("tariff__product", "meter_point")
        .order_by("account_id", "meter_point_id", "active_from")
    )
    tariff_ids = {agreement.tariff_id for agreement in agreements}
    rates_by_tariff = defaultdict(list)
    for rate in (
        models.TariffRate.objects.filter(tariff_id__in=tariff_ids)
        # Bills are priced at the direct debit (or any-method) rate; non-direct-debit variants are
        # published (REST tariff charges) but not billed yet.
        .exclude(payment_method=models.ChargePaymentMethod.NON_DIRECT_DEBIT)
        .overlapping(start=period.start, end=period.end)
        .order_by("tariff_id", "band", "active_from")
    ):
        rates_by_tariff[rate.tariff_id].append(
            calculation.Rate(
                band=rate.band,
                unit_rate=rate.unit_rate,
                active=ranges.Period(rate.active_from, rate.active_to),
                window=(rate.start_time, rate.end_time) if rate.start_time is not None else None,
            )
        )
    tariffs = {}
    for agreement in agreements:
        tariff = agreement.tariff
        tariffs[tariff.pk] = calculation.Tariff(
            code=tariff.code,
            currency=tariff.currency,
            standing_charge=tariff.standing_charge,
            tax_rate=tariff.product.tax_rate,
            rates=tuple(rates_by_tariff[tariff.pk]),
        )
    meter_point_ids = {agreement.meter_point_id for agreement in agreements}
    registers_by_meter_point = _registers(meter_point_ids=meter_point_ids, period=period, as_of=as_of)

    by_account: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    meter_points = {}
    for agreement in agreements:
        meter_points[agreement.meter_point_id] = agreement.meter_point
        by_account[agreement.account_id][agreement.meter_point_id].append(
            calculation.Agreement(
                id=agreement.pk,
                active=ranges.Period(agreement.active_from, agreement.active_to),
                tariff=tariffs[agreement.tariff_id],
            )
        )
    return {
        account_id: calculation.Account(
            currency=currency,
            meter_points=tuple(
                calculation.MeterPoint(
                    identifier=meter_points[meter_point_id].identifier,
                    utility_type=meter_points[meter_point_id].utility_type,
                    agreements=tuple(account_agreements),
                    registers=registers_by_meter_point.get(meter_point_id, ()),
                )
                for meter_point_id, account_agreements in by_account[account_id].items()
            ),
        )
        for account_id, currency in currencies.items()
    }


# The nearest readings on each side of a boundary, per register: enough to value the register
# there exactly, by interpolation or by extrapolation (billing/calculation.py), using the
# (register, read_at) index rather than loading a register's whole history.
_BOUNDARY_READINGS_SQL = """
SELECT DISTINCT r.id, r.register_id, r.read_at, r.value, r.quality
FROM unnest(%(register_ids)s::bigint[], %(moments)s::timestamptz[]) AS b(register_id, moment)
CROSS JOIN LATERAL (
    (SELECT id, register_id, read_at, value, quality FROM metering_reading
     WHERE register_id = b.register_id AND read_at <= b.moment AND read_at <= %(as_of)s
     ORDER BY read_at DESC LIMIT 4)
    UNION ALL
    (SELECT id, register_id, read_at, value, quality FROM metering_reading
     WHERE register_id = b.register_id AND read_at > b.moment AND read_at <= %(as_of)s
     ORDER BY read_at ASC LIMIT 4)
) AS r
"""


def _registers(
    *, meter_point_ids: set[int], period: ranges.Period, as_of: datetime
) -> dict[int, tuple[calculation.Register, ...]]:
    registers = list(
        metering_models.Register.objects.filter(meter__meter_point_id__in=meter_point_ids)
        .select_related("meter")
        .order_by("meter__meter_point_id", "meter_id", "identifier")
    )
    windows = {}
    register_ids, moments = [], []
    for register in registers:
        installed = ranges.Period(register.meter.installed_from, register.meter.installed_to)
        window = installed & period
        windows[register.pk] = installed
        if window is not None:
            register_ids += [register.pk, register.pk]
            moments += [window.start, window.end]
    readings = defaultdict(list)
    if register_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                _BOUNDARY_READINGS_SQL, {"register_ids": register_ids, "moments": moments, "as_of": as_of}
            )
            for _, register_id, read_at, value, quality in sorted(cursor.fetchall(), key=lambda row: row[2]):
                readings[register_id].append(
                    calculation.ReadingPoint(
                        read_at=read_at,
                        value=value,
                        is_estimate=quality != metering_models.ReadingQuality.ACTUAL,
                    )
                )
    result = defaultdict(list)
    for register in registers:
        result[register.meter.meter_point_id].append(
            calculation.Register(
                band=register.rate_band,
                readings=tuple(readings[register.pk]),
                installed=windows[register.pk],
                multiplier=register.multiplier,
                unit=register.unit,
            )
        )
    return {meter_point_id: tuple(items) for meter_point_id, items in result.items()}


def accounts_in_scope(*, scope: dict) -> QuerySet[accounts_models.Account]:
    """The accounts a billing run covers: `{"account_numbers": [...]}`, else every ACTIVE account."""
    accounts = accounts_models.Account.objects.filter(status=accounts_models.AccountStatus.ACTIVE)
    if numbers := scope.get("account_numbers"):
        accounts = accounts.filter(number__in=numbers)
    return accounts.order_by("id")


def accounts_with_live_bills(*, account_ids: Sequence[int], period: ranges.Period) -> set[int]:
    """Which of the accounts already have a live bill overlapping `period`."""
    return set(
        models.Bill.objects.filter(
            account_id__in=account_ids,
            status=models.BillStatus.ISSUED,
        )
        .exclude(bill_type=models.BillType.CREDIT_NOTE)
        .alias(
            bill_period=models.TsTzRange("period_start", "period_end", output_field=DateTimeRangeField()),
        )
        .filter(bill_period__overlap=DateTimeTZRange(period.start, period.end, "[)"))
        .values_list("account_id", flat=True)
    )


@dataclass(frozen=True)
class RunProgress:
    total: int
    pending: int
    billed: int
    skipped: int
    failed: int
    held: int = 0

    @property
    def done(self) -> int:
        return self.billed + self.skipped + self.failed + self.held

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100


def billing_run_progress(*, billing_run: models.BillingRun) -> RunProgress:
    counts = dict(
        models.BillingRunItem.objects.filter(billing_run=billing_run)
        .values_list("status")
        .annotate(count=Count("id"))
        .values_list("status", "count")
    )
    status = models.BillingRunItemStatus
    return RunProgress(
        total=sum(counts.values()),
        pending=counts.get(status.PENDING, 0),
        billed=counts.get(status.BILLED, 0),
        skipped=counts.get(status.SKIPPED, 0),
        failed=counts.get(status.FAILED, 0),
        held=counts.get(status.HELD, 0),
    )


def pending_chunks(*, billing_run: models.BillingRun) -> list[int]:
    return list(
        models.BillingRunItem.objects.filter(
            billing_run=billing_run, status=models.BillingRunItemStatus.PENDING
        )
        .values_list("chunk", flat=True)
        .distinct()
        .order_by("chunk")
    )


def failed_items(*, billing_run: models.BillingRun) -> QuerySet[models.BillingRunItem]:
    return (
        models.BillingRunItem.objects.filter(
            billing_run=billing_run, status=models.BillingRunItemStatus.FAILED
        )
        .select_related("account")
        .order_by("id")
    )


def bill_outstanding(*, bill: models.Bill) -> int:
    """What is still owed on a bill: its total less the payments cleared against it."""
    paid = models.Payment.objects.filter(bill=bill, status=models.PaymentStatus.CLEARED).aggregate(
        paid=Coalesce(Sum("amount"), 0)
    )["paid"]
    return bill.total - paid


def collectable_bill_ids(*, limit: int = 1000) -> list[int]:
    """Issued bills with something owed, an account with an active payment method, and no attempt
    in flight, collected or declined (a hard decline is not retried automatically)."""
    attempts = models.PaymentCollectionAttempt.objects.filter(
        bill=OuterRef("pk"),
        status__in=[
            models.CollectionAttemptStatus.PENDING,
            models.CollectionAttemptStatus.SUCCEEDED,
            models.CollectionAttemptStatus.DECLINED,
        ],
    )
    active_method = accounts_models.PaymentMethod.objects.filter(
        account=OuterRef("account_id"), status=accounts_models.PaymentMethodStatus.ACTIVE
    )
    return list(
        models.Bill.objects.filter(status=models.BillStatus.ISSUED, total__gt=0)
        .exclude(bill_type=models.BillType.CREDIT_NOTE)
        .filter(Exists(active_method), ~Exists(attempts))
        .annotate(
            paid=Coalesce(Sum("payments__amount", filter=Q(payments__status=models.PaymentStatus.CLEARED)), 0)
        )
        .filter(total__gt=F("paid"))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


# --- Back office: an account's billing, a run's outcomes ----------------------------------------------


def bills_of_account(*, account_id: int, limit: int) -> list[models.Bill]:
    """The account's latest bills, newest period first, with their `lines` and `paid` (cleared
    payments, minor units). Two queries."""
    paid = (
        models.Payment.objects.filter(bill=OuterRef("pk"), status=models.PaymentStatus.CLEARED)
        .order_by()
        .values("bill")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return list(
        models.Bill.objects.filter(account_id=account_id)
        .annotate(paid=Coalesce(Subquery(paid), 0))
        .prefetch_related(Prefetch("lines", queryset=models.BillLine.objects.order_by("id")))
        .order_by("-period_start", "-id")[:limit]
    )


def collectable_bills_of_account(*, account_id: int) -> QuerySet[models.Bill]:
    """The account's live bills with something to collect (before payments: the operation checks
    what is still owed)."""
    return (
        models.Bill.objects.filter(account_id=account_id, status=models.BillStatus.ISSUED, total__gt=0)
        .exclude(bill_type=models.BillType.CREDIT_NOTE)
        .order_by("-period_start", "-id")
    )


def payments_of_account(*, account_id: int, limit: int) -> list[models.Payment]:
    return list(
        models.Payment.objects.filter(account_id=account_id)
        .select_related("bill")
        .order_by("-created_at", "-id")[:limit]
    )


def collection_attempts_of_account(*, account_id: int, limit: int) -> list[models.PaymentCollectionAttempt]:
    return list(
        models.PaymentCollectionAttempt.objects.filter(account_id=account_id)
        .select_related("bill")
        .order_by("-requested_at", "-id")[:limit]
    )


def agreements_of_account(*, account_id: int) -> list[models.Agreement]:
    """The account's agreements, latest first, with tariff, product and the tariff's `rates`."""
    return list(
        models.Agreement.objects.filter(account_id=account_id)
        .select_related("tariff__product", "meter_point")
        .prefetch_related(
            Prefetch("tariff__rates", queryset=models.TariffRate.objects.order_by("band", "-active_from"))
        )
        .order_by("-active_from", "-id")
    )


def run_items(*, billing_run: models.BillingRun, limit: int) -> list[models.BillingRunItem]:
    """A run's per-account outcomes, failures first, with the account and bill."""
    order = Case(
        When(status=models.BillingRunItemStatus.FAILED, then=0),
        When(status=models.BillingRunItemStatus.HELD, then=1),
        When(status=models.BillingRunItemStatus.SKIPPED, then=2),
        default=3,
    )
    return list(
        models.BillingRunItem.objects.filter(billing_run=billing_run)
        .select_related("account", "bill")
        .order_by(order, "id")[:limit]
    )


# --- Products, tariffs and rates for the customer graph -------------------------------------------

RATE_ORDER = ("band", "active_from")


def _offered_in(regions: Iterable[str]) -> Q:
    """Tariffs offered in one of the regions, or nationally (no region)."""
    return Q(region__in=list(regions)) | Q(region="")


def get_product(*, code: str) -> models.Product | None:
    return models.Product.objects.filter(code=code).first()


def products_offered(
    *,
    regions: set[str],
    now: datetime,
    brands: list[str] | None,
    available: bool | None,
    variable: bool | None,
    green: bool,
    nothing: bool,
) -> QuerySet[models.Product]:
    """Products with a tariff offered in `regions`, ordered by code: of `brands` only, available at
    `now` or not, variable or fixed, green only, when asked; none at all with `nothing`."""
    rows = models.Product.objects.filter(
        Exists(models.Tariff.objects.filter(_offered_in(regions), product=OuterRef("pk")))
    )
    if nothing:
        return rows.none()
    if brands:
        rows = rows.filter(brand__in=brands)
    if available is not None:
        live = Q(available_from__lte=now) & (Q(available_to__isnull=True) | Q(available_to__gt=now))
        rows = rows.filter(live if available else ~live)
    if variable is not None:
        rows = rows.filter(is_variable=variable)
    if green:
        rows = rows.filter(is_green=True)
    return rows.order_by("code", "id")


def tariffs_offered(*, regions: set[str]) -> QuerySet[models.Tariff]:
    """Tariffs offered in `regions` or nationally, with their products, by code."""
    return models.Tariff.objects.filter(_offered_in(regions)).select_related("product").order_by("code", "id")


def with_rates(tariffs: list[models.Tariff]) -> list[models.Tariff]:
    """Attach every tariff's rates (by band, then start) in one query."""
    prefetch_related_objects(
        tariffs, Prefetch("rates", queryset=models.TariffRate.objects.order_by(*RATE_ORDER))
    )
    return tariffs


def time_of_use_product_ids(*, product_ids: Collection[int]) -> set[int]:
    """Which of the products have a tariff that prices by time of day (a rate with a daily window)."""
    return set(
        models.TariffRate.objects.filter(tariff__product_id__in=product_ids, start_time__isnull=False)
        .values_list("tariff__product_id", flat=True)
        .distinct()
    )


def applicable_rates(
    *, meter_point_id: int, account_id: int, period: ranges.Period
) -> list[pricing.ApplicableRate]:
    """The unit rates, tax included, of the account's agreements on the meter point during the
    finite `period`, oldest first (see `pricing.applicable_rates`)."""
    agreements = (
        models.Agreement.objects.overlapping(start=period.start, end=period.end)
        .filter(meter_point_id=meter_point_id, account_id=account_id)
        .select_related("tariff__product")
        .prefetch_related(Prefetch("tariff__rates", queryset=models.TariffRate.objects.order_by(*RATE_ORDER)))
    )
    return pricing.applicable_rates(agreements=agreements, window=period, tz=billing_time_zone())


# --- Agreements, bills and payments for the customer graph ----------------------------------------


def get_agreement(*, id: int) -> models.Agreement | None:
    """The agreement with this primary key (with its meter point), or None."""
    return models.Agreement.objects.select_related("meter_point").filter(pk=id).first()


def _with_tariffs(rows: Iterable[models.Agreement]) -> list[models.Agreement]:
    """Agreements with their tariffs, products and rates: one query for the agreements, one for
    the distinct tariffs with their products, one for their rates, however many agreements share
    a tariff. Each tariff is built once and shared (not once per agreement, as a join would)."""
    agreements = list(rows)
    tariffs = {
        t.pk: t
        for t in models.Tariff.objects.filter(pk__in={a.tariff_id for a in agreements})
        .select_related("product")
        .prefetch_related(Prefetch("rates", queryset=models.TariffRate.objects.order_by(*RATE_ORDER)))
    }
    for a in agreements:
        a._state.fields_cache["tariff"] = tariffs[a.tariff_id]
    return agreements


def agreements_of_meter_points(*, meter_point_ids: Collection[int]) -> list[models.Agreement]:
    """The meter points' agreements by start, with tariffs, products and rates (three queries)."""
    return _with_tariffs(
        models.Agreement.objects.filter(meter_point_id__in=meter_point_ids).order_by("active_from", "id")
    )


def agreements_of_accounts(*, account_ids: Collection[int]) -> list[models.Agreement]:
    """The accounts' agreements by start, with meter points, tariffs, products and rates."""
    return _with_tariffs(
        models.Agreement.objects.filter(account_id__in=account_ids)
        .select_related("meter_point")
        .order_by("active_from", "id")
    )


def select_agreements(
    agreements: Iterable[models.Agreement],
    *,
    at: datetime,
    active: bool | None = None,
    include_inactive: bool | None = None,
    exclude_future: bool | None = None,
    valid_after: datetime | None = None,
) -> list[models.Agreement]:
    """The agreements that are (`active=True`) or are not (`False`) in force at `at`; without the
    ones not in force at `at` when `include_inactive` is False, without those starting after `at`
    with `exclude_future`, and without those ended by `valid_after`."""
    if active is None and include_inactive is not False and not exclude_future and valid_after is None:
        return list(agreements)
    chosen = []
    for agreement in agreements:
        period = ranges.Period(agreement.active_from, agreement.active_to)
        in_force = at in period
        if active is not None and in_force != active:
            continue
        if include_inactive is False and not in_force:
            continue
        if exclude_future and period.starts_after(at):
            continue
        if valid_after is not None and not period.ends_after(valid_after):
            continue
        chosen.append(agreement)
    return chosen


BILL_ORDERS = {"FROM_DATE_DESC": ("-period_start", "-id"), "ISSUED_DATE_DESC": ("-issued_at", "-id")}


def bills(
    *,
    order: str,
    from_date: date | None = None,
    to_date: date | None = None,
    issued_from_date: date | None = None,
    issued_to_date: date | None = None,
) -> QuerySet[models.Bill]:
    """Bills that are not void, in `order` (a key of BILL_ORDERS): only those whose period ends
    after `from_date` or starts before `to_date`, or issued on or between the issue dates, when
    given (days in the database's time zone)."""
    rows = models.Bill.objects.exclude(status=models.BillStatus.VOID)
    if from_date is not None:
        rows = rows.filter(period_end__date__gt=from_date)
    if to_date is not None:
        rows = rows.filter(period_start__date__lt=to_date)
    if issued_from_date is not None:
        rows = rows.filter(issued_at__date__gte=issued_from_date)
    if issued_to_date is not None:
        rows = rows.filter(issued_at__date__lte=issued_to_date)
    return rows.order_by(*BILL_ORDERS[order])


def get_bill_of_account(*, id: int, account_id: int) -> models.Bill | None:
    return models.Bill.objects.filter(pk=id, account_id=account_id).first()


def payments(*, status: str | None = None) -> QuerySet[models.Payment]:
    """Payments, newest first; only those with `status` when given."""
    rows = models.Payment.objects.all()
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")
