"""The inputs of a bill calculation, read in a constant number of queries for many accounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, F
from django.db.models.functions import Cast, Extract

from accounts import models as accounts_models
from billing import calculation, models
from devices import queries as devices_queries
from kernel import bulk, ranges
from metering import models as metering_models
from metering import queries as metering_queries

# Where an AU account's days are counted: the zone of its supply address's state.
AU_TIME_ZONES = {
    "NSW": "Australia/Sydney",
    "ACT": "Australia/Sydney",
    "VIC": "Australia/Melbourne",
    "QLD": "Australia/Brisbane",
    "SA": "Australia/Adelaide",
    "TAS": "Australia/Hobart",
    "NT": "Australia/Darwin",
    "WA": "Australia/Perth",
}
AU_DEFAULT_TIME_ZONE = "Australia/Sydney"


def billing_time_zone() -> ZoneInfo:
    """The zone whose wall clock counts billing days (for accounts without a zone of their own)."""
    return ZoneInfo(settings.TIME_ZONE)


def account_time_zone(*, market: str, state: str) -> str | None:
    """The zone of an account supplied in `market` (AU: by state), None for the billing zone."""
    if market == metering_models.Market.AU:
        return AU_TIME_ZONES.get(state.strip().upper(), AU_DEFAULT_TIME_ZONE)
    return None


def preview_bill(
    *, account: accounts_models.Account, period: ranges.Period, as_of: datetime
) -> calculation.BillDraft:
    """The bill `account` would get for `period` with the readings taken up to `as_of`. Writes nothing.

    Raises calculation.NothingToBill, CurrencyMismatch, MissingRate, InvalidReadings,
    MissingCalorificValue.
    """
    inputs = billing_inputs(account_ids=[account.pk], period=period, as_of=as_of)
    return calculation.calculate_bill(account=inputs[account.pk], period=period, tz=billing_time_zone())


class _AgreementRow(NamedTuple):
    id: int
    account_id: int
    meter_point_id: int
    tariff_id: int
    active_from: datetime
    active_to: datetime | None


class _MeterPointRow(NamedTuple):
    id: int
    identifier: str
    utility_type: str
    market: str
    ldz: str
    property_id: int
    state: str


class _TariffRow(NamedTuple):
    id: int
    code: str
    currency: str
    standing_charge: Decimal
    tax_rate: Decimal
    rates_per_half_hour: bool
    dispatches_at_off_peak: bool


def billing_inputs(
    *,
    account_ids: Sequence[int],
    period: ranges.Period,
    as_of: datetime,
    every_pricing_input: bool = False,
    boundaries: Sequence[datetime] = (),
) -> dict[int, calculation.Account]:
    """The calculation inputs of many accounts for one period, in a constant number of queries.

    Readings are those taken (`read_at`) up to `as_of`; for each register only the readings needed
    to value it at the period's boundaries (and at each of `boundaries`, for callers that then
    calculate sub-periods of `period`) are loaded (the nearest either side of each). Half hours
    (recorded by `as_of`) are loaded for meter points on a tariff that prices them; dispatches for
    tariffs that move them to the off-peak rate; calorific values for gas. With
    `every_pricing_input`, half hours, registers and dispatches are loaded whatever the tariffs in
    force, so that the same readings can be priced on another tariff (a tariff comparison).
    """
    currencies = dict(
        accounts_models.Account.objects.filter(bulk.AnyOf(F("id"), account_ids)).values_list("id", "currency")
    )
    # From the day before: whether the first day is supplied already decides who pays for it.
    rows = list(
        models.Agreement.objects.filter(bulk.AnyOf(F("account_id"), account_ids))
        .overlapping(start=period.start - timedelta(days=1), end=period.end)
        .order_by("account_id", "meter_point_id", "active_from")
        .values_list(
            *_AgreementRow._fields,
            "meter_point__identifier",
            "meter_point__utility_type",
            "meter_point__market",
            "meter_point__ldz",
            "meter_point__property_id",
            "meter_point__property__address__administrative_area",
            "tariff__code",
            "tariff__currency",
            "tariff__standing_charge",
            "tariff__product__tax_rate",
            "tariff__product__rates_per_half_hour",
            "tariff__product__dispatches_at_off_peak",
        )
    )
    agreements = [_AgreementRow(*row[:6]) for row in rows]
    meter_points = {row[2]: _MeterPointRow(row[2], *row[6:12]) for row in rows}
    tariffs = _tariffs(rows={row[3]: _TariffRow(row[3], *row[12:]) for row in rows}, period=period)
    priced = {
        a.meter_point_id for a in agreements if every_pricing_input or tariffs[a.tariff_id].prices_intervals
    }
    half_hours = metering_queries.half_hourly_consumption(
        meter_point_ids=priced, period=period, recorded_by=as_of
    )
    # A meter point priced only from half hours, every one of which is in, needs no register.
    unpriced = {a.meter_point_id for a in agreements if not tariffs[a.tariff_id].prices_intervals}
    complete = {
        meter_point_id
        for meter_point_id, series in half_hours.items()
        if meter_point_id not in unpriced and None not in series.values and not every_pricing_input
    }
    registers = _registers(
        meter_point_ids=set(meter_points) - complete, period=period, as_of=as_of, boundaries=boundaries
    )
    dispatching = {
        a.account_id for a in agreements if every_pricing_input or tariffs[a.tariff_id].dispatches_at_off_peak
    }
    dispatches = devices_queries.completed_smart_dispatches(account_ids=dispatching, period=period)
    calorific_values = _calorific_values(
        meter_points=[
            mp for mp in meter_points.values() if mp.utility_type == metering_models.UtilityType.GAS
        ],
        period=period,
    )

    by_account: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for agreement in agreements:
        by_account[agreement.account_id][agreement.meter_point_id].append(
            calculation.Agreement(
                id=agreement.id,
                active=ranges.Period(agreement.active_from, agreement.active_to),
                tariff=tariffs[agreement.tariff_id],
            )
        )
    dispatches_by_account = defaultdict(list)
    for dispatch in dispatches:
        dispatches_by_account[dispatch.account_id].append(dispatch)

    def meter_point_input(meter_point: _MeterPointRow, account_id: int, account_agreements):
        series = half_hours.get(meter_point.id)
        return calculation.MeterPoint(
            identifier=meter_point.identifier,
            utility_type=meter_point.utility_type,
            agreements=tuple(account_agreements),
            registers=registers.get(meter_point.id, ()),
            intervals=None
            if series is None
            else calculation.IntervalSeries(
                start=series.start, values=series.values, estimated=series.estimated, unit=series.unit
            ),
            dispatches=tuple(
                dispatch.period
                for dispatch in dispatches_by_account.get(account_id, ())
                if dispatch.property_id in (None, meter_point.property_id)
            ),
            calorific_values=calorific_values.get(meter_point.id, ()),
            market=meter_point.market,
        )

    inputs = {}
    for account_id, currency in currencies.items():
        points = by_account[account_id]
        zone = None
        for meter_point_id in points:
            meter_point = meter_points[meter_point_id]
            zone = zone or account_time_zone(market=meter_point.market, state=meter_point.state)
        inputs[account_id] = calculation.Account(
            currency=currency,
            meter_points=tuple(
                meter_point_input(meter_points[meter_point_id], account_id, account_agreements)
                for meter_point_id, account_agreements in points.items()
            ),
            time_zone=zone,
        )
    return inputs


def _tariffs(*, rows: dict[int, _TariffRow], period: ranges.Period) -> dict[int, calculation.Tariff]:
    rates_by_tariff = defaultdict(list)
    # Times as epoch seconds (of UTC: Django would extract the local wall clock, which a clock
    # change repeats): a tariff priced per half hour has 1,488 rows a month.
    for tariff_id, band, unit_rate, active_from, active_to, start_time, end_time in (
        models.TariffRate.objects.filter(tariff_id__in=rows)
        # Bills are priced at the direct debit (or any-method) rate; non-direct-debit variants are
        # published (REST tariff charges) but not billed yet.
        .exclude(payment_method=models.ChargePaymentMethod.NON_DIRECT_DEBIT)
        .overlapping(start=period.start, end=period.end)
        .order_by("tariff_id", "band", "active_from")
        .annotate(
            epoch_from=Cast(Extract("active_from", "epoch", tzinfo=UTC), BigIntegerField()),
            epoch_to=Cast(Extract("active_to", "epoch", tzinfo=UTC), BigIntegerField()),
        )
        .values_list("tariff_id", "band", "unit_rate", "epoch_from", "epoch_to", "start_time", "end_time")
    ):
        rates_by_tariff[tariff_id].append(
            calculation.Rate(
                band=band,
                unit_rate=unit_rate,
                active=ranges.Period(
                    datetime.fromtimestamp(active_from, UTC),
                    None if active_to is None else datetime.fromtimestamp(active_to, UTC),
                ),
                window=(start_time, end_time) if start_time is not None else None,
            )
        )
    return {
        tariff.id: calculation.Tariff(
            code=tariff.code,
            currency=tariff.currency,
            standing_charge=tariff.standing_charge,
            tax_rate=tariff.tax_rate,
            rates=tuple(rates_by_tariff[tariff.id]),
            rates_per_half_hour=tariff.rates_per_half_hour,
            dispatches_at_off_peak=tariff.dispatches_at_off_peak,
        )
        for tariff in rows.values()
    }


def _calorific_values(
    *, meter_points: list[_MeterPointRow], period: ranges.Period
) -> dict[int, tuple[calculation.CalorificValue, ...]]:
    """Per gas meter point, the calorific values covering the period: its LDZ's, and the national
    ones where its LDZ has none (or it has no known LDZ)."""
    if not meter_points:
        return {}
    zones = {meter_point.ldz for meter_point in meter_points} | {""}
    by_zone = defaultdict(list)
    for ldz, value, active_from, active_to in (
        models.CalorificValue.objects.filter(ldz__in=zones)
        .overlapping(start=period.start, end=period.end)
        .order_by("ldz", "active_from")
        .values_list("ldz", "value", "active_from", "active_to")
    ):
        by_zone[ldz].append(
            calculation.CalorificValue(active=ranges.Period(active_from, active_to), value=value)
        )
    covering = {}
    for zone in zones:
        own = by_zone.get(zone, [])
        national = [part for value in by_zone.get("", []) for part in _uncovered(value, own)] if zone else []
        covering[zone] = tuple(sorted(own + national, key=lambda value: value.active.start))
    return {meter_point.id: covering[meter_point.ldz] for meter_point in meter_points}


def _uncovered(value: calculation.CalorificValue, own: list[calculation.CalorificValue]):
    """The parts of a national value's period that no LDZ value covers."""
    parts = [value.active]
    for covered in own:
        remaining = []
        for part in parts:
            overlap = part & covered.active
            if overlap is None:
                remaining.append(part)
                continue
            if part.start < overlap.start:
                remaining.append(ranges.Period(part.start, overlap.start))
            if overlap.end is not None and (part.end is None or overlap.end < part.end):
                remaining.append(ranges.Period(overlap.end, part.end))
        parts = remaining
    return [calculation.CalorificValue(active=part, value=value.value) for part in parts]


