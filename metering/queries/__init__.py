"""Reads of meter points, meters, readings and smart meter telemetry. The back office's reads live
in `_back_office.py`, consumption from interval data in `_consumption.py` and the customer graph's
batch reads in `_graph.py`; this module re-exports them."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery

from accounts import models as accounts_models
from accounts import queries as accounts_queries
from kernel import bulk, ranges, search
from metering import models
from metering.queries._back_office import (
    METER_POINT_IDENTIFIER,
    MeterPointReadings,
    RegisterReadings,
    account_ids_by_meter_point,
    meter_points_with_readings,
)
from metering.queries._consumption import (
    EMPTY_CONSUMPTION,
    ConsumptionBucket,
    ConsumptionGrouping,
    ConsumptionPage,
    ConsumptionQuery,
    UnknownTimeZone,
    consumption_bucket_counts,
    consumption_buckets,
    consumption_page,
    consumption_window,
    time_zone,
)
from metering.queries._graph import (
    customer_read_at,
    get_meter,
    is_installed,
    latest_actual_reading_dates,
    meter_points_by_id,
    meter_points_of_properties,
    meters_of_meter_points,
    paired_meters,
    readings_newest_first,
    registers_of_meters,
    smart_meter_devices_of_meter_points,
    smart_meter_devices_of_meters,
    smart_meter_devices_of_properties,
)
from metering.queries._half_hours import HALF_HOUR, HalfHourSeries, half_hourly_consumption

__all__ = [  # re-exported from the private modules; the functions defined below are public too
    "HALF_HOUR",
    "HalfHourSeries",
    "half_hourly_consumption",
    "EMPTY_CONSUMPTION",
    "ConsumptionBucket",
    "ConsumptionGrouping",
    "ConsumptionPage",
    "ConsumptionQuery",
    "UnknownTimeZone",
    "consumption_bucket_counts",
    "consumption_buckets",
    "consumption_window",
    "consumption_page",
    "time_zone",
    "METER_POINT_IDENTIFIER",
    "MeterPointReadings",
    "RegisterReadings",
    "account_ids_by_meter_point",
    "meter_points_with_readings",
    "customer_read_at",
    "get_meter",
    "is_installed",
    "latest_actual_reading_dates",
    "meter_points_by_id",
    "meter_points_of_properties",
    "meters_of_meter_points",
    "paired_meters",
    "readings_newest_first",
    "registers_of_meters",
    "smart_meter_devices_of_meter_points",
    "smart_meter_devices_of_meters",
    "smart_meter_devices_of_properties",
]

ELECTRICITY = (models.UtilityType.ELECTRICITY, models.UtilityType.EMBEDDED_ELECTRICITY)


def is_electricity(utility_type: str) -> bool:
    """Whether a meter point of this utility type supplies electricity (embedded networks too)."""
    return utility_type in ELECTRICITY


class NotFound(Exception):
    """No such meter point, meter or device on the accounts asked about."""


def meter_point_of_accounts(
    *, identifier: str, account_ids: Collection[int], electricity: bool
) -> models.MeterPoint:
    """The electricity (MPAN) or gas (MPRN) meter point with this identifier at a property of one of
    `account_ids`. Raises NotFound."""
    kinds = ELECTRICITY if electricity else (models.UtilityType.GAS,)
    meter_point = (
        models.MeterPoint.objects.select_related("property__address")
        .filter(identifier=identifier, utility_type__in=kinds, property__account_id__in=account_ids)
        .first()
    )
    if meter_point is None:
        raise NotFound(identifier)
    return meter_point


def smart_electricity_meter_points(*, account_ids: Collection[int]) -> list[models.MeterPoint]:
    """The electricity meter points with a smart meter at properties of `account_ids`: those whose
    meters have recorded half hours first, then by identifier (one query)."""
    smart = models.Meter.objects.filter(meter_point=OuterRef("pk"), is_smart=True)
    recorded = models.IntervalReading.objects.filter(meter__meter_point=OuterRef("pk"))
    return list(
        models.MeterPoint.objects.filter(
            Exists(smart), property__account_id__in=account_ids, utility_type__in=ELECTRICITY
        )
        .select_related("property__address")
        .annotate(has_half_hours=Exists(recorded))
        .order_by("-has_half_hours", "identifier")
    )


def electricity_meter_points_of_account(*, account_id: int) -> QuerySet[models.MeterPoint]:
    return (
        models.MeterPoint.objects.filter(property__account_id=account_id, utility_type__in=ELECTRICITY)
        .select_related("property__address")
        .order_by("identifier")
    )


def meter_points_of_account(*, account_id: int) -> list[models.MeterPoint]:
    """Every meter point at the account's properties, oldest first (one query)."""
    return list(models.MeterPoint.objects.filter(property__account_id=account_id).order_by("id"))


