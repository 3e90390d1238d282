from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from accounts import admin_actions
from imports import models, operations


class ImportApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "supplier", "prefix", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("supplier",)
    list_filter = ("supplier", "revoked_at")
    search_fields = ("name", "prefix", "supplier__code")
    fields = ("supplier", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")

    class RevokeForm(forms.Form):
        def __init__(self, *args, queryset, **kwargs):
            super().__init__(*args, **kwargs)

    def revoke(self, request, queryset, form) -> str:
        count = operations.revoke_api_keys(api_keys=queryset, revoked_at=timezone.now())
        return f"Revoked {count} key(s)."

    actions = [
        admin_actions.confirmed_action(
            form_class=RevokeForm, description="Revoke selected keys", perform=revoke
        )
    ]

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "supplier", "name") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        api_key, raw_key = operations.create_api_key(supplier=obj.supplier, name=obj.name)
        obj.pk = api_key.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            f"New import API key for {api_key.supplier}: {raw_key} — copy it now, it is not shown again.",
            messages.WARNING,
        )

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(models.ImportApiKey, ImportApiKeyAdmin)


class ImportApiKeyInline(admin.TabularInline):
    model = models.ImportApiKey
    extra = 0
    fields = ("name", "prefix", "created_at", "revoked_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.ImportSupplier)
class ImportSupplierAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "territory",
        "migration_status",
        "skip_property_creation",
        "skip_supply_point_creation",
    )
    list_filter = ("territory", "migration_status")
    search_fields = ("code", "name")
    inlines = [ImportApiKeyInline]


@admin.register(models.ImportProcess)
class ImportProcessAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "supplier",
        "status",
        "is_dry_run",
        "total_count",
        "processed_count",
        "failed_count",
        "created_at",
        "finished_at",
    )
    list_select_related = ("supplier",)
    list_filter = ("status", "is_dry_run", "supplier", "created_at")
    readonly_fields = (
        "supplier",
        "status",
        "is_dry_run",
        "total_count",
        "processed_count",
        "failed_count",
        "errors",
        "created_at",
        "started_at",
        "finished_at",
    )

    def has_add_permission(self, request):
        return False


@admin.register(models.AccountImportProcess)
class AccountImportProcessAdmin(admin.ModelAdmin):
    list_display = ("external_account_number", "supplier", "status", "account", "created_at", "processed_at")
    list_select_related = ("supplier", "account")
    list_filter = ("status", "supplier", "created_at")
    search_fields = ("=external_account_number", "=account__number")
    readonly_fields = (
        "supplier",
        "external_account_number",
        "import_process",
        "status",
        "payload",
        "account",
        "latest_error",
        "created_at",
        "modified_at",
        "processed_at",
    )

    def has_add_permission(self, request):
        return False
