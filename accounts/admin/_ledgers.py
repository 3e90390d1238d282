"""Ledgers, their entries, adjustments waiting for approval, payment methods and the audit trail."""

from __future__ import annotations

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path

from accounts import models, operations, queries
from accounts.admin import _forms
from kernel import admin as kernel_admin
from kernel import clock

APPROVE_PERMISSION = "accounts.approve_ledgeradjustment"


@admin.register(models.PaymentMethod)
class PaymentMethodAdmin(admin.ModelAdmin):
    list_display = (
        "account",
        "method_type",
        "status",
        "vendor",
        "vendor_reference",
        "last_four",
        "created_at",
    )
    list_select_related = ("account",)
    list_filter = ("method_type", "status", "vendor")
    search_fields = ("=account__number", "vendor_reference")
    autocomplete_fields = ("account",)


@admin.register(models.Ledger)
class LedgerAdmin(kernel_admin.ReadOnlyAdmin):
    list_display = ("account", "ledger_type", "currency", "balance_display", "created_at")
    list_select_related = ("account",)
    list_filter = ("ledger_type", "currency")
    search_fields = ("=account__number",)

    def get_queryset(self, request):
        return queries.with_ledger_balances(super().get_queryset(request))

    balance_display = kernel_admin.money_column("balance", "Balance")


@admin.register(models.LedgerEntry)
class LedgerEntryAdmin(kernel_admin.ReadOnlyAdmin):
    list_display = (
        "posted_at",
        "account_number",
        "kind",
        "amount_display",
        "description",
        "reference",
        "created_by",
    )
    list_select_related = ("ledger__account", "created_by")
    list_filter = ("kind", "currency", "ledger__ledger_type", "posted_at")
    search_fields = ("=ledger__account__number", "=reference")
    ordering = ("-posted_at", "-id")
    show_full_result_count = False
    exclude = ("amount",)
    readonly_fields = ("amount_display",)

    @admin.display(description="Account", ordering="ledger__account__number")
    def account_number(self, entry: models.LedgerEntry) -> str:
        return entry.ledger.account.number

    amount_display = kernel_admin.money_column("amount", "Amount")


@admin.register(models.LedgerAdjustment)
class LedgerAdjustmentAdmin(kernel_admin.ReadOnlyAdmin):
    """Adjustments ops users asked for; those above the approval threshold wait here until a second
    person (an ops lead) approves or rejects them on the adjustment's page."""

    list_display = (
        "requested_at",
        "account",
        "amount_display",
        "description",
        "status",
        "requested_by",
        "decided_by",
        "decided_at",
    )
    list_select_related = ("account", "requested_by", "decided_by")
    list_filter = ("status", "currency", "requested_at")
    search_fields = ("=account__number", "description")
    ordering = ("-requested_at", "-id")
    exclude = ("amount", "idempotency_key", "ledger")
    readonly_fields = ("amount_display",)
    change_form_template = "admin/accounts/ledgeradjustment/change_form.html"

    amount_display = kernel_admin.money_column("amount", "Amount")

    def get_urls(self):
        return [
            path(
                "<int:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="accounts_ledgeradjustment_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        adjustment = self.get_object(request, object_id)
        can_decide = (
            adjustment is not None
            and adjustment.status == models.LedgerAdjustmentStatus.PENDING_APPROVAL
            and request.user.has_perm(APPROVE_PERMISSION)
            and adjustment.requested_by_id != request.user.pk
        )
        context = {**(extra_context or {}), "can_decide": can_decide}
        return super().change_view(request, object_id, form_url, extra_context=context)

    def decide_view(self, request, object_id):
        adjustment = get_object_or_404(
            models.LedgerAdjustment.objects.select_related("account"), pk=object_id
        )
        form = _forms.AdjustmentDecisionForm(request.POST or None)

        def perform(form) -> str:
            now = clock.now()
            if form.cleaned_data["decision"] == form.APPROVE:
                operations.approve_ledger_adjustment(
                    adjustment_id=adjustment.pk, approved_by=request.user, approved_at=now
                )
                return f"Approved and posted {adjustment}."
            operations.reject_ledger_adjustment(
                adjustment_id=adjustment.pk,
                rejected_by=request.user,
                rejected_at=now,
                note=form.cleaned_data["note"],
            )
            return f"Rejected the adjustment of {adjustment.account.number}."

        return kernel_admin.object_action(
            self,
            request,
            obj=adjustment,
            form=form,
            title=f"Approve or reject: {adjustment}",
            intro=f"Asked for by {adjustment.requested_by}: {adjustment.description}",
            permission=APPROVE_PERMISSION,
            perform=perform,
            submit_label="Decide",
        )


@admin.register(models.AuditEntry)
class AuditEntryAdmin(kernel_admin.ReadOnlyAdmin):
    list_display = ("occurred_at", "action", "object_type", "object_id", "account", "actor")
    list_select_related = ("account", "actor")
    list_filter = ("action", "object_type", "occurred_at")
    search_fields = ("=account__number", "=object_id", "=action")
    ordering = ("-occurred_at", "-id")
    show_full_result_count = False


@admin.register(models.AccountNote)
class AccountNoteAdmin(kernel_admin.ReadOnlyAdmin):
    """Notes are added from the account's page ("Add note") and kept as written."""

    list_display = ("created_at", "account", "body", "created_by", "is_pinned")
    list_select_related = ("account", "created_by")
    search_fields = ("=account__number",)
    ordering = ("-created_at", "-id")
