"""An agreement's charges so far, bucket by bucket (a half hour up to a quarter, in a zone the
caller names), priced by the billing calculation: what the customer graph's `lineItems` lists.

Buckets are consecutive calendar units of the named zone: the first starts where the items start
(the requested moment, down to its half hour, no earlier than the agreement) and each is clipped
to the agreement's active period and to the last half hour that has begun by `now`. Each bucket
is priced as a bill for that bucket would be (same inputs, same calculation, the registers valued
at its boundaries), so a standing charge day is in the bucket that holds its midnight and a month
of DAY buckets adds up to the month's bill lines. Grouping NONE gives one item per bill line the
calculation writes for the whole span.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from billing import calculation, models
from billing.queries import _inputs
from kernel import clock, ranges

HALF_HOUR = timedelta(minutes=30)
GROUPINGS = ("NONE", "HALF_HOUR", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER")
# The contract's item types, the calculation's line kinds, and the unit their quantity counts.
ITEM_KINDS = {
    "STANDING_CHARGE": (models.BillLineKind.STANDING_CHARGE, "DAYS"),
    "CONSUMPTION_CHARGE": (models.BillLineKind.CONSUMPTION, "KWH"),
}


@dataclass(frozen=True)
class AgreementLineItem:
    period: ranges.Period
    item_type: str  # STANDING_CHARGE or CONSUMPTION_CHARGE
    net_amount: int  # minor units, before tax
    number_of_units: Decimal  # days of standing charge, or kWh
    settlement_unit: str  # DAYS or KWH


def _floor_half_hour(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute // 30 * 30, second=0, microsecond=0)


def line_item_span(*, agreement: models.Agreement, start: datetime, now: datetime) -> ranges.Period | None:
    """Where an agreement's items from `start` lie: from `start` (down to its half hour, not before
    the agreement) to the agreement's end or the last half hour begun by `now`; None if empty."""
    begin = max(_floor_half_hour(start), agreement.active_from)
    end = _floor_half_hour(now)
    if agreement.active_to is not None:
        end = min(end, agreement.active_to)
    return ranges.Period(begin, end) if begin < end else None


def _next_boundary(moment: datetime, grouping: str, tz: ZoneInfo) -> datetime:
    if grouping == "HALF_HOUR":
        return _floor_half_hour(moment) + HALF_HOUR
    if grouping == "HOUR":
        local = moment.astimezone(tz)
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC) + timedelta(hours=1)
    day = clock.local_date(moment, tz)
    if grouping == "DAY":
        return clock.next_midnight(day, tz)
    if grouping == "WEEK":
        return clock.midnight(day + timedelta(days=7 - day.weekday()), tz)
    month = clock.next_month_start(day)
    if grouping == "QUARTER":
        while (month.month - 1) % 3:
            month = clock.next_month_start(month)
    return clock.midnight(month, tz)


def line_item_buckets(*, span: ranges.Period, grouping: str, tz: ZoneInfo) -> list[ranges.Period]:
    """`span` cut into consecutive `grouping` buckets of `tz` (GROUPINGS other than NONE)."""
    if grouping not in GROUPINGS[1:]:
        raise ValueError(f"Unknown grouping {grouping}")
    buckets, moment = [], span.start
    while moment < span.end:
        end = min(_next_boundary(moment, grouping, tz), span.end)
        buckets.append(ranges.Period(moment, end))
        moment = end
    return buckets


def agreement_line_items(
    *, agreement: models.Agreement, buckets: Sequence[ranges.Period], item_type: str, as_of: datetime
) -> list[AgreementLineItem]:
    """One item per bucket (consecutive periods inside the agreement): the agreement's lines of
    `item_type` (ITEM_KINDS) in the bill of that bucket, with the readings taken by `as_of`. The
    inputs are read once for all the buckets, in a constant number of queries.

    Raises calculation.BillingError (other than NothingToBill) if a bucket cannot be priced.
    """
    if not buckets:
        return []
    span = ranges.Period(buckets[0].start, buckets[-1].end)
    account, tz = _inputs_of(agreement, span, as_of, boundaries=[bucket.start for bucket in buckets])
    kind, unit = ITEM_KINDS[item_type]
    items = []
    for bucket in buckets:
        lines = _lines(account, bucket, tz, agreement_id=agreement.pk, kind=kind)
        items.append(
            AgreementLineItem(
                period=bucket,
                item_type=item_type,
                net_amount=sum(line.amount for line in lines),
                number_of_units=sum((line.quantity for line in lines), Decimal(0)),
                settlement_unit=unit,
            )
        )
    return items


def agreement_bill_line_items(
    *, agreement: models.Agreement, span: ranges.Period, item_type: str, as_of: datetime
) -> list[AgreementLineItem]:
    """Grouping NONE: one item per line of `item_type` that a bill of the agreement for all of
    `span` has, in the bill's order. Raises calculation.BillingError other than NothingToBill."""
    account, tz = _inputs_of(agreement, span, as_of, boundaries=())
    kind, unit = ITEM_KINDS[item_type]
    return [
        AgreementLineItem(
            period=line.period,
            item_type=item_type,
            net_amount=line.amount,
            number_of_units=line.quantity,
            settlement_unit=unit,
        )
        for line in _lines(account, span, tz, agreement_id=agreement.pk, kind=kind)
    ]


def _inputs_of(
    agreement: models.Agreement, span: ranges.Period, as_of: datetime, *, boundaries: Sequence[datetime]
) -> tuple[calculation.Account, ZoneInfo]:
    """The agreement's account as the calculation sees it over `span`, narrowed to the agreement's
    meter point (its other agreements stay: they decide which one pays a day's standing charge)."""
    account = _inputs.billing_inputs(
        account_ids=[agreement.account_id], period=span, as_of=as_of, boundaries=boundaries
    )[agreement.account_id]
    points = tuple(
        point for point in account.meter_points if any(a.id == agreement.pk for a in point.agreements)
    )
    return dataclasses.replace(account, meter_points=points), _inputs.billing_time_zone()


def _lines(
    account: calculation.Account, period: ranges.Period, tz: ZoneInfo, *, agreement_id: int, kind: str
) -> list[calculation.Line]:
    try:
        draft = calculation.BillCalculator(period=period).calculate(account=account, tz=tz)
    except calculation.NothingToBill:
        return []
    return [line for line in draft.lines if line.kind == kind and line.agreement_id == agreement_id]
