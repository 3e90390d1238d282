"""Bills (titled by number and period, amounts in pounds and pence), the bill preview, payments and
collection attempts: all written by operations, read here."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path

from billing import calculation, models, queries
from billing.admin import _forms
from kernel import admin as kernel_admin
from kernel import clock, money


def period_of(obj) -> str:
    return kernel_admin.format_period(obj.period_start, obj.period_end, queries.billing_time_zone())


class BillLineInline(kernel_admin.ReadOnlyTabularInline):
    model = models.BillLine
    fields = (
        "kind",
        "description",
        "band",
        "line_period",
        "quantity",
        "unit_rate",
        "amount_display",
        "is_estimated",
    )
    readonly_fields = fields

    @admin.display(description="Period")
    def line_period(self, line: models.BillLine) -> str:
        return period_of(line)

    amount_display = kernel_admin.money_column("amount", "Amount", currency="bill.currency")


@admin.register(models.Bill)
class BillAdmin(kernel_admin.ReadOnlyAdmin):
    list_display = (
        "number",
        "account",
        "period",
        "bill_type",
        "status",
        "total_display",
        "issued_at",
        "billing_run",
    )
    list_select_related = ("account", "billing_run")
    list_filter = ("bill_type", "status", "issued_at")
    search_fields = ("=number", "=account__number")
    ordering = ("-issued_at", "-id")
    show_full_result_count = False
    fields = (
        "number",
        "account",
        "billing_run",
        "bill_type",
        "status",
        "period",
        "subtotal_display",
        "tax_display",
        "total_display",
        "issued_at",
        "external_number",
    )
    readonly_fields = fields
    inlines = [BillLineInline]
    change_list_template = "admin/billing/bill/change_list.html"

    @admin.display(description="Period", ordering="period_start")
    def period(self, bill: models.Bill) -> str:
        return period_of(bill)

    total_display = kernel_admin.money_column("total", "Total")

    subtotal_display = kernel_admin.money_column("subtotal", "Subtotal")

    tax_display = kernel_admin.money_column("tax", "Tax")

    def get_urls(self):
        return [
            path("preview/", self.admin_site.admin_view(self.preview_view), name="billing_bill_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """The bill an account would get for a period, computed now and written nowhere."""
        kernel_admin.require_permission(request, "billing.view_bill")
        form = _forms.BillPreviewForm(
            request.GET if "first_day" in request.GET else None, initial=request.GET
        )
        draft = None
        if form.is_bound and form.is_valid() and form.cleaned_data.get("account"):
            try:
                draft = queries.preview_bill(
                    account=form.cleaned_data["account"],
                    period=form.cleaned_data["period"],
                    as_of=clock.now(),
                )
            except calculation.BillingError as error:
                form.add_error(None, f"{error.code}: {error}")
        tz = queries.billing_time_zone()

        def amount(minor_units: int) -> str:
            return money.format_amount(minor_units=minor_units, currency=draft.currency)

        return TemplateResponse(
            request,
            "admin/billing/bill_preview.html",
            {
                **self.admin_site.each_context(request),
                "title": "Preview a bill",
                "opts": self.model._meta,
                "form": form,
                "draft": draft,
                "period": kernel_admin.format_period(draft.period.start, draft.period.end, tz)
                if draft
                else "",
                "lines": [
                    {
                        "line": line,
                        "period": kernel_admin.format_period(line.period.start, line.period.end, tz),
                        "amount": amount(line.amount),
                    }
                    for line in draft.lines
                ]
                if draft
                else [],
                "totals": {name: amount(getattr(draft, name)) for name in ("subtotal", "tax", "total")}
                if draft
                else {},
            },
        )


@admin.register(models.Payment)
class PaymentAdmin(kernel_admin.ReadOnlyAdmin):
    list_display = (
        "created_at",
        "account",
        "bill",
        "amount_display",
        "status",
        "transaction_type",
        "paid_at",
    )
    list_select_related = ("account", "bill")
    list_filter = ("status", "transaction_type", "paid_at")
    search_fields = ("=account__number", "=vendor_reference", "=idempotency_key", "=bill__number")
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    exclude = ("amount",)
    readonly_fields = ("amount_display",)

    amount_display = kernel_admin.money_column("amount", "Amount")


@admin.register(models.PaymentCollectionAttempt)
class PaymentCollectionAttemptAdmin(kernel_admin.ReadOnlyAdmin):
    list_display = (
        "idempotency_key",
        "account",
        "bill",
        "attempt_number",
        "amount_display",
        "status",
        "vendor",
        "error_code",
        "tries",
        "next_retry_at",
        "claimed_by",
        "lease_until",
        "requested_at",
    )
    list_select_related = ("account", "bill")
    list_filter = ("status", "vendor", "error_code", "requested_at")
    search_fields = ("=account__number", "=idempotency_key", "=vendor_reference")
    ordering = ("-requested_at", "-id")
    exclude = ("amount",)
    readonly_fields = ("amount_display",)

    amount_display = kernel_admin.money_column("amount", "Amount")
