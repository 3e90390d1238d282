"""Products, tariffs and their rates, and agreements (by public identifiers: account number, MPAN or
MPRN, tariff code)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from billing import models, queries
from kernel import admin as kernel_admin


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
    ordering = ("code",)
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
    """Rates and standing charges are prices per unit, quoted in pence (minor units) per kWh or per
    day, as tariffs are; amounts of money elsewhere are pounds and pence."""

    list_display = ("code", "product", "utility_type", "region", "currency", "standing_charge")
    ordering = ("code",)
    list_select_related = ("product",)
    list_filter = ("utility_type", "region", "currency", "product")
    search_fields = ("code", "product__code")
    autocomplete_fields = ("product",)
    inlines = [TariffRateInline]


class AgreementPeriodMixin:
    @admin.display(description="Period", ordering="active_from")
    def period(self, agreement: models.Agreement) -> str:
        return kernel_admin.format_period(
            agreement.active_from, agreement.active_to, queries.billing_time_zone()
        )


@admin.register(models.Agreement)
class AgreementAdmin(AgreementPeriodMixin, admin.ModelAdmin):
    list_display = ("account", "meter_point", "tariff", "period")
    list_select_related = ("account", "meter_point", "tariff")
    list_filter = ("tariff__utility_type", "active_from")
    search_fields = ("=account__number", "=meter_point__identifier", "=tariff__code")
    autocomplete_fields = ("account", "meter_point", "tariff")
    ordering = ("-active_from", "-id")
    actions = ["preview_bill"]

    @admin.action(description="Preview the bill of the selected agreement's account", permissions=("view",))
    def preview_bill(self, request, queryset):
        agreement = queryset.select_related("account").order_by("id").first()
        return HttpResponseRedirect(
            f"{reverse('admin:billing_bill_preview')}?account_number={agreement.account.number}"
        )


class AgreementInline(AgreementPeriodMixin, admin.TabularInline):
    model = models.Agreement
    extra = 0
    fields = ("meter_point", "tariff", "active_from", "active_to")
    autocomplete_fields = ("meter_point", "tariff")
    show_change_link = True
