from django.contrib import admin

from kernel import admin as kernel_admin
from metering import models


class MeterInline(admin.TabularInline):
    model = models.Meter
    extra = 0
    fields = ("serial_number", "meter_type", "is_smart", "installed_from", "installed_to")
    show_change_link = True


class RegisterInline(admin.TabularInline):
    model = models.Register
    extra = 0


@admin.register(models.MeterPoint)
class MeterPointAdmin(admin.ModelAdmin):
    ordering = ("identifier",)
    list_display = (
        "identifier",
        "utility_type",
        "market",
        "status",
        "account_number",
        "gsp_group_id",
        "supply_from",
    )
    list_select_related = ("property__account",)
    list_filter = ("utility_type", "market", "status", "gsp_group_id")
    search_fields = ("=identifier", "=property__account__number", "property__address__postcode")
    autocomplete_fields = ("property",)
    inlines = [MeterInline]

    @admin.display(description="Account", ordering="property__account__number")
    def account_number(self, meter_point: models.MeterPoint) -> str:
        return meter_point.property.account.number


@admin.register(models.Meter)
class MeterAdmin(admin.ModelAdmin):
    ordering = ("serial_number",)
    list_display = (
        "serial_number",
        "meter_point",
        "meter_type",
        "is_smart",
        "installed_from",
        "installed_to",
    )
    list_select_related = ("meter_point",)
    list_filter = ("is_smart", "meter_type")
    search_fields = ("=serial_number", "=meter_point__identifier")
    autocomplete_fields = ("meter_point",)
    inlines = [RegisterInline]


@admin.register(models.Register)
class RegisterAdmin(admin.ModelAdmin):
    ordering = ("meter", "identifier")
    list_display = ("meter", "identifier", "rate_band", "unit", "digits", "multiplier")
    list_select_related = ("meter",)
    search_fields = ("=meter__serial_number", "=meter__meter_point__identifier")
    autocomplete_fields = ("meter",)


@admin.register(models.Reading)
class ReadingAdmin(admin.ModelAdmin):
    list_display = ("read_at", "meter_point_identifier", "register", "value", "source", "quality")
    list_select_related = ("register__meter__meter_point",)
    list_filter = ("source", "quality", "read_at")
    search_fields = ("=register__meter__meter_point__identifier", "=register__meter__serial_number")
    autocomplete_fields = ("register",)
    ordering = ("-read_at", "-id")
    show_full_result_count = False

    @admin.display(description="Meter point", ordering="register__meter__meter_point__identifier")
    def meter_point_identifier(self, reading: models.Reading) -> str:
        return reading.register.meter.meter_point.identifier


@admin.register(models.SmartMeterDevice)
class SmartMeterDeviceAdmin(admin.ModelAdmin):
    ordering = ("device_id",)
    list_display = ("device_id", "meter", "paired_at")
    list_select_related = ("meter",)
    search_fields = ("=device_id", "=meter__serial_number")
    autocomplete_fields = ("meter",)


@admin.register(models.TelemetryReading)
class TelemetryReadingAdmin(admin.ModelAdmin):
    list_display = ("read_at", "device", "consumption_kwh", "demand_w")
    list_select_related = ("device",)
    search_fields = ("=device__device_id",)
    autocomplete_fields = ("device",)
    date_hierarchy = "read_at"


@admin.register(models.SmartDeviceRegistration)
class SmartDeviceRegistrationAdmin(kernel_admin.ReadOnlyAdmin):
    """Registrations come from installers through the API (registerSmartDevice); read them here."""

    list_display = ("request_reference", "device_id", "device_type", "supplier_mpid", "registered_at")
    list_filter = ("device_type", "registered_at")
    search_fields = ("=request_reference", "=device_id", "=serial_number")
    exclude = ("install_code",)
