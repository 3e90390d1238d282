"""Writes to devices: smart control, charging preferences, boost charges, saving sessions and their
settlement. Each
public function is one business operation in one transaction, locks the row it changes, and is
idempotent where a client may retry (asking for the state the device is already in changes
nothing)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from accounts import queries as accounts_queries
from devices import models, queries
from kernel import ranges
from metering import models as metering_models
from metering import queries as metering_queries

WEEKDAYS = (
    models.DayOfWeek.MONDAY,
    models.DayOfWeek.TUESDAY,
    models.DayOfWeek.WEDNESDAY,
    models.DayOfWeek.THURSDAY,
    models.DayOfWeek.FRIDAY,
)
WEEKEND = (models.DayOfWeek.SATURDAY, models.DayOfWeek.SUNDAY)
# States in which the platform is (or could be) running the device; suspension moves between them.
CONTROL_STATES = (
    models.DeviceState.SMART_CONTROL_CAPABLE,
    models.DeviceState.SMART_CONTROL_IN_PROGRESS,
    models.DeviceState.BOOSTING,
    models.DeviceState.SMART_CONTROL_OFF,
)
MIN_TARGET_SOC, MAX_TARGET_SOC = 10, 100
_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])(?::00)?$")


class InvalidPreferences(ValueError):
    """Charging preferences out of range; `field` names the input."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class BoostNotAvailable(Exception):
    """The device cannot boost now (not live or smart control suspended)."""


class BoostNotCancellable(Exception):
    """The device is not in a state where a boost can be cancelled."""


class NotEnrolled(Exception):
    """The account has not joined the saving sessions campaign."""


class EventClosed(Exception):
    """The saving session has already started; it can no longer be joined."""


class AlreadyEnrolled(Exception):
    """The account joined the saving sessions campaign with another meter point."""


def _lock(device: models.Device) -> models.Device:
    return models.Device.objects.select_for_update().get(pk=device.pk)


def _audit(*, action: str, obj, account_id: int, actor, now: datetime, data: dict) -> None:
    accounts_operations.record_audit(
        action=action,
        obj=obj,
        account_id=account_id,
        actor=actor,
        data=data,
        occurred_at=now,
    )


def set_smart_control(
    *, device: models.Device, suspended: bool, now: datetime, actor: accounts_models.User | None = None
) -> models.Device:
    """Suspend or resume smart control of a device. Suspending cancels the dispatches planned from
    now on (boosts included). Asking for the current setting changes nothing."""
    with transaction.atomic():
        device = _lock(device)
        if device.is_suspended == suspended:
            return device
        device.is_suspended = suspended
        if device.state in CONTROL_STATES:
            device.state = (
                models.DeviceState.SMART_CONTROL_OFF
                if suspended
                else models.DeviceState.SMART_CONTROL_CAPABLE
            )
        device.save(update_fields=["is_suspended", "state"])
        if suspended:
            models.Dispatch.objects.filter(
                device=device, status=models.DispatchStatus.PLANNED, end_at__gt=now
            ).update(status=models.DispatchStatus.CANCELLED)
        _audit(
            action="DEVICE_SMART_CONTROL_SUSPENDED" if suspended else "DEVICE_SMART_CONTROL_RESUMED",
            obj=device,
            account_id=device.account_id,
            actor=actor,
            now=now,
            data={"device": str(device.public_id)},
        )
    return device


def parse_target_time(value: str, *, field: str) -> time:
    """`HH:MM` (or `HH:MM:00`). Raises InvalidPreferences."""
    match = _TIME.match(value or "")
    if not match:
        raise InvalidPreferences(field, f"{field} must be a time of day as HH:MM.")
    return time(int(match.group(1)), int(match.group(2)))


def _check_soc(value: int, *, field: str, low: int = MIN_TARGET_SOC) -> Decimal:
    if not low <= value <= MAX_TARGET_SOC:
        raise InvalidPreferences(field, f"{field} must be between {low} and {MAX_TARGET_SOC}.")
    return Decimal(value)


