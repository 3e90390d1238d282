import csv

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from imports import models, operations, tasks
from kernel import admin as kernel_admin
from kernel import clock


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
        count = operations.revoke_api_keys(api_keys=queryset, revoked_at=clock.now())
        return f"Revoked {count} key(s)."

    actions = [
        kernel_admin.confirmed_action(
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
        "progress",
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
        "error_report",
        "error_table",
        "created_at",
        "started_at",
        "finished_at",
    )
    exclude = ("errors",)
    actions = ["retry_failed_imports"]

    @admin.action(description="Retry the failed accounts of the selected imports")
    def retry_failed_imports(self, request, queryset):
        requeued = operations.retry_batches(batch_ids=_ids(queryset), now=clock.now())
        self.message_user(request, _queued_again(requeued))

    @admin.display(description="progress")
    def progress(self, obj) -> str:
        done = obj.processed_count + obj.failed_count
        return f"{done}/{obj.total_count} ({100 * done // max(obj.total_count, 1)} %)"

    @admin.display(description="error report")
    def error_report(self, obj) -> str:
        if not obj.pk or not obj.errors:
            return "No errors"
        url = reverse("admin:imports_importprocess_errors", args=[obj.pk])
        return format_html('<a href="{}">Download {} error(s) as CSV</a>', url, len(obj.errors))

    @admin.display(description="errors (first 100)")
    def error_table(self, obj) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (e.get("external_account_number", ""), e.get("code", ""), e.get("detail", ""))
                for e in obj.errors[:100]
            ),
        )
        return format_html("<table><tr><th>account</th><th>code</th><th>detail</th></tr>{}</table>", rows)

    def get_urls(self):
        custom = [
            path(
                "<int:pk>/errors.csv",
                self.admin_site.admin_view(self.download_errors),
                name="imports_importprocess_errors",
            )
        ]
        return custom + super().get_urls()

    def download_errors(self, request, pk):
        batch = get_object_or_404(models.ImportProcess, pk=pk)
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="import-{pk}-errors.csv"'
        writer = csv.writer(response)
        writer.writerow(["external_account_number", "code", "detail", "domain"])
        for error in batch.errors:
            writer.writerow(
                [error.get(k, "") for k in ("external_account_number", "code", "detail", "domain")]
            )
        return response

    def has_add_permission(self, request):
        return False


@admin.register(models.AccountImportProcess)
class AccountImportProcessAdmin(admin.ModelAdmin):
    list_display = (
        "external_account_number",
        "supplier",
        "status",
        "error_code",
        "account",
        "claimed_by",
        "lease_until",
        "attempts",
        "created_at",
        "processed_at",
    )
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
        "latest_event",
        "task_params",
        "claimed_by",
        "lease_until",
        "attempts",
        "created_at",
        "modified_at",
        "processed_at",
    )
    actions = ["retry_imports"]

    @admin.display(description="error")
    def error_code(self, obj) -> str:
        return (obj.latest_error or {}).get("code", "")

    @admin.action(description="Retry the selected failed imports")
    def retry_imports(self, request, queryset):
        requeued = operations.retry_imports(process_ids=_ids(queryset), now=clock.now())
        self.message_user(request, _queued_again(requeued))

    def has_add_permission(self, request):
        return False


def _ids(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _queued_again(requeued: operations.Requeued) -> str:
    """Enqueue the retried imports once their rows are committed; say how many."""
    transaction.on_commit(lambda: tasks.enqueue(requeued))
    return f"Queued {requeued.count} failed import(s) again."


@admin.register(models.ImportConfiguration)
class ImportConfigurationAdmin(admin.ModelAdmin):
    """The instance's one configuration row: the list page opens it; no adding a second one, no
    deleting it. JSON settings are checked for shape (`ImportConfiguration.clean`) before saving."""

    fieldsets = (
        (
            "Accounts and customers",
            {
                "fields": (
                    "operations_teams",
                    "campaigns",
                    "reference_namespaces",
                    "customer_detail_namespaces",
                    "unique_customer_detail_namespaces",
                    "required_customer_detail_namespaces",
                    "business_detail_keys",
                    "exclusive_user_roles",
                    "internal_email_addresses",
                    "characteristics",
                    "affiliate_organisations",
                    "managed_accounts_allowed",
                    "consents_enabled",
                    "consent_types",
                )
            },
        ),
        (
            "Supply and priority services",
            {"fields": ("market_participants", "psr_elec_codes", "psr_gas_codes", "psr_descriptions")},
        ),
        (
            "Payments, debt and ledgers",
            {
                "fields": (
                    "ledger_codes",
                    "dunning_paths",
                    "debt_collection_agencies",
                    "cais_references_supported",
                    "payment_plan_strategies",
                    "standalone_payment_request_methods",
                    "incomplete_payments_enabled",
                    "billing_document_identifiers_enabled",
                    "max_active_deposits",
                    "payment_day_range",
                    "fixed_payment_amount_range",
                    "contribution_schemes",
                )
            },
        ),
        (
            "Complaints, documents and partner organisations",
            {
                "fields": (
                    "complaint_types",
                    "official_complaint_organisations",
                    "complaint_sources",
                    "file_store_paths",
                    "file_store_validation_enabled",
                    "partner_organisations",
                )
            },
        ),
        (None, {"fields": ("modified_at",)}),
    )
    readonly_fields = ("modified_at",)

    def changelist_view(self, request, extra_context=None):
        row = models.ImportConfiguration.objects.filter(pk=models.ImportConfiguration.SINGLETON_ID).first()
        if row is None:
            return redirect("admin:imports_importconfiguration_add")
        return redirect("admin:imports_importconfiguration_change", row.pk)

    def has_add_permission(self, request):
        exists = models.ImportConfiguration.objects.filter(
            pk=models.ImportConfiguration.SINGLETON_ID
        ).exists()
        return super().has_add_permission(request) and not exists

    def has_delete_permission(self, request, obj=None):
        return False
