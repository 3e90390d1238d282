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


@dataclass(frozen=True)
class LineItemRequest:
    """One agreement's items of `item_type` (ITEM_KINDS): one per bucket of `buckets` (consecutive
    periods inside the agreement), or with `by_bill_line` (grouping NONE; `buckets` is the span)
    one per line of `item_type` that a bill of the agreement for the span has, in the bill's order."""

    agreement: models.Agreement
    item_type: str
    buckets: tuple[ranges.Period, ...]
    by_bill_line: bool = False


class LineItemPricer:
    """Prices agreements' line items with the readings taken by `as_of`, each bucket as a bill for
    that bucket would be (the agreement's meter point only: its other agreements stay, as they
    decide which one pays a day's standing charge).

    It remembers what it read and calculated, so that one pricer serves a whole GraphQL request:
    the requests of one account over the same span with the same bucket boundaries read their
    inputs once (`billing_inputs`, a constant number of queries), and a bucket's bill of a meter
    point is calculated once, whichever of its agreements and item types are asked for. Requests
    over another span or other boundaries are read apart, because inputs read over a wider span
    are not those of the narrower one: a meter point priced from its registers over its own span
    may have every half hour of a wider one, and would then be priced from those.
    """

    def __init__(self, *, as_of: datetime):
        self.as_of = as_of
        self._tz = _inputs.billing_time_zone()
        self._inputs: dict[tuple, calculation.Account] = {}
        self._narrowed: dict[tuple, calculation.Account] = {}
        self._calculators: dict[ranges.Period, calculation.BillCalculator] = {}
        self._lines: dict[tuple, tuple[calculation.Line, ...]] = {}

    def items(self, request: LineItemRequest) -> list[AgreementLineItem]:
        """The request's items. Raises calculation.BillingError (other than NothingToBill) if a
        bucket cannot be priced."""
        if not request.buckets:
            return []
        agreement = request.agreement
        span = ranges.Period(request.buckets[0].start, request.buckets[-1].end)
        boundaries = () if request.by_bill_line else tuple(bucket.start for bucket in request.buckets)
        read = (agreement.account_id, span, boundaries)
        account = self._inputs.get(read)
        if account is None:
            account = self._inputs[read] = _inputs.billing_inputs(
                account_ids=[agreement.account_id], period=span, as_of=self.as_of, boundaries=boundaries
            )[agreement.account_id]
        points = tuple(
            index
            for index, point in enumerate(account.meter_points)
            if any(a.id == agreement.pk for a in point.agreements)
        )
        kind, unit = ITEM_KINDS[request.item_type]

        def lines(bucket: ranges.Period) -> list[calculation.Line]:
            return [
                line
                for line in self._bill_lines(read, points, bucket)
                if line.kind == kind and line.agreement_id == agreement.pk
            ]

        if request.by_bill_line:
            return [
                AgreementLineItem(
                    period=line.period,
                    item_type=request.item_type,
                    net_amount=line.amount,
                    number_of_units=line.quantity,
                    settlement_unit=unit,
                )
                for line in lines(span)
            ]
        items = []
        for bucket in request.buckets:
            bucket_lines = lines(bucket)
            items.append(
                AgreementLineItem(
                    period=bucket,
                    item_type=request.item_type,
                    net_amount=sum(line.amount for line in bucket_lines),
                    number_of_units=sum((line.quantity for line in bucket_lines), Decimal(0)),
                    settlement_unit=unit,
                )
            )
        return items

    def _bill_lines(self, read: tuple, points: tuple[int, ...], bucket: ranges.Period) -> tuple:
        """The lines of the bucket's bill of the account of `read` narrowed to `points` (indexes of
        its meter points). A bill that cannot be priced is not remembered: it raises each time."""
        key = (read, points, bucket)
        found = self._lines.get(key)
        if found is not None:
            return found
        account = self._narrowed.get((read, points))
        if account is None:
            whole = self._inputs[read]
            account = self._narrowed[(read, points)] = dataclasses.replace(
                whole, meter_points=tuple(whole.meter_points[index] for index in points)
            )
        calculator = self._calculators.get(bucket)
        if calculator is None:
            calculator = self._calculators[bucket] = calculation.BillCalculator(period=bucket)
        try:
            found = calculator.calculate(account=account, tz=self._tz).lines
        except calculation.NothingToBill:
            found = ()
        self._lines[key] = found
        return found
