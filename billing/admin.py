from django.contrib import admin

from accounts import money
from billing import models


class TariffRateInline(admin.TabularInline):
    model = models.TariffRate
    extra = 0


class TariffInline(admin.TabularInline):
    model = models.Tariff
    extra = 0
    fields = ("code", "utility_type", "region", "currency", "standing_charge")
    show_change_link = True


@admin.register(models.Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "display_name",
        "direction",
        "is_variable",
        "tax_rate",
        "available_from",
        "available_to",
    )
    list_filter = ("direction", "is_variable", "is_green", "brand")
    search_fields = ("code", "display_name")
    inlines = [TariffInline]


@admin.register(models.Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ("code", "product", "utility_type", "region", "currency", "standing_charge")
    list_select_related = ("product",)
    list_filter = ("utility_type", "region", "currency", "product")
    search_fields = ("code", "product__code")
    inlines = [TariffRateInline]


@admin.register(models.Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("account", "meter_point", "tariff", "active_from", "active_to")
    list_select_related = ("account", "meter_point", "tariff")
    list_filter = ("tariff", "tariff__utility_type", "active_from")
    search_fields = ("=account__number", "=meter_point__identifier", "tariff__code")
    raw_id_fields = ("account", "meter_point")
    date_hierarchy = "active_from"


class AgreementInline(admin.TabularInline):
    model = models.Agreement
    extra = 0
    fields = ("meter_point", "tariff", "active_from", "active_to")
    raw_id_fields = ("meter_point",)
    show_change_link = True


class BillLineInline(admin.TabularInline):
    model = models.BillLine
    extra = 0
    fields = (
        "kind",
        "description",
        "band",
        "period_start",
        "period_end",
        "quantity",
        "unit_rate",
        "amount",
        "is_estimated",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BillInline(admin.TabularInline):
    model = models.Bill
    extra = 0
    fields = ("bill_type", "status", "period_start", "period_end", "total", "issued_at")
    readonly_fields = fields
    ordering = ("-issued_at",)
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Bill)
class BillAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "account",
        "bill_type",
        "status",
        "period_start",
        "period_end",
        "total_display",
        "issued_at",
        "billing_run",
    )
    list_select_related = ("account", "billing_run")
    list_filter = ("bill_type", "status", "issued_at")
    search_fields = ("=account__number",)
    date_hierarchy = "issued_at"
    readonly_fields = (
        "account",
        "billing_run",
        "bill_type",
        "status",
        "period_start",
        "period_end",
        "currency",
        "subtotal",
        "tax",
        "total",
        "issued_at",
    )
    inlines = [BillLineInline]

    @admin.display(description="Total", ordering="total")
    def total_display(self, bill: models.Bill) -> str:
        return money.format_money(minor_units=bill.total, currency=bill.currency)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.BillingRun)
class BillingRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "period_start",
        "period_end",
        "status",
        "total_accounts",
        "billed_accounts",
        "skipped_accounts",
        "failed_accounts",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "created_at")
    readonly_fields = (
        "status",
        "total_accounts",
        "billed_accounts",
        "skipped_accounts",
        "failed_accounts",
        "created_at",
        "started_at",
        "finished_at",
        "created_by",
    )


@admin.register(models.Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "account",
        "amount_display",
        "status",
        "transaction_type",
        "paid_at",
        "vendor_reference",
    )
    list_select_related = ("account",)
    list_filter = ("status", "transaction_type", "paid_at")
    search_fields = ("=account__number", "vendor_reference", "idempotency_key")
    raw_id_fields = ("account", "bill", "payment_method")

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, payment: models.Payment) -> str:
        return money.format_money(minor_units=payment.amount, currency=payment.currency)


@admin.register(models.PaymentCollectionAttempt)
class PaymentCollectionAttemptAdmin(admin.ModelAdmin):
    list_display = (
        "idempotency_key",
        "account",
        "bill",
        "attempt_number",
        "amount",
        "status",
        "vendor",
        "error_code",
        "requested_at",
    )
    list_select_related = ("account", "bill")
    list_filter = ("status", "vendor", "error_code", "requested_at")
    search_fields = ("=account__number", "idempotency_key", "vendor_reference")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
