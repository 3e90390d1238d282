import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts import admin as accounts_admin
from accounts import models as accounts_models
from billing import calculation, models, operations, queries, tasks
from kernel import money, ranges


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
    actions = ["preview_bill"]

    @admin.action(description="Preview the bill of the selected agreement's account")
    def preview_bill(self, request, queryset):
        agreement = queryset.select_related("account").order_by("id").first()
        return HttpResponseRedirect(
            f"{reverse('admin:billing_bill_preview')}?account_number={agreement.account.number}"
        )


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
    change_list_template = "admin/billing/bill/change_list.html"

    @admin.display(description="Total", ordering="total")
    def total_display(self, bill: models.Bill) -> str:
        return money.format_money(minor_units=bill.total, currency=bill.currency)

    def get_urls(self):
        return [
            path("preview/", self.admin_site.admin_view(self.preview_view), name="billing_bill_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest):
        """The bill an account would get for a period, computed now and written nowhere."""
        form = BillPreviewForm(request.GET if "period_start" in request.GET else None, initial=request.GET)
        draft = None
        if form.is_bound and form.is_valid():
            try:
                draft = queries.preview_bill(
                    account=form.cleaned_data["account"],
                    period=form.cleaned_data["period"],
                    as_of=timezone.now(),
                )
            except calculation.BillingError as error:
                form.add_error(None, f"{error.code}: {error}")
        return TemplateResponse(
            request,
            "admin/billing/bill_preview.html",
            {
                **self.admin_site.each_context(request),
                "title": "Preview a bill",
                "opts": self.model._meta,
                "form": form,
                "draft": draft,
                "lines": [
                    {
                        "line": line,
                        "amount": money.format_money(minor_units=line.amount, currency=draft.currency),
                    }
                    for line in draft.lines
                ]
                if draft
                else [],
                "totals": {
                    name: money.format_money(minor_units=getattr(draft, name), currency=draft.currency)
                    for name in ("subtotal", "tax", "total")
                }
                if draft
                else {},
            },
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BillingRunForm(forms.ModelForm):
    account_numbers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Bill only these accounts (one number a line or comma-separated); empty bills every active account.",
    )

    class Meta:
        model = models.BillingRun
        fields = ("period_start", "period_end", "chunk_size")

    def clean_account_numbers(self) -> list[str]:
        numbers = [
            number.strip() for number in self.cleaned_data["account_numbers"].replace(",", "\n").split()
        ]
        unknown = set(numbers) - set(
            accounts_models.Account.objects.filter(number__in=numbers).values_list("number", flat=True)
        )
        if unknown:
            raise ValidationError(f"Unknown accounts: {', '.join(sorted(unknown))}")
        return numbers


class FailedItemInline(admin.TabularInline):
    """The accounts a run could not bill, with the reason."""

    model = models.BillingRunItem
    verbose_name = "failed account"
    verbose_name_plural = "failed accounts"
    fields = ("account", "error_code", "error_detail", "processed_at")
    readonly_fields = fields
    extra = 0
    max_num = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(status=models.BillingRunItemStatus.FAILED)
            .select_related("account")
            .order_by("id")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.BillingRun)
class BillingRunAdmin(admin.ModelAdmin):
    form = BillingRunForm
    list_display = (
        "id",
        "period_start",
        "period_end",
        "status",
        "origin",
        "progress",
        "total_accounts",
        "billed_accounts",
        "skipped_accounts",
        "failed_accounts",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "origin", "created_at")
    actions = ["start_or_resume"]
    inlines = [FailedItemInline]
    run_fields = (
        "period_start",
        "period_end",
        "scope",
        "origin",
        "chunk_size",
        "chunk_count",
        "status",
        "progress",
        "total_accounts",
        "billed_accounts",
        "skipped_accounts",
        "failed_accounts",
        "created_at",
        "started_at",
        "finished_at",
        "created_by",
    )

    def get_fields(self, request, obj=None):
        return self.run_fields if obj else ("period_start", "period_end", "account_numbers", "chunk_size")

    def get_readonly_fields(self, request, obj=None):
        return self.run_fields if obj else ()

    def get_inlines(self, request, obj=None):
        return self.inlines if obj else []

    @admin.display(description="Progress")
    def progress(self, run: models.BillingRun):
        done = run.billed_accounts + run.skipped_accounts + run.failed_accounts
        percent = int(100 * done / run.total_accounts) if run.total_accounts else 0
        return format_html(
            '<progress max="100" value="{}" title="{} of {}"></progress> {}/{}',
            percent,
            done,
            run.total_accounts,
            done,
            run.total_accounts,
        )

    def save_model(self, request, obj, form, change):
        """Creating a run from admin: one operation, then the run starts once the row is committed."""
        if change:
            return
        run = operations.create_billing_run(
            period=ranges.Period(form.cleaned_data["period_start"], form.cleaned_data["period_end"]),
            created_at=timezone.now(),
            scope={"account_numbers": form.cleaned_data["account_numbers"]}
            if form.cleaned_data["account_numbers"]
            else {},
            created_by=request.user,
            chunk_size=form.cleaned_data["chunk_size"],
        )
        obj.pk = run.pk
        obj.refresh_from_db()
        tasks.enqueue_billing_run(billing_run_id=run.pk)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Start or resume the selected billing runs")
    def start_or_resume(self, request, queryset):
        runs = list(
            queryset.filter(status__in=[models.BillingRunStatus.PENDING, models.BillingRunStatus.RUNNING])
        )
        with transaction.atomic():
            for run in runs:
                tasks.enqueue_billing_run(billing_run_id=run.pk)
        self.message_user(request, f"Queued {len(runs)} billing run(s).", messages.SUCCESS)


class BillPreviewForm(forms.Form):
    account_number = forms.CharField(max_length=10)
    period_start = forms.DateField(help_text="First day billed (local midnight)")
    period_end = forms.DateField(help_text="Day after the last day billed")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["account"] = accounts_models.Account.objects.get(number=data["account_number"])
        except accounts_models.Account.DoesNotExist:
            self.add_error("account_number", "No account has this number")
            return data
        tz = queries.billing_time_zone()
        start = dt.datetime.combine(data["period_start"], dt.time(), tzinfo=tz)
        end = dt.datetime.combine(data["period_end"], dt.time(), tzinfo=tz)
        if end <= start:
            self.add_error("period_end", "The period must end after it starts")
            return data
        data["period"] = ranges.Period(start, end)
        return data


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
class PaymentCollectionAttemptAdmin(accounts_admin.ReadOnlyAdmin):
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