# The nearest readings on each side of a boundary, per register: enough to value the register
# there exactly, by interpolation or by extrapolation (billing/calculation), using the
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
ORDER BY r.read_at
"""


def _registers(
    *, meter_point_ids: set[int], period: ranges.Period, as_of: datetime, boundaries: Sequence[datetime] = ()
) -> dict[int, tuple[calculation.Register, ...]]:
    registers = list(
        metering_models.Register.objects.filter(bulk.AnyOf(F("meter__meter_point_id"), meter_point_ids))
        .order_by("meter__meter_point_id", "meter_id", "identifier")
        .values_list(
            "id",
            "meter__meter_point_id",
            "meter__installed_from",
            "meter__installed_to",
            "rate_band",
            "multiplier",
            "unit",
        )
    )
    windows = {}
    register_ids, moments = [], []
    for register_id, _, installed_from, installed_to, *_ in registers:
        installed = ranges.Period(installed_from, installed_to)
        window = installed & period
        windows[register_id] = installed
        if window is not None and not boundaries:
            register_ids += (register_id, register_id)
            moments += (window.start, window.end)
        elif window is not None:
            inside = sorted({window.start, window.end, *(m for m in boundaries if m in window)})
            register_ids += [register_id] * len(inside)
            moments += inside
    readings = defaultdict(list)
    if register_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                _BOUNDARY_READINGS_SQL,
                {
                    "register_ids": bulk.array_param(register_ids),
                    "moments": bulk.array_param(moments),
                    "as_of": as_of,
                },
            )
            actual = metering_models.ReadingQuality.ACTUAL.value
            point = calculation.ReadingPoint
            for _, register_id, read_at, value, quality in cursor.fetchall():
                readings[register_id].append(point(read_at, value, quality != actual))
    result = defaultdict(list)
    for register_id, meter_point_id, _, _, band, multiplier, unit in registers:
        result[meter_point_id].append(
            calculation.Register(
                band=band,
                readings=tuple(readings[register_id]),
                installed=windows[register_id],
                multiplier=multiplier,
                unit=unit,
            )
        )
    return {meter_point_id: tuple(items) for meter_point_id, items in result.items()}
