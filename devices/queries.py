"""Reads of devices, their dispatches and saving sessions."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.fields import DateTimeRangeField
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Count, F, Func, Prefetch, Q, QuerySet, Sum

from accounts import models as accounts_models
from devices import models
from kernel import ranges

# Devices that charge a vehicle: the vehicle itself or its charge point.
CHARGING_KINDS = (models.DeviceKind.ELECTRIC_VEHICLES, models.DeviceKind.CHARGE_POINTS)


class NoDevice(Exception):
    """The account has no (live, unretired) device of the kind asked for."""


def devices_of_account(*, account: accounts_models.Account) -> QuerySet[models.Device]:
    """The account's devices that are not retired, oldest first."""
    return models.Device.objects.filter(account=account, retired_at__isnull=True).order_by("created_at", "id")


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
    devices = list(devices_of_account(account=account).filter(kind__in=CHARGING_KINDS))
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
            device__account_id__in=account_ids,
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
) -> models.Device:
    """The account's first unretired device of `kind` at the property with this public number.
    Raises NoDevice (also for a property of another account)."""
    device = (
        devices_of_account(account=account)
        .filter(kind=kind, property__public_id=property_public_id)
        .select_related("variant")
        .first()
    )
    if device is None:
        raise NoDevice(account.number)
    return device


def controller_euids(*, account_ids: set[int]) -> list[str]:
    """EUIs of the heat pump controllers of unretired devices on these accounts."""
    return list(
        models.HeatPumpController.objects.filter(
            device__account_id__in=account_ids, device__retired_at__isnull=True
        )
        .order_by("device__created_at", "id")
        .values_list("euid", flat=True)
    )


def heat_pump_controller(*, account: accounts_models.Account, euid: str | None) -> models.HeatPumpController:
    """The account's controller with this EUI (any case), or its first one when `euid` is None,
    with its zones and sensors loaded (three queries whatever their number). Raises NoDevice."""
    rows = models.HeatPumpController.objects.filter(device__account=account, device__retired_at__isnull=True)
    if euid is not None:
        rows = rows.filter(euid__iexact=euid)
    controller = (
        rows.select_related("device__variant")
        .prefetch_related(
            Prefetch("zones", queryset=models.HeatPumpZone.objects.order_by("zone")),
            Prefetch("sensors", queryset=models.HeatPumpSensor.objects.order_by("code")),
        )
        .order_by("device__created_at", "id")
        .first()
    )
    if controller is None:
        raise NoDevice(account.number)
    return controller