def meter_of_accounts(*, meter_id: int, account_ids: Collection[int], electricity: bool) -> models.Meter:
    """A meter (by primary key) on a meter point of one of `account_ids`. Raises NotFound."""
    kinds = ELECTRICITY if electricity else (models.UtilityType.GAS,)
    meter = (
        models.Meter.objects.select_related("meter_point")
        .filter(
            pk=meter_id,
            meter_point__utility_type__in=kinds,
            meter_point__property__account_id__in=account_ids,
        )
        .first()
    )
    if meter is None:
        raise NotFound(str(meter_id))
    return meter


def meter_on(*, meter_point: models.MeterPoint, at: datetime, serial_number: str | None) -> models.Meter:
    """The meter with `serial_number` on the meter point, or the one installed at `at`.
    Raises NotFound."""
    meters = models.Meter.objects.filter(meter_point=meter_point).prefetch_related("registers")
    if serial_number:
        meter = meters.filter(serial_number=serial_number).first()
    else:
        meter = (
            meters.filter(installed_from__lte=at)
            .exclude(installed_to__lte=at)
            .order_by("-installed_from", "-id")
            .first()
        )
    if meter is None:
        raise NotFound(serial_number or meter_point.identifier)
    return meter


def readings_of_meter(*, meter: models.Meter, sources: Iterable[str] | None) -> QuerySet[models.Reading]:
    """A meter's register readings, newest first; only from `sources` when given."""
    rows = models.Reading.objects.filter(register__meter=meter).select_related("register")
    if sources is not None:
        rows = rows.filter(source__in=list(sources))
    return rows.order_by("-read_at", "-id")


def smart_meter_device_of_accounts(
    *, device_id: str, account_ids: Collection[int]
) -> models.SmartMeterDevice:
    """Raises NotFound for an unknown device or one on another account's meter."""
    device = models.SmartMeterDevice.objects.filter(
        device_id__iexact=device_id, meter__meter_point__property__account_id__in=account_ids
    ).first()
    if device is None:
        raise NotFound(device_id)
    return device


def telemetry(
    *, device: models.SmartMeterDevice, start: datetime | None, end: datetime | None
) -> QuerySet[models.TelemetryReading]:
    """Samples in `[start, end)`, oldest first."""
    rows = models.TelemetryReading.objects.filter(device=device)
    if start is not None:
        rows = rows.filter(read_at__gte=start)
    if end is not None:
        rows = rows.filter(read_at__lt=end)
    return rows.order_by("read_at")


def telemetry_before(*, device: models.SmartMeterDevice, at: datetime) -> models.TelemetryReading | None:
    """The last sample before `at` (the base of the first interval's consumption delta)."""
    return models.TelemetryReading.objects.filter(device=device, read_at__lt=at).order_by("-read_at").first()


def normalise_postcode(postcode: str) -> str:
    return search.postcode_key("".join(postcode.split()))


def regions_of_postcode(*, postcode: str) -> set[str]:
    """The electricity regions (GSP groups) of this postcode: those of the meter points we supply
    at addresses with it, and those the postcode directory lists (`gsp_groups_of_postcode`)."""
    supplied = set(
        models.MeterPoint.objects.annotate(
            _postcode=search.postcode_key_expression("property__address__postcode")
        )
        .filter(_postcode=normalise_postcode(postcode))
        .exclude(gsp_group_id="")
        .values_list("gsp_group_id", flat=True)
        .distinct()
    )
    return supplied | set(gsp_groups_of_postcode(postcode=postcode))


