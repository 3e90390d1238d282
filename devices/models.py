"""Smart devices the platform controls (EV chargers, batteries, heat pumps, thermostats, inverters),
their charging preferences, and the dispatches planned or completed for them."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q


class DeviceKind(models.TextChoices):
    ELECTRIC_VEHICLES = "ELECTRIC_VEHICLES"
    CHARGE_POINTS = "CHARGE_POINTS"
    BATTERIES = "BATTERIES"
    HEAT_PUMPS = "HEAT_PUMPS"
    THERMOSTATS = "THERMOSTATS"
    INVERTERS = "INVERTERS"
    STORAGE_HEATERS = "STORAGE_HEATERS"


class DeviceLifecycleStatus(models.TextChoices):
    ONBOARDING = "ONBOARDING"
    PENDING_LIVE = "PENDING_LIVE"
    LIVE = "LIVE"
    ONBOARDING_TEST_IN_PROGRESS = "ONBOARDING_TEST_IN_PROGRESS"
    FAILED_ONBOARDING_TEST = "FAILED_ONBOARDING_TEST"
    RETIRED = "RETIRED"


class DeviceState(models.TextChoices):
    AUTHENTICATION_PENDING = "AUTHENTICATION_PENDING"
    AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED"
    AUTHENTICATION_COMPLETE = "AUTHENTICATION_COMPLETE"
    TEST_CHARGE_IN_PROGRESS = "TEST_CHARGE_IN_PROGRESS"
    TEST_CHARGE_FAILED = "TEST_CHARGE_FAILED"
    TEST_CHARGE_NOT_AVAILABLE = "TEST_CHARGE_NOT_AVAILABLE"
    SETUP_COMPLETE = "SETUP_COMPLETE"
    SMART_CONTROL_CAPABLE = "SMART_CONTROL_CAPABLE"
    SMART_CONTROL_IN_PROGRESS = "SMART_CONTROL_IN_PROGRESS"
    BOOSTING = "BOOSTING"
    SMART_CONTROL_OFF = "SMART_CONTROL_OFF"
    SMART_CONTROL_NOT_AVAILABLE = "SMART_CONTROL_NOT_AVAILABLE"
    LOST_CONNECTION = "LOST_CONNECTION"
    RETIRED = "RETIRED"


class Provider(models.TextChoices):
    DAIKIN = "DAIKIN"
    ECOBEE = "ECOBEE"
    ENERGIZER = "ENERGIZER"
    ENPHASE = "ENPHASE"
    ENODE = "ENODE"
    FORD = "FORD"
    GIVENERGY = "GIVENERGY"
    HYPERVOLT = "HYPERVOLT"
    HUAWEI = "HUAWEI"
    INDRA = "INDRA"
    JEDLIX = "JEDLIX"
    MYENERGI = "MYENERGI"
    OCPP_WALLBOX = "OCPP_WALLBOX"
    OHME = "OHME"
    SENSI = "SENSI"
    SMARTCAR = "SMARTCAR"
    TESLA = "TESLA"
    SMART_PEAR = "SMART_PEAR"
    VP_AMAZON = "VP_AMAZON"
    VP_HONEYWELL_CC = "VP_HONEYWELL_CC"
    VP_HONEYWELL_RES = "VP_HONEYWELL_RES"
    VP_NEST = "VP_NEST"


class Device(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="devices")
    property = models.ForeignKey(
        "accounts.Property", on_delete=models.PROTECT, null=True, blank=True, related_name="devices"
    )
    kind = models.CharField(max_length=32, choices=DeviceKind.choices)
    provider = models.CharField(max_length=32, choices=Provider.choices)
    name = models.CharField(max_length=255, blank=True)
    vendor = models.CharField(max_length=128, help_text="Manufacturer, e.g. Tesla, myenergi")
    model = models.CharField(max_length=128)
    status = models.CharField(
        max_length=32, choices=DeviceLifecycleStatus.choices, default=DeviceLifecycleStatus.ONBOARDING
    )
    state = models.CharField(
        max_length=32, choices=DeviceState.choices, default=DeviceState.AUTHENTICATION_PENDING
    )
    is_suspended = models.BooleanField(default=False, help_text="Smart control suspended by the customer")
    battery_capacity_kwh = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_power_kw = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "kind"])]

    def __str__(self) -> str:
        return f"{self.vendor} {self.model} ({self.kind})"


class PreferenceMode(models.TextChoices):
    CHARGE = "CHARGE"
    HEAT = "HEAT"
    STORE = "STORE"


class PreferenceUnit(models.TextChoices):
    PERCENTAGE = "PERCENTAGE"
    KILOWATT_HOURS = "KILOWATT_HOURS"
    CELSIUS = "CELSIUS"


class DevicePreferences(models.Model):
    device = models.OneToOneField(Device, on_delete=models.CASCADE, related_name="preferences")
    mode = models.CharField(max_length=16, choices=PreferenceMode.choices, default=PreferenceMode.CHARGE)
    unit = models.CharField(max_length=16, choices=PreferenceUnit.choices, default=PreferenceUnit.PERCENTAGE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "device preferences"

    def __str__(self) -> str:
        return f"Preferences of {self.device}"


class DayOfWeek(models.TextChoices):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class DevicePreferenceSchedule(models.Model):
    """Per weekday: be at `max_value` (e.g. 80 %) by `time`, never below `min_value`."""

    preferences = models.ForeignKey(DevicePreferences, on_delete=models.CASCADE, related_name="schedules")
    day_of_week = models.CharField(max_length=9, choices=DayOfWeek.choices)
    time = models.TimeField()
    min_value = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    max_value = models.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["preferences", "day_of_week"], name="one_schedule_per_weekday"),
            models.CheckConstraint(condition=Q(max_value__gte=F("min_value")), name="schedule_max_above_min"),
        ]

    def __str__(self) -> str:
        return f"{self.day_of_week} {self.max_value} by {self.time:%H:%M}"


class DispatchStatus(models.TextChoices):
    PLANNED = "PLANNED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class DispatchSource(models.TextChoices):
    SMART = "SMART"
    BOOST = "BOOST"
    TEST = "TEST"
    BUMP = "BUMP"
    MANUAL = "MANUAL"


class Dispatch(models.Model):
    """A period `[start_at, end_at)` the platform runs a device, planned ahead or recorded after."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="dispatches")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    delta_kwh = models.DecimalField(
        max_digits=10, decimal_places=3, help_text="Energy moved; negative discharges"
    )
    status = models.CharField(max_length=16, choices=DispatchStatus.choices, default=DispatchStatus.PLANNED)
    source = models.CharField(max_length=16, choices=DispatchSource.choices, default=DispatchSource.SMART)
    location = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "dispatches"
        constraints = [
            models.CheckConstraint(condition=Q(end_at__gt=F("start_at")), name="dispatch_ends_after_start")
        ]
        indexes = [models.Index(fields=["device", "start_at"])]

    def __str__(self) -> str:
        return f"{self.status} {self.device} {self.start_at:%Y-%m-%d %H:%M}"