def set_vehicle_charge_preferences(
    *,
    device: models.Device,
    weekday_target_time: time,
    weekday_target_soc: int,
    weekend_target_time: time,
    weekend_target_soc: int,
    now: datetime,
    actor: accounts_models.User | None = None,
) -> models.Device:
    """Be charged to the target state of charge (%) by the target time, Monday–Friday and at weekends.
    Writes one schedule row per day; the minimum stays as it was unless above the new target.

    Raises InvalidPreferences for a target outside 10–100 %.
    """
    targets = {
        **{
            day: (weekday_target_time, _check_soc(weekday_target_soc, field="weekdayTargetSoc"))
            for day in WEEKDAYS
        },
        **{
            day: (weekend_target_time, _check_soc(weekend_target_soc, field="weekendTargetSoc"))
            for day in WEEKEND
        },
    }
    with transaction.atomic():
        device = _lock(device)
        preferences, _ = models.DevicePreferences.objects.get_or_create(
            device=device,
            defaults={"mode": models.PreferenceMode.CHARGE, "unit": models.PreferenceUnit.PERCENTAGE},
        )
        _write_schedules(preferences, targets)
        _audit(
            action="DEVICE_CHARGE_PREFERENCES_SET",
            obj=device,
            account_id=device.account_id,
            actor=actor,
            now=now,
            data={
                "weekdayTargetTime": weekday_target_time.isoformat(),
                "weekdayTargetSoc": weekday_target_soc,
                "weekendTargetTime": weekend_target_time.isoformat(),
                "weekendTargetSoc": weekend_target_soc,
            },
        )
    return device


def _write_schedules(preferences: models.DevicePreferences, targets: dict) -> None:
    existing = {s.day_of_week: s for s in preferences.schedules.all()}
    for day, (at, target) in targets.items():
        schedule = existing.get(day)
        if schedule is None:
            models.DevicePreferenceSchedule.objects.create(
                preferences=preferences, day_of_week=day, time=at, min_value=0, max_value=target
            )
            continue
        schedule.time = at
        schedule.max_value = target
        schedule.min_value = min(schedule.min_value, target)
        schedule.save(update_fields=["time", "max_value", "min_value"])


def set_battery_charging_preferences(
    *, device: models.Device, minimum_soc: int, now: datetime, actor: accounts_models.User | None = None
) -> models.Device:
    """Never discharge the battery below `minimum_soc` %: the minimum of every day's schedule.

    Raises InvalidPreferences for a minimum outside 0–100 % or above a day's maximum.
    """
    minimum = _check_soc(minimum_soc, field="minimumSocPercentage", low=0)
    with transaction.atomic():
        device = _lock(device)
        preferences, _ = models.DevicePreferences.objects.get_or_create(
            device=device,
            defaults={"mode": models.PreferenceMode.STORE, "unit": models.PreferenceUnit.PERCENTAGE},
        )
        existing = {s.day_of_week: s for s in preferences.schedules.all()}
        for day in models.DayOfWeek.values:
            schedule = existing.get(day)
            if schedule is None:
                models.DevicePreferenceSchedule.objects.create(
                    preferences=preferences,
                    day_of_week=day,
                    time=time(0, 0),
                    min_value=minimum,
                    max_value=Decimal(MAX_TARGET_SOC),
                )
            elif schedule.max_value < minimum:
                raise InvalidPreferences(
                    "minimumSocPercentage", f"The minimum is above the {day.lower()} maximum."
                )
            else:
                schedule.min_value = minimum
                schedule.save(update_fields=["min_value"])
        _audit(
            action="DEVICE_BATTERY_PREFERENCES_SET",
            obj=device,
            account_id=device.account_id,
            actor=actor,
            now=now,
            data={"minimumSocPercentage": minimum_soc},
        )
    return device


def boost_duration() -> timedelta:
    return timedelta(minutes=getattr(settings, "SMART_BOOST_CHARGE_MINUTES", 60))


def trigger_boost_charge(
    *, device: models.Device, now: datetime, actor: accounts_models.User | None = None
) -> models.Dispatch:
    """Charge now, outside the smart schedule, for the boost duration: a planned BOOST dispatch from
    `now`, its energy the device's maximum power over the window (0 when the power is unknown).
    A second call while a boost runs returns that boost.

    Raises BoostNotAvailable when the device does not charge a vehicle, is not live or its smart
    control is suspended.
    """
    with transaction.atomic():
        device = _lock(device)
        if (
            device.kind not in queries.CHARGING_KINDS
            or device.status != models.DeviceLifecycleStatus.LIVE
            or device.is_suspended
        ):
            raise BoostNotAvailable(str(device.public_id))
        running = queries.active_boost(device=device, now=now)
        if running is not None:
            return running
        duration = boost_duration()
        hours = Decimal(duration.total_seconds()) / Decimal(3600)
        boost = models.Dispatch.objects.create(
            device=device,
            start_at=now,
            end_at=now + duration,
            delta_kwh=(device.max_power_kw or Decimal(0)) * hours,
            status=models.DispatchStatus.PLANNED,
            source=models.DispatchSource.BOOST,
        )
        device.state = models.DeviceState.BOOSTING
        device.save(update_fields=["state"])
        _audit(
            action="DEVICE_BOOST_TRIGGERED",
            obj=device,
            account_id=device.account_id,
            actor=actor,
            now=now,
            data={"dispatch": boost.pk},
        )
    return boost


