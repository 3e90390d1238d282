"""Supply points (meter points), meters, registers and readings.

A meter point is identified in its market: MPAN (GB electricity), MPRN (GB gas), NMI (AU), or a
Japanese supply point number; `market` + `identifier` is unique.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now


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


class GspGroup(models.TextChoices):
    """The 14 GB grid supply point groups (electricity regions), keyed as Kraken keys them."""

    A = "_A", "Eastern England"
    B = "_B", "East Midlands"
    C = "_C", "London"
    D = "_D", "Merseyside and North Wales"
    E = "_E", "West Midlands"
    F = "_F", "North Eastern England"
    G = "_G", "North Western England"
    H = "_H", "Southern England"
    J = "_J", "South Eastern England"
    K = "_K", "South Wales"
    L = "_L", "South Western England"
    M = "_M", "Yorkshire"
    N = "_N", "South Scotland"
    P = "_P", "North Scotland"


# The distributor id (an MPAN's first two digits) of each region's main network operator.
GSP_GROUP_OF_DISTRIBUTOR = {
    "10": GspGroup.A,
    "11": GspGroup.B,
    "12": GspGroup.C,
    "13": GspGroup.D,
    "14": GspGroup.E,
    "15": GspGroup.F,
    "16": GspGroup.G,
    "17": GspGroup.P,
    "18": GspGroup.N,
    "19": GspGroup.J,
    "20": GspGroup.H,
    "21": GspGroup.K,
    "22": GspGroup.L,
    "23": GspGroup.M,
}


class MeterPoint(models.Model):
    property = models.ForeignKey("accounts.Property", on_delete=models.PROTECT, related_name="meter_points")
    utility_type = models.CharField(max_length=32, choices=UtilityType.choices)
    market = models.CharField(max_length=2, choices=Market.choices, default=Market.GB)
    identifier = models.CharField(max_length=32, help_text="MPAN, MPRN, NMI or supply point number")
    status = models.CharField(
        max_length=16, choices=MeterPointStatus.choices, default=MeterPointStatus.ON_SUPPLY
    )
    status_updated_at = models.DateTimeField(db_default=Now(), help_text="When the status was last set")
    supplier_mpid = models.CharField(
        max_length=4, blank=True, help_text="The market participant id of the supplier registered for it"
    )
    gsp_group_id = models.CharField(max_length=3, blank=True, help_text="GB electricity region, e.g. _A")
    ldz = models.CharField(
        max_length=2, blank=True, help_text="GB gas Local Distribution Zone, e.g. EA (its calorific value)"
    )
    profile_class = models.PositiveSmallIntegerField(null=True, blank=True)
    is_export = models.BooleanField(
        default=False, help_text="An export MPAN (generation sent to the grid), separate from the import one"
    )
    estimated_annual_consumption = models.PositiveIntegerField(
        null=True, blank=True, help_text="kWh a year the industry expects (EAC, or AQ for gas)"
    )
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
        # Found by its identifier alone, or the start of it, in the back office, whatever the market:
        # a pattern b-tree answers both `=` and a prefix LIKE under any collation.
        indexes = [
            models.Index(
                OpClass("identifier", name="varchar_pattern_ops"), name="meter_point_identifier_prefix"
            )
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
    is_prepay = models.BooleanField(default=False, help_text="Runs in prepayment mode")
    installed_from = models.DateTimeField()
    installed_to = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

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
    time_pattern_regime = models.CharField(
        max_length=5, blank=True, help_text="GB settlement time pattern regime (TPR), e.g. 00001"
    )
    estimated_annual_consumption = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="kWh a year the industry expects (EAC)",
    )
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

    # Reads by register (and period) use the unique key's index, which leads with the register:
    # a separate index on it, or on (register, read_at), would only slow every write.
    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="readings", db_index=False)
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


class SmartDeviceType(models.TextChoices):
    ESME = "ESME", "Electricity smart metering equipment"
    GSME = "GSME", "Gas smart metering equipment"
    CHF = "CHF", "Communications hub function"
    GPF = "GPF", "Gas proxy function"
    PPMID = "PPMID", "Pre-payment interface device"
    IHD = "IHD", "In-home display"
    CAD = "CAD", "Consumer access device"
    HCALCS = "HCALCS", "HAN-connected auxiliary load control switch"


class SmartDeviceStatus(models.TextChoices):
    PENDING = "PENDING"
    WHITELISTED = "WHITELISTED"
    INSTALLED_NOT_COMMISSIONED = "INSTALLED_NOT_COMMISSIONED"
    COMMISSIONED = "COMMISSIONED"
    DECOMMISSIONED = "DECOMMISSIONED"
    WITHDRAWN = "WITHDRAWN"
    SUSPENDED = "SUSPENDED"
    RECOVERY = "RECOVERY"
    RECOVERED = "RECOVERED"
    NOT_APPLICABLE = "NOT_APPLICABLE"


class SmartMeterDevice(models.Model):
    """A smart metering device on a meter, identified by its device id (GUID/EUI-64, e.g.
    00-11-22-33-44-55-66-77): the meter's own ESME or GSME, or a consumer access device or in-home
    display paired with it. Its id is what telemetry clients ask `smartMeterTelemetry` for."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="smart_devices")
    device_id = models.CharField(max_length=64, unique=True)
    device_type = models.CharField(
        max_length=8, choices=SmartDeviceType.choices, default=SmartDeviceType.ESME
    )
    status = models.CharField(
        max_length=32, choices=SmartDeviceStatus.choices, default=SmartDeviceStatus.COMMISSIONED
    )
    manufacturer = models.CharField(max_length=64, blank=True)
    model = models.CharField(max_length=64, blank=True)
    firmware_version = models.CharField(max_length=32, blank=True)
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


# --- Industry data: which grid supply point group serves a postcode (REST grid-supply-points) ------


class GridSupplyPointPostcode(models.Model):
    """A postcode area served by a GSP group: a full postcode, or an outward code (district) standing
    for every postcode in it. A district on a regional boundary has a row per group."""

    postcode = models.CharField(
        max_length=8,
        help_text="Upper case without spaces: a full postcode (SW1A1AA) or an outward code (SW1A)",
    )
    gsp_group_id = models.CharField(max_length=3, choices=GspGroup.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["postcode", "gsp_group_id"], name="one_row_per_postcode_group"),
            models.CheckConstraint(
                condition=Q(postcode__regex=r"^[A-Z0-9]{2,7}$"), name="gsp_postcode_normalised"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.postcode} {self.gsp_group_id}"