def interval_readings(
    *, meter_ids: Collection[int], period: ranges.Period
) -> QuerySet[models.IntervalReading]:
    """The half hours of these meters that start within the finite `period`, by meter then time
    (the table's key order: PostgreSQL reads them off each month's primary-key index)."""
    if period.end is None:
        raise ValueError("Interval data is read over a finite period")
    return models.IntervalReading.objects.filter(
        meter_id__in=meter_ids, interval_start__gte=period.start, interval_start__lt=period.end
    ).order_by("meter_id", "interval_start")


# --- Customer REST API v1: meter points, grid supply points, consumption ----------------------------


_POSTCODE_CHARACTERS = re.compile(r"[^A-Z0-9]")


def gsp_group_of(meter_point: models.MeterPoint) -> str:
    """The meter point's GSP group: as recorded, else from the MPAN's distributor id (the 14 main
    networks only; empty for an independent network's MPAN with no group recorded)."""
    if meter_point.gsp_group_id:
        return meter_point.gsp_group_id
    return models.GSP_GROUP_OF_DISTRIBUTOR.get(meter_point.identifier[:2], "")


def electricity_meter_point(*, mpan: str) -> models.MeterPoint:
    """The GB electricity meter point with this MPAN. Raises NotFound."""
    meter_point = models.MeterPoint.objects.filter(
        market=models.Market.GB, identifier=mpan, utility_type__in=ELECTRICITY
    ).first()
    if meter_point is None:
        raise NotFound(mpan)
    return meter_point


def gsp_groups_of_postcode(*, postcode: str | None) -> list[str]:
    """The GSP groups serving a postcode, by group id: those listed for the full postcode if it has
    rows of its own, else those of its outward code (`SW1A 1AA` → `SW1A`; an outward code alone is
    looked up as such). Case and spaces do not matter; an unknown or invalid postcode has none.
    Every group when `postcode` is None."""
    if postcode is None:
        return sorted(models.GspGroup.values)
    key = _POSTCODE_CHARACTERS.sub("", postcode.upper())
    if not 2 <= len(key) <= 7:
        return []
    outward = key[:-3] if len(key) >= 5 else key
    rows = list(
        models.GridSupplyPointPostcode.objects.filter(postcode__in={key, outward}).values_list(
            "postcode", "gsp_group_id"
        )
    )
    exact = {group for code, group in rows if code == key}
    return sorted(exact or {group for code, group in rows if code == outward})


def visible_smart_meter_id(
    *, user: accounts_models.User, identifier: str, serial_number: str, electricity: bool
) -> int | None:
    """The id of the smart meter with `serial_number` on the electricity (MPAN) or gas (MPRN) meter
    point `identifier` at a property of an account the user holds a role on; None when the meter
    point has no such smart meter. One query.

    Raises NotFound when no such meter point is visible to the user (unknown, or someone else's).
    """
    kinds = ELECTRICITY if electricity else (models.UtilityType.GAS,)
    smart_meter = models.Meter.objects.filter(
        meter_point=OuterRef("pk"), serial_number=serial_number, is_smart=True
    ).values("pk")[:1]
    found = (
        models.MeterPoint.objects.filter(
            identifier=identifier,
            utility_type__in=kinds,
            property__account__in=accounts_queries.accounts_of_user(user=user),
        )
        .annotate(smart_meter_id=Subquery(smart_meter))
        .values_list("smart_meter_id", flat=True)[:1]
    )
    rows = list(found)
    if not rows:
        raise NotFound(identifier)
    return rows[0]


def meter_points_with_registers(*, property_ids: Collection[int]) -> list[models.MeterPoint]:
    """The meter points at these properties, by identifier, each with its meters (by installation)
    and their registers prefetched: three queries."""
    return list(
        models.MeterPoint.objects.filter(property_id__in=property_ids)
        .prefetch_related(
            Prefetch("meters", queryset=models.Meter.objects.order_by("installed_from", "id")),
            Prefetch("meters__registers", queryset=models.Register.objects.order_by("identifier")),
        )
        .order_by("identifier", "id")
    )


def consumption_of_meter(
    *,
    user: accounts_models.User,
    identifier: str,
    serial_number: str,
    electricity: bool,
    query: ConsumptionQuery,
) -> ConsumptionPage:
    """A page of the consumption of the user's smart meter `serial_number` on meter point
    `identifier` (see `consumption_page`); empty when the meter point has no such smart meter. Two
    queries.

    Raises NotFound when the meter point is not visible to the user.
    """
    meter_id = visible_smart_meter_id(
        user=user, identifier=identifier, serial_number=serial_number, electricity=electricity
    )
    if meter_id is None:
        return EMPTY_CONSUMPTION
    return consumption_page(meter_id=meter_id, query=query)