def cancel_boost_charge(
    *, device: models.Device, now: datetime, actor: accounts_models.User | None = None
) -> models.Device:
    """Stop a boost: the running or planned BOOST dispatch ends at `now` (one not yet started is
    cancelled) and the device returns to smart control. Without a boost nothing changes.

    Raises BoostNotCancellable when the device is not live.
    """
    with transaction.atomic():
        device = _lock(device)
        if device.status != models.DeviceLifecycleStatus.LIVE:
            raise BoostNotCancellable(str(device.public_id))
        boosts = list(
            models.Dispatch.objects.select_for_update().filter(
                device=device,
                source=models.DispatchSource.BOOST,
                status=models.DispatchStatus.PLANNED,
                end_at__gt=now,
            )
        )
        for boost in boosts:
            if boost.start_at < now:
                boost.end_at = now
                boost.status = models.DispatchStatus.COMPLETED
            else:
                boost.status = models.DispatchStatus.CANCELLED
            boost.save(update_fields=["end_at", "status"])
        if device.state == models.DeviceState.BOOSTING:
            device.state = models.DeviceState.SMART_CONTROL_CAPABLE
            device.save(update_fields=["state"])
        if boosts:
            _audit(
                action="DEVICE_BOOST_CANCELLED",
                obj=device,
                account_id=device.account_id,
                actor=actor,
                now=now,
                data={"dispatches": [b.pk for b in boosts]},
            )
    return device


def join_saving_sessions_campaign(
    *,
    account: accounts_models.Account,
    meter_point: metering_models.MeterPoint,
    now: datetime,
    actor: accounts_models.User | None = None,
) -> models.SavingSessionEnrolment:
    """Enrol the account in saving sessions with one of its electricity meter points. Joining again
    with the same meter point returns the enrolment.

    Raises AlreadyEnrolled when the account joined with another meter point.
    """
    with transaction.atomic():
        accounts_queries.lock_account(account_id=account.pk)
        enrolment = models.SavingSessionEnrolment.objects.filter(account=account).first()
        if enrolment is not None:
            if enrolment.meter_point_id != meter_point.pk:
                raise AlreadyEnrolled(account.number)
            return enrolment
        enrolment = models.SavingSessionEnrolment.objects.create(
            account=account, meter_point=meter_point, joined_at=now
        )
        _audit(
            action="SAVING_SESSIONS_JOINED",
            obj=enrolment,
            account_id=account.pk,
            actor=actor,
            now=now,
            data={"mpan": meter_point.identifier},
        )
    return enrolment


def join_saving_session_event(
    *,
    account: accounts_models.Account,
    event: models.SavingSessionEvent,
    now: datetime,
    actor: accounts_models.User | None = None,
) -> models.SavingSessionParticipation:
    """Opt the account into an event that has not started. Joining twice returns the first
    participation (a unique constraint holds this under concurrent calls too).

    Raises NotEnrolled, EventClosed.
    """
    with transaction.atomic():
        if not models.SavingSessionEnrolment.objects.filter(account=account).exists():
            raise NotEnrolled(account.number)
        existing = models.SavingSessionParticipation.objects.filter(event=event, account=account).first()
        if existing is not None:
            return existing
        if event.start_at <= now:
            raise EventClosed(event.code)
        participation, created = models.SavingSessionParticipation.objects.get_or_create(
            event=event, account=account, defaults={"joined_at": now}
        )
        if created:
            _audit(
                action="SAVING_SESSION_EVENT_JOINED",
                obj=participation,
                account_id=account.pk,
                actor=actor,
                now=now,
                data={"event": event.code},
            )
    return participation


# --- Saving session settlement ----------------------------------------------------------------------

BASELINE_DAYS = 10
BASELINE_LOOKBACK_DAYS = 20
MINIMUM_BASELINE_DAYS = 5


class EventNotOver(Exception):
    """A saving session is settled only once it has ended."""