# --- Saving sessions: demand-flexibility events customers opt into for loyalty points ---------------


class SavingSessionEvent(models.Model):
    """An event asking customers to use less electricity during `[start_at, end_at)`; points are paid
    per kWh saved against the customer's baseline."""

    code = models.CharField(max_length=64, unique=True)
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    reward_per_kwh_points = models.PositiveIntegerField()
    is_dev_event = models.BooleanField(default=False, help_text="A test event, hidden unless asked for")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=F("start_at")), name="saving_session_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["start_at"])]

    def __str__(self) -> str:
        return f"{self.code} {self.start_at:%Y-%m-%d %H:%M}"


class SavingSessionEnrolment(models.Model):
    """An account joined the saving sessions campaign with one of its electricity meter points."""

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, related_name="saving_session_enrolment"
    )
    meter_point = models.ForeignKey("metering.MeterPoint", on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.account} in saving sessions with {self.meter_point}"


class SavingSessionResultStatus(models.TextChoices):
    NONE = "NONE"
    CALCULATING = "CALCULATING"
    UPCOMING = "UPCOMING"
    SUCCESS = "SUCCESS"
    PARTIAL_SUCCESS = "PARTIAL_SUCCESS"
    FAIL = "FAIL"
    MISSING_READINGS = "MISSING_READINGS"


class SavingSessionParticipation(models.Model):
    """An account opted into one event; the results are set once the event's readings are in."""

    event = models.ForeignKey(SavingSessionEvent, on_delete=models.PROTECT, related_name="participations")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="saving_session_participations"
    )
    joined_at = models.DateTimeField()
    result_status = models.CharField(
        max_length=16, choices=SavingSessionResultStatus.choices, default=SavingSessionResultStatus.UPCOMING
    )
    baseline_kwh = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    consumption_kwh = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    points_awarded = models.PositiveIntegerField(null=True, blank=True)
    results_set_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "account"], name="one_participation_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.account} in {self.event}"
