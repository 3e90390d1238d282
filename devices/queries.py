"""Reads of devices, their dispatches and saving sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet, Sum

from accounts import models as accounts_models
from devices import models

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
