"""Smart devices the platform controls (EV chargers, batteries, heat pumps, thermostats, inverters),
their charging preferences, and the dispatches planned or completed for them."""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
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
    variant = models.ForeignKey(
        "DeviceVariant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        help_text="The catalogue entry of this make and model, when known",
    )
    charge_point_variant = models.ForeignKey(
        "DeviceVariant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="A vehicle's home charge point as the customer registered it (catalogue entry)",
    )
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


# --- Device catalogue: the makes and models the platform can integrate -------------------------------


class CouplingType(models.TextChoices):
    AC = "AC"
    DC = "DC"


class DeviceVariant(models.Model):
    """One make and model (and variant) of vehicle, charge point, heat pump or battery in the
    catalogue customers choose from when they register a device. `variant_id` is the catalogue
    number clients send back; it is assigned by operations, not derived from the primary key."""

    variant_id = models.PositiveIntegerField(unique=True)
    kind = models.CharField(max_length=32, choices=DeviceKind.choices)
    make = models.CharField(max_length=128)
    model = models.CharField(max_length=128)
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Model year (vehicles)")
    available_from_year = models.PositiveSmallIntegerField(null=True, blank=True)
    available_to_year = models.PositiveSmallIntegerField(null=True, blank=True)
    battery_capacity_kwh = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    power_kw = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, help_text="Charging, heating or maximum power"
    )
    amperage = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Charge points")
    coupling_type = models.CharField(max_length=2, choices=CouplingType.choices, blank=True)
    supported_providers = ArrayField(
        models.CharField(max_length=32, choices=Provider.choices), default=list, blank=True
    )
    is_integration_live = models.BooleanField(default=False)
    is_deprecated = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(available_to_year__isnull=True)
                | Q(available_from_year__isnull=True)
                | Q(available_to_year__gte=F("available_from_year")),
                name="variant_available_to_after_from",
            ),
        ]
        indexes = [models.Index(fields=["kind", "make"])]

    def __str__(self) -> str:
        return f"{self.make} {self.model} ({self.kind} #{self.variant_id})"


# --- Heat pump controllers: the controller's last reported state, per zone and sensor ----------------


class ControllerState(models.TextChoices):
    NORMAL_MODE = "NORMAL_MODE"
    EMERGENCY_MODE = "EMERGENCY_MODE"
    FAULT_MODE = "FAULT_MODE"
    BLE_MODE = "BLE_MODE"
    AP_MODE = "AP_MODE"
    SETUP = "SETUP"
    FACTORY_RESTORE = "FACTORY_RESTORE"


class HeatPumpController(models.Model):
    """A heat pump controller (identified by its EUI) driving one heat pump device, with the state
    it last reported at `reported_at`. Fields the controller has not reported stay null."""

    euid = models.CharField(max_length=23, unique=True, help_text="EUI-64, e.g. 00:1e:5e:09:02:aa:bb:cc")
    device = models.OneToOneField(Device, on_delete=models.CASCADE, related_name="heat_pump_controller")
    firmware_esp32 = models.CharField(max_length=32, blank=True)
    firmware_efr32 = models.CharField(max_length=32, blank=True)
    states = ArrayField(
        models.CharField(max_length=16, choices=ControllerState.choices), default=list, blank=True
    )
    heat_pump_timezone = models.CharField(max_length=64, blank=True)
    is_connected = models.BooleanField(null=True, blank=True)
    last_reset_at = models.DateTimeField(null=True, blank=True)
    heat_pump_serial_number = models.CharField(max_length=64, blank=True)
    heat_pump_hardware_version = models.CharField(max_length=32, blank=True)
    fault_codes = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    manifold_enabled = models.BooleanField(null=True, blank=True)
    has_heat_pump_compatible_cylinder = models.BooleanField(null=True, blank=True)
    min_water_setpoint_celsius = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    max_water_setpoint_celsius = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    climate_control_enabled = models.BooleanField(null=True, blank=True)
    target_climate_control_celsius = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True
    )
    current_climate_control_celsius = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True
    )
    water_heating_enabled = models.BooleanField(null=True, blank=True)
    current_water_celsius = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Controller {self.euid} of {self.device}"


class Zone(models.TextChoices):
    WATER = "WATER"
    ZONE_1 = "ZONE_1"
    ZONE_2 = "ZONE_2"
    AUXILIARY = "AUXILIARY"


class ZoneType(models.TextChoices):
    HEAT = "HEAT"
    WATER = "WATER"
    AUX = "AUX"
    EXT = "EXT"
    DIV = "DIV"


class ZoneMode(models.TextChoices):
    ON = "ON"
    OFF = "OFF"
    AUTO = "AUTO"
    BOOST = "BOOST"


class HeatPumpZone(models.Model):
    """A heating or hot-water zone of a controller and its last reported telemetry."""

    controller = models.ForeignKey(HeatPumpController, on_delete=models.CASCADE, related_name="zones")
    zone = models.CharField(max_length=16, choices=Zone.choices)
    zone_type = models.CharField(max_length=8, choices=ZoneType.choices)
    display_name = models.CharField(max_length=64, blank=True)
    is_enabled = models.BooleanField(default=True)
    primary_sensor = models.CharField(max_length=32, blank=True, help_text="Code of the zone's main sensor")
    mode = models.CharField(max_length=8, choices=ZoneMode.choices, blank=True)
    setpoint_celsius = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    relay_switched_on = models.BooleanField(null=True, blank=True)
    heat_demand = models.BooleanField(null=True, blank=True)
    call_for_heat = models.BooleanField(null=True, blank=True)
    emergency = models.BooleanField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["controller", "zone"], name="one_row_per_controller_zone")
        ]

    def __str__(self) -> str:
        return f"{self.zone} of {self.controller.euid}"


class SensorKind(models.TextChoices):
    ZIGBEE = "ZIGBEE"
    NTC = "NTC"
    TSTAT = "TSTAT"


class HeatPumpSensor(models.Model):
    """A sensor paired with a controller (wired NTC/thermostat inputs, or Zigbee) and its last
    reported readings."""

    controller = models.ForeignKey(HeatPumpController, on_delete=models.CASCADE, related_name="sensors")
    zone = models.ForeignKey(
        HeatPumpZone, on_delete=models.SET_NULL, null=True, blank=True, related_name="sensors"
    )
    code = models.CharField(max_length=32, help_text="e.g. SENSOR01, ADC1")
    sensor_type = models.CharField(max_length=8, choices=SensorKind.choices)
    display_name = models.CharField(max_length=64, blank=True)
    is_enabled = models.BooleanField(default=True)
    zigbee_id = models.CharField(max_length=32, blank=True)
    firmware_version = models.CharField(max_length=32, blank=True)
    boost_enabled = models.BooleanField(null=True, blank=True)
    is_online = models.BooleanField(null=True, blank=True)
    temperature_celsius = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    humidity_percentage = models.PositiveSmallIntegerField(null=True, blank=True)
    rssi = models.SmallIntegerField(null=True, blank=True)
    voltage = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["controller", "code"], name="one_row_per_controller_sensor")
        ]

    def __str__(self) -> str:
        return f"{self.code} of {self.controller.euid}"
