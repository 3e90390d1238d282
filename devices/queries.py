"""Reads of devices, their dispatches and saving sessions."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import DateTimeRangeField
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Avg, Count, F, Func, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import RowNumber

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from accounts import queries as accounts_queries
from devices import models
from kernel import bulk, ranges

# Devices that charge a vehicle: the vehicle itself or its charge point.
CHARGING_KINDS = (models.DeviceKind.ELECTRIC_VEHICLES, models.DeviceKind.CHARGE_POINTS)


class NoDevice(Exception):
    """The account has no (live, unretired) device of the kind asked for."""


def devices_of_account(
    *,
    account: accounts_models.Account,
    property_public_id: int | None = None,
    public_id: uuid.UUID | None = None,
) -> QuerySet[models.Device]:
    """The account's devices that are not retired, oldest first; only those at the property with
    this public number, or with this public id, when given."""
    rows = models.Device.objects.filter(account=account, retired_at__isnull=True)
    if property_public_id is not None:
        rows = rows.filter(property__public_id=property_public_id)
    if public_id is not None:
        rows = rows.filter(public_id=public_id)
    return rows.order_by("created_at", "id")


def get_device_by_id(*, id: int) -> models.Device:
    """Raises Device.DoesNotExist."""
    return models.Device.objects.get(pk=id)


def dispatches_of_account(
    *, account: accounts_models.Account, status: str, now: datetime
) -> list[models.Dispatch]:
    """The dispatches with `status` of the account's unretired devices, by start; planned ones only
    while they have not ended at `now`. Raises NoDevice for an account without devices."""
    devices = devices_of_account(account=account)
    if not devices.exists():
        raise NoDevice(account.number)
    rows = models.Dispatch.objects.filter(device__in=devices, status=status).order_by("start_at", "id")
    if status == models.DispatchStatus.PLANNED:
        rows = rows.filter(end_at__gt=now)
    return list(rows)


def get_device(*, public_id: str, account_ids: set[int]) -> models.Device:
    """The unretired device with this public id on one of `account_ids`.

    Raises NoDevice for a malformed id, an unknown device or one on another account.
    """
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NoDevice(public_id) from exc
    device = models.Device.objects.filter(
        public_id=key, account_id__in=account_ids, retired_at__isnull=True
    ).first()
    if device is None:
        raise NoDevice(public_id)
    return device


def charging_device(*, account: accounts_models.Account) -> models.Device:
    """The device smart charging acts on for an account: its first vehicle, else its first charge
    point. Raises NoDevice."""
    devices = list(
        devices_of_account(account=account)
        .filter(kind__in=CHARGING_KINDS)
        .select_related("variant", "charge_point_variant")
    )
    devices.sort(key=lambda d: CHARGING_KINDS.index(d.kind))
    if not devices:
        raise NoDevice(account.number)
    return devices[0]


def device_of_kind(*, account: accounts_models.Account, kind: str) -> models.Device:
    """The account's first unretired device of `kind`. Raises NoDevice."""
    device = devices_of_account(account=account).filter(kind=kind).first()
    if device is None:
        raise NoDevice(account.number)
    return device


def active_boost(*, device: models.Device, now: datetime) -> models.Dispatch | None:
    """The boost charge planned or running for the device at `now`, if any."""
    return (
        models.Dispatch.objects.filter(
            device=device,
            source=models.DispatchSource.BOOST,
            status=models.DispatchStatus.PLANNED,
            end_at__gt=now,
        )
        .order_by("start_at", "id")
        .first()
    )


@dataclass(frozen=True)
class DispatchPeriod:
    """When a device ran under smart control: `property_id` is where (None: the account's device
    has no property)."""

    account_id: int
    property_id: int | None
    period: ranges.Period


def completed_smart_dispatches(
    *, account_ids: Collection[int], period: ranges.Period
) -> list[DispatchPeriod]:
    """The completed smart-charging dispatches (source SMART: not boosts, bumps or tests) of these
    accounts' devices that overlap the finite `period`, in one query, by account then start."""
    rows = (
        models.Dispatch.objects.filter(
            bulk.AnyOf(F("device__account_id"), account_ids),
            status=models.DispatchStatus.COMPLETED,
            source=models.DispatchSource.SMART,
        )
        .alias(span=Func(F("start_at"), F("end_at"), function="TSTZRANGE", output_field=DateTimeRangeField()))
        .filter(span__overlap=DateTimeTZRange(period.start, period.end, "[)"))
        .order_by("device__account_id", "start_at", "id")
        .values_list("device__account_id", "device__property_id", "start_at", "end_at")
    )
    return [
        DispatchPeriod(account_id=account_id, property_id=property_id, period=ranges.Period(start, end))
        for account_id, property_id, start, end in rows
    ]


