"""Reads of meter points, meters, readings and smart meter telemetry."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet, Value
from django.db.models.functions import Replace, Upper

from accounts import models as accounts_models
from accounts import queries as accounts_queries
from kernel import clock, ranges
from metering import models

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


def electricity_meter_points_of_account(*, account_id: int) -> QuerySet[models.MeterPoint]:
    return (
        models.MeterPoint.objects.filter(property__account_id=account_id, utility_type__in=ELECTRICITY)
        .select_related("property__address")
        .order_by("identifier")
    )


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
    return "".join(postcode.split()).upper()


def regions_of_postcode(*, postcode: str) -> set[str]:
    """The electricity regions (GSP groups) of the meter points we supply at addresses with this
    postcode. Empty when we supply nothing there: the platform has no postcode directory."""
    return set(
        models.MeterPoint.objects.annotate(
            _postcode=Upper(Replace("property__address__postcode", Value(" "), Value("")))
        )
        .filter(_postcode=normalise_postcode(postcode))
        .exclude(gsp_group_id="")
        .values_list("gsp_group_id", flat=True)
        .distinct()
    )


# --- Meter points, meters and readings for the customer graph ---------------------------------------


def meter_points_of_properties(*, property_ids: Collection[int]) -> QuerySet[models.MeterPoint]:
    """The properties' meter points, electricity before gas, by identifier."""
    return models.MeterPoint.objects.filter(property_id__in=property_ids).order_by(
        "utility_type", "identifier"
    )


def meter_points_by_id(*, ids: Collection[int]) -> QuerySet[models.MeterPoint]:
    return models.MeterPoint.objects.filter(pk__in=ids).select_related("property")


def meters_of_meter_points(*, meter_point_ids: Collection[int]) -> QuerySet[models.Meter]:
    """The meter points' meters, by installation."""
    return models.Meter.objects.filter(meter_point_id__in=meter_point_ids).order_by("installed_from", "id")


def get_meter(*, id: int) -> models.Meter | None:
    """The meter with this primary key (with its meter point and property), or None."""
    return models.Meter.objects.select_related("meter_point__property").filter(pk=id).first()


def is_installed(*, meter: models.Meter, at: datetime) -> bool:
    return at in ranges.Period(meter.installed_from, meter.installed_to)


def registers_of_meters(*, meter_ids: Collection[int]) -> QuerySet[models.Register]:
    return models.Register.objects.filter(meter_id__in=meter_ids).order_by("identifier")


def readings_newest_first() -> QuerySet[models.Reading]:
    """Every register reading (with its register), newest first: the base of per-meter pages."""
    return models.Reading.objects.select_related("register").order_by("-read_at", "-id")


def customer_read_at(read_date: date) -> datetime:
    """A customer's reading on a date counts from the start of that day, local time."""
    return clock.midnight(read_date, ZoneInfo(settings.TIME_ZONE))


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
