"""What a meter point's last month would have cost on the other tariffs on offer, priced by the
billing calculation itself on the same readings (the smart tariff comparison)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from billing import calculation, models
from billing.queries import _inputs
from kernel import clock, ranges
from metering import models as metering_models


class NoCurrentAgreement(Exception):
    """The meter point has no agreement in force at `as_of`, nor one during the compared month."""


class NoConsumptionData(Exception):
    """The meter point recorded nothing for the compared month: no half hour, and no register read
    on or before the month's start with one on or after its end. Comparing would price an
    estimate of typical consumption, not the customer's own use."""


@dataclass(frozen=True)
class TariffCost:
    """A month priced on one tariff: `cost` the standing and consumption charges before tax,
    `cost_with_tax` with the tax the calculation adds, both integer minor units (pence)."""

    tariff_code: str
    product_code: str
    cost: int
    cost_with_tax: int


@dataclass(frozen=True)
class TariffComparison:
    period: ranges.Period
    current: TariffCost
    alternatives: tuple[TariffCost, ...]  # cheapest first (then by tariff code)


def last_full_month(*, as_of: datetime, tz: ZoneInfo) -> ranges.Period:
    """The last calendar month in `tz` that ended at or before `as_of`."""
    this_month_start, _ = clock.month_boundaries(clock.local_date(as_of, tz), tz)
    start, end = clock.month_boundaries(clock.local_date(this_month_start - timedelta(days=1), tz), tz)
    return ranges.Period(start, end)


def smart_tariff_comparison(*, meter_point: metering_models.MeterPoint, as_of: datetime) -> TariffComparison:
    """The last full month before `as_of` (in the account's billing zone) of `meter_point`, priced
    on its agreements' tariffs as billed (`current`, equal to the meter point's part of
    `preview_bill` for that month) and, for every other product available at `as_of`, with the
    tariff of each of those agreements swapped for that product's tariff (`alternatives`).

    The current tariff is that of the agreement in force at `as_of`, else of the last agreement
    during the month. An alternative is a tariff of another product of the same utility and
    currency, available at `as_of`, offered in the current tariff's region (preferred) or
    nationally; export, prepay, business and restricted products only if the current one is of that
    kind. A tariff the calculation cannot price over the month (no unit rate for some half hour) is
    left out, as Kraken leaves out products without unit rates. A constant number of queries,
    whatever the number of products.

    Raises NoCurrentAgreement, NoConsumptionData; calculation.BillingError if the current tariffs
    cannot be priced.
    """
    zone = _inputs.account_time_zone(
        market=meter_point.market, state=meter_point.property.address.administrative_area
    )
    tz = ZoneInfo(zone) if zone else _inputs.billing_time_zone()
    period = last_full_month(as_of=as_of, tz=tz)
    agreements = list(
        models.Agreement.objects.filter(
            meter_point_id=meter_point.pk, account_id=meter_point.property.account_id
        )
        .filter(Q(active_to__isnull=True) | Q(active_to__gt=period.start))
        .filter(active_from__lte=as_of)
        .select_related("tariff__product")
        .order_by("active_from")
    )
    in_force = [a for a in agreements if as_of in ranges.Period(a.active_from, a.active_to)]
    during = [a for a in agreements if ranges.Period(a.active_from, a.active_to).overlaps(period)]
    if not during:
        raise NoCurrentAgreement(meter_point.identifier)
    current = (in_force or during)[-1]
    inputs = _inputs.billing_inputs(
        account_ids=[current.account_id], period=period, as_of=as_of, every_pricing_input=True
    )[current.account_id]
    point = next(mp for mp in inputs.meter_points if mp.identifier == meter_point.identifier)
    if not _has_consumption_data(point, period):
        raise NoConsumptionData(meter_point.identifier)
    account = dataclasses.replace(inputs, meter_points=(point,))
    calculator = calculation.BillCalculator(period=period)
    draft = calculator.calculate(account=account, tz=tz)
    costs = []
    for tariff_code, product_code, tariff in _alternatives(current=current.tariff, period=period, at=as_of):
        swapped = dataclasses.replace(
            point,
            agreements=tuple(dataclasses.replace(a, tariff=tariff) for a in point.agreements),
        )
        try:
            priced = calculator.calculate(
                account=dataclasses.replace(account, meter_points=(swapped,)), tz=tz
            )
        except calculation.MissingRate:
            continue
        costs.append(TariffCost(tariff_code, product_code, priced.subtotal, priced.total))
    return TariffComparison(
        period=period,
        current=TariffCost(current.tariff.code, current.tariff.product.code, draft.subtotal, draft.total),
        alternatives=tuple(sorted(costs, key=lambda cost: (cost.cost, cost.tariff_code))),
    )


def _has_consumption_data(point: calculation.MeterPoint, period: ranges.Period) -> bool:
    if point.intervals is not None and any(value is not None for value in point.intervals.values):
        return True
    return any(
        any(reading.read_at <= period.start for reading in register.readings)
        and any(reading.read_at >= period.end for reading in register.readings)
        for register in point.registers
    )


def _alternatives(
    *, current: models.Tariff, period: ranges.Period, at: datetime
) -> list[tuple[str, str, calculation.Tariff]]:
    """(tariff code, product code, calculation tariff) of one tariff per other product on offer at
    `at`, with its rates over `period`."""
    product = current.product
    rows = (
        models.Tariff.objects.filter(
            Q(region=current.region) | Q(region=""),
            utility_type=current.utility_type,
            currency=current.currency,
            product__direction=product.direction,
            product__available_from__lte=at,
        )
        .filter(Q(product__available_to__isnull=True) | Q(product__available_to__gt=at))
        .exclude(product_id=product.pk)
    )
    for flag in ("is_prepay", "is_business", "is_restricted"):
        if not getattr(product, flag):
            rows = rows.exclude(**{f"product__{flag}": True})
    chosen: dict[int, tuple] = {}
    for row in rows.order_by("product_id", "code").values_list(
        "product_id",
        "region",
        "product__code",
        "id",
        "code",
        "currency",
        "standing_charge",
        "product__tax_rate",
        "product__rates_per_half_hour",
        "product__dispatches_at_off_peak",
    ):
        # The regional tariff of a product wins over its national one.
        if row[0] not in chosen or (row[1] and not chosen[row[0]][1]):
            chosen[row[0]] = row
    tariff_rows = {row[3]: _inputs._TariffRow(*row[3:]) for row in chosen.values()}
    tariffs = _inputs._tariffs(rows=tariff_rows, period=period)
    return [(row[4], row[2], tariffs[row[3]]) for row in chosen.values()]