def saving_session_events(*, include_dev_events: bool) -> QuerySet[models.SavingSessionEvent]:
    rows = models.SavingSessionEvent.objects.order_by("start_at", "id")
    return rows if include_dev_events else rows.filter(is_dev_event=False)


def saving_session_event_count(*, include_dev_events: bool) -> int:
    return saving_session_events(include_dev_events=include_dev_events).count()


def saving_session_event_status(*, event: models.SavingSessionEvent, at: datetime) -> str:
    """UPCOMING before the event, ONGOING during `[start_at, end_at)`, DONE after."""
    period = ranges.Period(event.start_at, event.end_at)
    if period.starts_after(at):
        return "UPCOMING"
    return "ONGOING" if at in period else "DONE"


@dataclass(frozen=True)
class SavingResult:
    """What a participant saved in an event, in kWh and as a percentage of the baseline (exact);
    None until the results are set."""

    energy_saved_kwh: Decimal | None
    percentage_saved: Decimal | None


def saving_result(participation: models.SavingSessionParticipation) -> SavingResult:
    p = participation
    if p.results_set_at is None or p.baseline_kwh is None or p.consumption_kwh is None:
        return SavingResult(energy_saved_kwh=None, percentage_saved=None)
    saved = p.baseline_kwh - p.consumption_kwh
    return SavingResult(
        energy_saved_kwh=saved, percentage_saved=saved / p.baseline_kwh * 100 if p.baseline_kwh else None
    )


def get_saving_session_event(*, code: str) -> models.SavingSessionEvent:
    """Raises SavingSessionEvent.DoesNotExist."""
    return models.SavingSessionEvent.objects.get(code=code)


def saving_session_enrolment(*, account: accounts_models.Account) -> models.SavingSessionEnrolment | None:
    return (
        models.SavingSessionEnrolment.objects.filter(account=account)
        .select_related("meter_point__property__address")
        .first()
    )


def saving_session_participations(
    *, account: accounts_models.Account
) -> QuerySet[models.SavingSessionParticipation]:
    return (
        models.SavingSessionParticipation.objects.filter(account=account)
        .select_related("event")
        .order_by("event__start_at", "event_id")
    )


