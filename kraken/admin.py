"""The Account page of the back office: composed here because it shows rows of every app (meter
points, agreements, bills, devices) and only the project package may import them all."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from accounts import admin as accounts_admin
from accounts import models as accounts_models
from billing import admin as billing_admin
from devices import models as devices_models


class DeviceInline(admin.TabularInline):
    model = devices_models.Device
    extra = 0
    fields = ("kind", "provider", "vendor", "model", "status", "state")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(accounts_models.Account)
class AccountAdmin(accounts_admin.AccountAdmin):
    inlines = [
        *accounts_admin.AccountAdmin.inlines,
        billing_admin.AgreementInline,
        billing_admin.BillInline,
        DeviceInline,
    ]
    actions = [*accounts_admin.AccountAdmin.actions, "preview_bill"]

    @admin.action(description="Preview the next bill (writes nothing)")
    def preview_bill(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one account to preview its bill.", messages.ERROR)
            return None
        return HttpResponseRedirect(
            f"{reverse('admin:billing_bill_preview')}?account_number={queryset.get().number}"
        )