# --- Smart meter telemetry ------------------------------------------------------------------------

MAX_TELEMETRY_WINDOW = timedelta(days=31)
DEFAULT_TELEMETRY_WINDOW = timedelta(hours=1)


class InvalidTelemetryWindow(ValueError):
    """The window ends before it starts, or is longer than MAX_TELEMETRY_WINDOW."""


def telemetry_window(*, start: datetime | None, end: datetime | None, now: datetime) -> ranges.Period:
    """`[start, end)`: `end` defaults to `now`, `start` to DEFAULT_TELEMETRY_WINDOW before `end`.

    Raises InvalidTelemetryWindow.
    """
    end = end or now
    start = start or end - DEFAULT_TELEMETRY_WINDOW
    if not start < end or end - start > MAX_TELEMETRY_WINDOW:
        raise InvalidTelemetryWindow(f"[{start}, {end})")
    return ranges.Period(start, end)


@dataclass(frozen=True)
class TelemetryInterval:
    read_at: datetime
    consumption_kwh: Decimal
    demand_w: Decimal | None
    consumption_delta_kwh: Decimal | None


def telemetry_intervals(
    *, device: models.SmartMeterDevice, window: ranges.Period, bucket: timedelta | None
) -> list[TelemetryInterval]:
    """The device's samples in `window`, or one interval per `bucket` (from the window's start)
    holding the cumulative register at the bucket's last sample and the mean demand; each with the
    energy used since the previous one (the first since the last sample before the window)."""
    samples = list(telemetry(device=device, start=window.start, end=window.end))
    base = telemetry_before(device=device, at=window.start)
    previous = base.consumption_kwh if base is not None else None
    if bucket is None:
        groups = [(s.read_at, [s]) for s in samples]
    else:
        grouped: dict[datetime, list] = {}
        for s in samples:
            grouped.setdefault(window.start + (s.read_at - window.start) // bucket * bucket, []).append(s)
        groups = sorted(grouped.items())
    intervals = []
    for read_at, group in groups:
        last = group[-1].consumption_kwh
        demands = [s.demand_w for s in group if s.demand_w is not None]
        intervals.append(
            TelemetryInterval(
                read_at=read_at,
                consumption_kwh=last,
                demand_w=sum(demands) / len(demands) if demands else None,
                consumption_delta_kwh=last - previous if previous is not None else None,
            )
        )
        previous = last
    return intervals


# --- Octoplus ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OctoplusEligibility:
    is_enrolled: bool
    # Kraken's OctoplusIneligibilityReasons, most important first; empty when eligible.
    ineligibility_reasons: tuple[str, ...]


def octoplus_eligibility(*, account: accounts_models.Account) -> OctoplusEligibility:
    """Whether the account may join Octoplus: not enrolled already, with a property, a smart
    electricity meter and an active direct debit."""
    enrolled = accounts_queries.is_loyalty_point_user(account=account)
    reasons = []
    if enrolled:
        reasons.append("ALREADY_SIGNED_UP")
    if not accounts_queries.has_properties(account=account):
        reasons.append("NO_PROPERTIES")
    elif not models.Meter.objects.filter(
        meter_point__property__account=account, meter_point__utility_type__in=ELECTRICITY, is_smart=True
    ).exists():
        reasons.append("NO_ELIGIBLE_METERS")
    if not accounts_queries.has_active_direct_debit(account=account):
        reasons.append("NO_DIRECT_DEBIT")
    return OctoplusEligibility(is_enrolled=enrolled, ineligibility_reasons=tuple(reasons))


def has_electricity_meter_point(*, account_id: int) -> bool:
    return electricity_meter_points_of_account(account_id=account_id).exists()


def taken_meter_point_identifiers(*, market: str, identifiers: Collection[str]) -> set[str]:
    """Which of `identifiers` a meter point in `market` has already (one query; none without
    identifiers)."""
    if not identifiers:
        return set()
    return set(
        models.MeterPoint.objects.filter(bulk.AnyOf(F("identifier"), identifiers), market=market).values_list(
            "identifier", flat=True
        )
    )
