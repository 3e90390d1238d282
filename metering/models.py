"""Supply points (meter points), meters, registers and readings.

A meter point is identified in its market: MPAN (GB electricity), MPRN (GB gas), NMI (AU), or a
Japanese supply point number; `market` + `identifier` is unique.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class UtilityType(models.TextChoices):
    ELECTRICITY = "ELECTRICITY"
    EMBEDDED_ELECTRICITY = "EMBEDDED_ELECTRICITY"
    GAS = "GAS"


class Market(models.TextChoices):
    GB = "GB", "Great Britain (MPAN / MPRN)"
    AU = "AU", "Australia (NMI)"
    JP = "JP", "Japan (supply point number)"


class MeterPointStatus(models.TextChoices):
    PENDING = "PENDING"
    ON_SUPPLY = "ON_SUPPLY"
    LOSS = "LOSS"
    OFF_SUPPLY = "OFF_SUPPLY"


class MeterPoint(models.Model):
    property = models.ForeignKey("accounts.Property", on_delete=models.PROTECT, related_name="meter_points")
    utility_type = models.CharField(max_length=32, choices=UtilityType.choices)
    market = models.CharField(max_length=2, choices=Market.choices, default=Market.GB)
    identifier = models.CharField(max_length=32, help_text="MPAN, MPRN, NMI or supply point number")
    status = models.CharField(
        max_length=16, choices=MeterPointStatus.choices, default=MeterPointStatus.ON_SUPPLY
    )
    gsp_group_id = models.CharField(max_length=3, blank=True, help_text="GB electricity region, e.g. _A")
    ldz = models.CharField(
        max_length=2, blank=True, help_text="GB gas Local Distribution Zone, e.g. EA (its calorific value)"
    )
    profile_class = models.PositiveSmallIntegerField(null=True, blank=True)
    supply_from = models.DateTimeField()
    supply_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["market", "identifier"], name="unique_market_identifier"),
            models.CheckConstraint(
                condition=~Q(market="GB", utility_type="ELECTRICITY") | Q(identifier__regex=r"^[0-9]{13}$"),
                name="gb_mpan_has_13_digits",
            ),
            models.CheckConstraint(
                condition=~Q(market="GB", utility_type="GAS") | Q(identifier__regex=r"^[0-9]{6,10}$"),
                name="gb_mprn_has_6_to_10_digits",
            ),
            models.CheckConstraint(
                condition=~Q(market="AU") | Q(identifier__regex=r"^[0-9A-HJ-NP-Z]{10}$"),
                name="au_nmi_has_10_characters",
            ),
            models.CheckConstraint(
                condition=Q(supply_to__isnull=True) | Q(supply_to__gte=F("supply_from")),
                name="meter_point_supply_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} ({self.utility_type})"


class Meter(models.Model):
    meter_point = models.ForeignKey(MeterPoint, on_delete=models.PROTECT, related_name="meters")
    serial_number = models.CharField(max_length=64)
    meter_type = models.CharField(
        max_length=16, blank=True, help_text="ElectricityMeterMeterType or gas mechanism code, e.g. S2A"
    )
    is_smart = models.BooleanField(default=False)
    installed_from = models.DateTimeField()
    installed_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meter_point", "serial_number"], name="unique_meter_serial"),
            models.CheckConstraint(
                condition=Q(installed_to__isnull=True) | Q(installed_to__gte=F("installed_from")),
                name="meter_installation_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.serial_number


class RegisterUnit(models.TextChoices):
    KWH = "KWH", "kWh"
    CUBIC_METRES = "M3", "m³"
    HUNDREDS_OF_CUBIC_FEET = "HCF", "hundreds of cubic feet"


class Register(models.Model):
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="registers")
    identifier = models.CharField(max_length=16, help_text="Register id on the meter, e.g. 1 or DAY")
    rate_band = models.CharField(
        max_length=32,
        default="STANDARD",
        help_text="Tariff band the register records, e.g. STANDARD, DAY, NIGHT",
    )
    unit = models.CharField(max_length=8, choices=RegisterUnit.choices, default=RegisterUnit.KWH)
    digits = models.PositiveSmallIntegerField(default=5)
    multiplier = models.DecimalField(max_digits=9, decimal_places=4, default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meter", "identifier"], name="unique_register_on_meter")
        ]

    def __str__(self) -> str:
        return f"{self.meter} register {self.identifier}"


class ReadingSource(models.TextChoices):
    CUSTOMER = "CUSTOMER"
    SMART = "SMART"
    METER_READER = "METER_READER"
    INDUSTRY = "INDUSTRY"
    IMPORT = "IMPORT"
    ESTIMATED = "ESTIMATED"


class ReadingQuality(models.TextChoices):
    ACTUAL = "ACTUAL"
    ESTIMATE = "ESTIMATE"
    COMBINED = "COMBINED"


class Reading(models.Model):
    """A cumulative register reading at an instant."""

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="readings")
    read_at = models.DateTimeField()
    value = models.DecimalField(max_digits=14, decimal_places=3)
    source = models.CharField(max_length=16, choices=ReadingSource.choices)
    quality = models.CharField(max_length=16, choices=ReadingQuality.choices, default=ReadingQuality.ACTUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["register", "read_at", "source"], name="one_reading_per_source"),
            models.CheckConstraint(condition=Q(value__gte=0), name="reading_not_negative"),
        ]
        indexes = [models.Index(fields=["register", "read_at"])]

    def __str__(self) -> str:
        return f"{self.register}: {self.value} at {self.read_at:%Y-%m-%d %H:%M}"


class IntervalQuality(models.TextChoices):
    ACTUAL = "ACTUAL"
    ESTIMATE = "ESTIMATE"


class IntervalReading(models.Model):
    """What one meter recorded over one half hour `[interval_start, interval_start + 30 min)`:
    smart-meter interval data, in the unit of the meter's registers (kWh, or m³ for most smart gas
    meters). A half hour without a row is missing, never zero.

    The table holds a national estate (tens of millions of meters × 17,520 half hours a year), so
    it is partitioned by calendar month (UTC) of `interval_start` (migration 0004 creates it with
    SQL; `operations.ensure_interval_partitions` adds months), keyed by (meter, interval_start) —
    the b-tree every read by meter and period uses — with a BRIN index on `interval_start` for
    estate-wide scans by time.
    """

    pk = models.CompositePrimaryKey("meter", "interval_start")
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="interval_readings")
    interval_start = models.DateTimeField()
    consumption = models.DecimalField(max_digits=12, decimal_places=3)
    unit = models.CharField(max_length=8, choices=RegisterUnit.choices, default=RegisterUnit.KWH)
    quality = models.CharField(max_length=16, choices=IntervalQuality.choices, default=IntervalQuality.ACTUAL)
    source = models.CharField(max_length=16, choices=ReadingSource.choices, default=ReadingSource.SMART)
    recorded_at = models.DateTimeField()

    class Meta:
        db_table = "metering_interval_reading"

    def __str__(self) -> str:
        return f"{self.meter_id} {self.interval_start:%Y-%m-%d %H:%M}: {self.consumption} {self.unit}"


# --- Smart meter telemetry (GraphQL smartMeterTelemetry) -------------------------------------------


class SmartMeterDevice(models.Model):
    """A consumer access device or in-home display paired with a smart meter, identified by its
    device id (GUID/EUI-64, e.g. 00-11-22-33-44-55-66-77); it reports near-real-time telemetry."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="smart_devices")
    device_id = models.CharField(max_length=64, unique=True)
    paired_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.device_id