def participant_counts(*, event_ids: list[int]) -> dict[int, int]:
    """Participants per event, for all the events in one query."""
    rows = (
        models.SavingSessionParticipation.objects.filter(event_id__in=event_ids)
        .values_list("event_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def saving_sessions_energy_saved_kwh() -> int | None:
    """Energy saved by every participant of every event with results, whole kWh (None before
    the first results)."""
    total = (
        models.SavingSessionParticipation.objects.filter(
            ~Q(baseline_kwh=None), ~Q(consumption_kwh=None), results_set_at__isnull=False
        )
        .aggregate(saved=Sum(F("baseline_kwh") - F("consumption_kwh")))
        .get("saved")
    )
    return None if total is None else int(total)


# --- Charging preferences ---------------------------------------------------------------------------

WEEKDAY, WEEKEND = models.DayOfWeek.MONDAY, models.DayOfWeek.SATURDAY


def schedules_of_devices(*, device_ids: Collection[int]) -> QuerySet[models.DevicePreferenceSchedule]:
    """The preference schedules of these devices (with their preferences, whose `device_id` says
    whose they are)."""
    return models.DevicePreferenceSchedule.objects.filter(
        preferences__device_id__in=device_ids
    ).select_related("preferences")


@dataclass(frozen=True)
class ChargingPreferences:
    """A device's targets: the weekday (Monday) and weekend (Saturday) schedules, and the lowest
    and highest state of charge over all its schedules (None without schedules)."""

    weekday: models.DevicePreferenceSchedule | None
    weekend: models.DevicePreferenceSchedule | None
    minimum_soc: Decimal | None
    maximum_soc: Decimal | None


def charging_preferences(schedules: Sequence[models.DevicePreferenceSchedule]) -> ChargingPreferences:
    by_day = {s.day_of_week: s for s in schedules}
    return ChargingPreferences(
        weekday=by_day.get(WEEKDAY),
        weekend=by_day.get(WEEKEND),
        minimum_soc=min((s.min_value for s in schedules), default=None),
        maximum_soc=max((s.max_value for s in schedules), default=None),
    )


# --- Device catalogue and heat pump controllers ----------------------------------------------------


def device_variants(
    *,
    kinds: tuple[str, ...],
    make: str | None = None,
    provider: str | None = None,
    is_integration_live: bool | None = None,
    is_deprecated: bool | None = None,
) -> QuerySet[models.DeviceVariant]:
    """Catalogue entries of the given kinds, by make (case-insensitive), model and variant id."""
    rows = models.DeviceVariant.objects.filter(kind__in=kinds)
    if make is not None:
        rows = rows.filter(make__iexact=make)
    if provider is not None:
        rows = rows.filter(supported_providers__contains=[provider])
    if is_integration_live is not None:
        rows = rows.filter(is_integration_live=is_integration_live)
    if is_deprecated is not None:
        rows = rows.filter(is_deprecated=is_deprecated)
    return rows.order_by("make", "model", "variant_id")


def integrable_kinds() -> list[str]:
    """Device kinds with at least one live, non-deprecated integration in the catalogue."""
    return list(
        models.DeviceVariant.objects.filter(is_integration_live=True, is_deprecated=False)
        .order_by("kind")
        .values_list("kind", flat=True)
        .distinct()
    )


def vehicles_of_accounts(*, account_ids: set[int], provider: str | None) -> QuerySet[models.Device]:
    """The unretired electric vehicles on these accounts, with their catalogue entries."""
    rows = models.Device.objects.filter(
        account_id__in=account_ids, kind=models.DeviceKind.ELECTRIC_VEHICLES, retired_at__isnull=True
    ).select_related("variant")
    if provider is not None:
        rows = rows.filter(provider=provider)
    return rows.order_by("created_at", "id")


def device_on_property(
    *, account: accounts_models.Account, property_public_id: int, kind: str
) -> models.Device | None:
    """The account's first unretired device of `kind` at the property with this public number;
    None when the property (one of the account's) has none.

    Raises NoDevice for a property that is not one of the account's.
    """
    device = (
        devices_of_account(account=account)
        .filter(kind=kind, property__public_id=property_public_id)
        .select_related("variant")
        .first()
    )
    if device is None:
        prop = accounts_queries.get_property(public_id=property_public_id)
        if prop is None or prop.account_id != account.pk:
            raise NoDevice(account.number)
    return device


def controller_euids(*, account_ids: set[int]) -> list[str]:
    """EUIs of the heat pump controllers of unretired devices on these accounts."""
    return list(
        models.HeatPumpController.objects.filter(
            bulk.AnyOf(F("device__account_id"), account_ids), device__retired_at__isnull=True
        )
        .order_by("device__created_at", "id")
        .values_list("euid", flat=True)
    )


def heat_pump_controller(*, account: accounts_models.Account, euid: str | None) -> models.HeatPumpController:
    """The account's controller with this EUI (any case), or its first one when `euid` is None,
    with its zones (`zone_list`, by zone) and sensors (`sensor_list`, by code) loaded: three queries
    whatever their number. Raises NoDevice."""
    rows = models.HeatPumpController.objects.filter(device__account=account, device__retired_at__isnull=True)
    if euid is not None:
        rows = rows.filter(euid__iexact=euid)
    controller = (
        rows.select_related("device__variant")
        .prefetch_related(
            Prefetch("zones", queryset=models.HeatPumpZone.objects.order_by("zone"), to_attr="zone_list"),
            Prefetch(
                "sensors", queryset=models.HeatPumpSensor.objects.order_by("code"), to_attr="sensor_list"
            ),
        )
        .order_by("device__created_at", "id")
        .first()
    )
    if controller is None:
        raise NoDevice(account.number)
    return controller


def devices_with_recent_dispatches(*, account_id: int, per_device: int) -> list[models.Device]:
    """All the account's devices (retired ones too, for the back office), each with
    `recent_dispatches`: its latest `per_device` dispatches, newest first. Two queries."""
    recent = (
        models.Dispatch.objects.annotate(
            newest=Window(
                RowNumber(), partition_by=[F("device_id")], order_by=[F("start_at").desc(), F("id").desc()]
            )
        )
        .filter(newest__lte=per_device)
        .order_by("-start_at", "-id")
    )
    return list(
        models.Device.objects.filter(account_id=account_id)
        .prefetch_related(Prefetch("dispatches", queryset=recent, to_attr="recent_dispatches"))
        .order_by("created_at", "id")
    )


def planned_dispatches(*, device: models.Device, now: datetime) -> list[models.Dispatch]:
    """The device's dispatch plan at `now`: its planned dispatches that have not ended, by start."""
    return list(
        models.Dispatch.objects.filter(
            device=device, status=models.DispatchStatus.PLANNED, end_at__gt=now
        ).order_by("start_at", "id")
    )


def saving_sessions_results_updated_at() -> datetime | None:
    """When the latest saving session results were set (None before the first)."""
    return models.SavingSessionParticipation.objects.aggregate(latest=Max("results_set_at"))["latest"]


# --- What the platform knows of a device's connection and onboarding test -----------------------

# States in which the platform is talking to the device through its provider.
CONNECTED_STATES = (
    models.DeviceState.AUTHENTICATION_COMPLETE,
    models.DeviceState.TEST_CHARGE_IN_PROGRESS,
    models.DeviceState.SETUP_COMPLETE,
    models.DeviceState.SMART_CONTROL_CAPABLE,
    models.DeviceState.SMART_CONTROL_IN_PROGRESS,
    models.DeviceState.BOOSTING,
    models.DeviceState.SMART_CONTROL_OFF,
)


def rated_power_kw(device: models.Device) -> Decimal | None:
    """The device's maximum power: as registered on the device, else its catalogue entry's."""
    if device.max_power_kw is not None:
        return device.max_power_kw
    return device.variant.power_kw if device.variant is not None else None


def is_connected(device: models.Device) -> bool | None:
    """Whether the platform reaches the device: False once it lost the connection, True in a state
    it only reaches by talking to the device; None before authentication or once retired."""
    if device.state == models.DeviceState.LOST_CONNECTION:
        return False
    return True if device.state in CONNECTED_STATES else None


def test_dispatch_failure_reason(device: models.Device) -> str | None:
    """Kraken's TestDispatchAssessmentFailureReason of the device's onboarding test: NONE for a
    device that went live (its test passed), UNKNOWN for one whose test failed (the platform keeps
    no assessment of why), None while no test has finished."""
    if (
        device.status == models.DeviceLifecycleStatus.FAILED_ONBOARDING_TEST
        or device.state == models.DeviceState.TEST_CHARGE_FAILED
    ):
        return "UNKNOWN"
    return "NONE" if device.status == models.DeviceLifecycleStatus.LIVE else None


# --- Saving session outcomes across participants --------------------------------------------------


@dataclass(frozen=True)
class EventOutcome:
    """An event's settled results across its participants, and where one account stands in them."""

    # Mean points paid per settled participant, in pounds (exact).
    average_reward_pounds: Decimal | None
    # Share (per cent) of the participants who reduced their use that saved no more than the
    # account (the cumulative distribution); None when the account did not reduce.
    reduction_rank_percentage: Decimal | None


def _saved():
    return F("baseline_kwh") - F("consumption_kwh")


def saving_session_outcomes(
    *, account: accounts_models.Account, event_ids: Collection[int]
) -> dict[int, EventOutcome]:
    """Per settled event among `event_ids`, its outcome across participants; one query."""
    mine = (
        models.SavingSessionParticipation.objects.filter(account=account, event_id=OuterRef("event_id"))
        .annotate(saved=_saved())
        .values("saved")[:1]
    )
    reduced = Q(saved__gt=0)
    rows = (
        models.SavingSessionParticipation.objects.filter(
            event_id__in=event_ids,
            results_set_at__isnull=False,
            baseline_kwh__isnull=False,
            consumption_kwh__isnull=False,
        )
        .annotate(saved=_saved())
        .values("event_id")
        .order_by()
        .annotate(
            average_points=Avg("points_awarded"),
            reducers=Count("id", filter=reduced),
            at_or_below=Count("id", filter=reduced & Q(saved__lte=Subquery(mine))),
            account_saved=Subquery(mine),
        )
    )
    points_per_pound = Decimal(accounts_operations.LOYALTY_POINTS_PER_PENNY * 100)
    outcomes = {}
    for row in rows:
        average = row["average_points"]
        account_reduced = row["account_saved"] is not None and row["account_saved"] > 0
        outcomes[row["event_id"]] = EventOutcome(
            average_reward_pounds=None if average is None else Decimal(average) / points_per_pound,
            reduction_rank_percentage=(
                Decimal(row["at_or_below"]) * 100 / row["reducers"] if account_reduced else None
            ),
        )
    return outcomes


def co2_saved_grams(*, energy_saved_kwh: Decimal) -> Decimal:
    """CO2 avoided by not using this much electricity, at the grid carbon intensity configured in
    settings (`GRID_CARBON_INTENSITY_G_PER_KWH`, whose source is stated there)."""
    return energy_saved_kwh * Decimal(settings.GRID_CARBON_INTENSITY_G_PER_KWH)