def settle_saving_session(*, event: models.SavingSessionEvent, now: datetime) -> int:
    """Set the results of an ended event from the participants' half-hourly consumption, and pay
    their loyalty points, in one transaction; participations settled before are left alone, so
    settling again changes nothing. Returns how many participations were settled.

    For each participant (on the meter point it enrolled with): the baseline of each half hour of
    the event is the mean of the same wall-clock half hour on the 10 most recent earlier days of the
    same kind (weekday or weekend; other events' days left out) with data, within 20 days; its
    consumption is what the meter recorded. Points = kWh saved (baseline less consumption, not
    below zero) × the event's reward per kWh, rounded down. Without every half hour of the event,
    or with fewer than 5 baseline days, the result is MISSING_READINGS and no points are paid.

    Raises EventNotOver.
    """
    if event.end_at > now:
        raise EventNotOver(event.code)
    tz = ZoneInfo(settings.TIME_ZONE)
    with transaction.atomic():
        participations = list(
            models.SavingSessionParticipation.objects.select_for_update()
            .filter(event=event, results_set_at__isnull=True)
            .select_related("account")
            .order_by("id")
        )
        if not participations:
            return 0
        enrolments = dict(
            models.SavingSessionEnrolment.objects.filter(
                account_id__in=[p.account_id for p in participations]
            ).values_list("account_id", "meter_point_id")
        )
        users = accounts_queries.first_users(account_ids=list(enrolments))
        other_days = {
            start.astimezone(tz).date()
            for start in models.SavingSessionEvent.objects.exclude(pk=event.pk).values_list(
                "start_at", flat=True
            )
        }
        window = ranges.Period(event.start_at - timedelta(days=BASELINE_LOOKBACK_DAYS), event.end_at)
        series = metering_queries.half_hourly_consumption(
            meter_point_ids=set(enrolments.values()), period=window, recorded_by=now
        )
        for participation in participations:
            baseline, used = _baseline_and_use(
                series.get(enrolments.get(participation.account_id)), event, window, tz, other_days
            )
            participation.results_set_at = now
            if baseline is None:
                participation.result_status = models.SavingSessionResultStatus.MISSING_READINGS
                continue
            saved = max(baseline - used, Decimal(0))
            participation.baseline_kwh, participation.consumption_kwh = baseline, used
            participation.points_awarded = int(saved * event.reward_per_kwh_points)
            participation.result_status = (
                models.SavingSessionResultStatus.SUCCESS
                if saved > 0
                else models.SavingSessionResultStatus.FAIL
            )
            user = users.get(participation.account_id)
            if participation.points_awarded and user is not None:
                accounts_operations.award_loyalty_points(
                    user=user,
                    account=participation.account,
                    points=participation.points_awarded,
                    reason=accounts_models.LoyaltyPointReason.SAVING_SESSION_REWARD,
                    reference=f"saving-session-{event.code}-{participation.account_id}",
                    posted_at=now,
                )
        models.SavingSessionParticipation.objects.bulk_update(
            participations,
            ["results_set_at", "result_status", "baseline_kwh", "consumption_kwh", "points_awarded"],
        )
        accounts_operations.record_audit(
            action="SAVING_SESSION_SETTLED",
            obj=event,
            occurred_at=now,
            data={"participants": len(participations)},
        )
    return len(participations)


def _baseline_and_use(series, event, window: ranges.Period, tz, other_days) -> tuple[Decimal | None, Decimal]:
    """(baseline kWh, kWh used) over the event's half hours; baseline None without enough data."""
    if series is None:
        return None, Decimal(0)
    start = window.start.astimezone(UTC)

    def value(moment: datetime) -> int | None:
        index = int((moment.astimezone(UTC) - start) / metering_queries.HALF_HOUR)
        return series.values[index] if 0 <= index < len(series.values) else None

    halves = []
    moment = event.start_at.astimezone(UTC)
    while moment < event.end_at:
        halves.append(moment)
        moment += metering_queries.HALF_HOUR
    used = [value(moment) for moment in halves]
    if None in used:
        return None, Decimal(0)
    event_day = event.start_at.astimezone(tz)
    weekend = event_day.weekday() >= 5
    days = []
    for back in range(1, BASELINE_LOOKBACK_DAYS + 1):
        local = (event_day - timedelta(days=back)).date()
        if (local.weekday() >= 5) != weekend or local in other_days:
            continue
        values = [value(datetime.combine(local, half.astimezone(tz).time(), tzinfo=tz)) for half in halves]
        if None not in values:
            days.append(values)
        if len(days) == BASELINE_DAYS:
            break
    if len(days) < MINIMUM_BASELINE_DAYS:
        return None, Decimal(0)
    baseline = sum(Decimal(sum(day)) for day in days) / len(days) / 1000
    return baseline.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP), Decimal(sum(used)) / 1000