class TelemetryReading(models.Model):
    """One telemetry sample: the cumulative import register (kWh) and instantaneous demand (W)."""

    device = models.ForeignKey(SmartMeterDevice, on_delete=models.CASCADE, related_name="telemetry")
    read_at = models.DateTimeField()
    consumption_kwh = models.DecimalField(max_digits=14, decimal_places=3)
    demand_w = models.DecimalField(max_digits=10, decimal_places=1, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "read_at"], name="one_telemetry_sample_per_instant"),
            models.CheckConstraint(condition=Q(consumption_kwh__gte=0), name="telemetry_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.device} {self.consumption_kwh} kWh at {self.read_at:%Y-%m-%d %H:%M:%S}"


# --- Smart metering device registrations (GraphQL registerSmartDevice) -------------------------------


class SmartDeviceType(models.TextChoices):
    ESME = "ESME", "Electricity smart metering equipment"
    GSME = "GSME", "Gas smart metering equipment"
    CHF = "CHF", "Communications hub function"
    GPF = "GPF", "Gas proxy function"
    PPMID = "PPMID", "Pre-payment interface device"
    IHD = "IHD", "In-home display"
    CAD = "CAD", "Consumer access device"
    HCALCS = "HCALCS", "HAN-connected auxiliary load control switch"


class SmartDeviceRegistration(models.Model):
    """A request to add a smart metering device to the smart metering inventory before it is
    installed (the supplier's pre-notification). One row per device id; registering the same device
    again with the same details returns the same request reference."""

    request_reference = models.CharField(max_length=32, unique=True)
    device_id = models.CharField(max_length=23, unique=True, help_text="EUI-64, e.g. 00-11-22-33-44-55-66-77")
    device_type = models.CharField(max_length=8, choices=SmartDeviceType.choices)
    device_manufacturer = models.CharField(max_length=64)
    device_model = models.CharField(max_length=64)
    supplier_mpid = models.CharField(max_length=4, help_text="Market participant id of the supplier")
    map_mpid = models.CharField(max_length=4, blank=True, help_text="Meter asset provider's MPID")
    smets_chts_version = models.CharField(max_length=16, blank=True)
    install_code = models.CharField(max_length=64, help_text="Joins the device to the home area network")
    esme_variant = models.CharField(max_length=8, blank=True)
    serial_number = models.CharField(max_length=64, blank=True)
    firmware_version = models.CharField(max_length=32, blank=True)
    registered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.device_type} {self.device_id} ({self.request_reference})"
