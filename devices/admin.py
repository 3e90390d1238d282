from django.contrib import admin

from devices import models


class DevicePreferencesInline(admin.StackedInline):
    model = models.DevicePreferences
    extra = 0
    show_change_link = True


class DispatchInline(admin.TabularInline):
    model = models.Dispatch
    extra = 0
    fields = ("start_at", "end_at", "delta_kwh", "status", "source")
    ordering = ("-start_at",)
    show_change_link = True


class DevicePreferenceScheduleInline(admin.TabularInline):
    model = models.DevicePreferenceSchedule
    extra = 0


@admin.register(models.Device)
class DeviceAdmin(admin.ModelAdmin):
    ordering = ("-created_at", "-id")
    list_display = (
        "public_id",
        "account",
        "kind",
        "provider",
        "vendor",
        "model",
        "status",
        "state",
        "is_suspended",
    )
    list_select_related = ("account",)
    list_filter = ("kind", "status", "state", "provider", "is_suspended")
    search_fields = ("=account__number", "vendor", "model", "=public_id")
    autocomplete_fields = ("account", "property")
    readonly_fields = ("public_id", "created_at")
    inlines = [DevicePreferencesInline, DispatchInline]


@admin.register(models.DevicePreferences)
class DevicePreferencesAdmin(admin.ModelAdmin):
    list_display = ("device", "mode", "unit", "updated_at")
    list_select_related = ("device",)
    autocomplete_fields = ("device",)
    inlines = [DevicePreferenceScheduleInline]


@admin.register(models.Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ("device", "account_number", "start_at", "end_at", "delta_kwh", "status", "source")
    list_select_related = ("device__account",)
    list_filter = ("status", "source", "start_at")
    search_fields = ("=device__account__number", "=device__public_id")
    autocomplete_fields = ("device",)
    date_hierarchy = "start_at"

    @admin.display(description="Account", ordering="device__account__number")
    def account_number(self, dispatch: models.Dispatch) -> str:
        return dispatch.device.account.number


class SavingSessionParticipationInline(admin.TabularInline):
    model = models.SavingSessionParticipation
    extra = 0
    autocomplete_fields = ("account",)
    fields = ("account", "joined_at", "result_status", "points_awarded", "results_set_at")


@admin.register(models.SavingSessionEvent)
class SavingSessionEventAdmin(admin.ModelAdmin):
    list_display = ("code", "start_at", "end_at", "reward_per_kwh_points", "is_dev_event")
    list_filter = ("is_dev_event", "start_at")
    search_fields = ("=code",)
    date_hierarchy = "start_at"
    inlines = [SavingSessionParticipationInline]


@admin.register(models.SavingSessionEnrolment)
class SavingSessionEnrolmentAdmin(admin.ModelAdmin):
    list_display = ("account", "meter_point", "joined_at")
    list_select_related = ("account", "meter_point")
    search_fields = ("=account__number", "=meter_point__identifier")
    autocomplete_fields = ("account", "meter_point")


@admin.register(models.DeviceVariant)
class DeviceVariantAdmin(admin.ModelAdmin):
    list_display = ("variant_id", "kind", "make", "model", "power_kw", "is_integration_live", "is_deprecated")
    list_filter = ("kind", "is_integration_live", "is_deprecated", "make")
    search_fields = ("make", "model", "=variant_id")
    ordering = ("kind", "make", "model")


class HeatPumpZoneInline(admin.TabularInline):
    model = models.HeatPumpZone
    extra = 0
    fields = ("zone", "zone_type", "display_name", "is_enabled", "mode", "setpoint_celsius", "reported_at")


class HeatPumpSensorInline(admin.TabularInline):
    model = models.HeatPumpSensor
    extra = 0
    fields = (
        "code",
        "sensor_type",
        "zone",
        "display_name",
        "is_online",
        "temperature_celsius",
        "reported_at",
    )


@admin.register(models.HeatPumpController)
class HeatPumpControllerAdmin(admin.ModelAdmin):
    list_display = ("euid", "device", "is_connected", "reported_at")
    list_select_related = ("device",)
    list_filter = ("is_connected",)
    search_fields = ("=euid", "=device__account__number")
    autocomplete_fields = ("device",)
    inlines = [HeatPumpZoneInline, HeatPumpSensorInline]
