"""The account list, search and the account actions that only need accounts (adjust the balance,
change status, add a note). The Account page itself is registered in kraken/admin/, which adds what
the apps above accounts know (meter points, bills, devices) and the actions that need them."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import path

from accounts import models, operations, queries
from accounts.admin import _forms
from kernel import admin as kernel_admin
from kernel import clock, money

ADJUST_PERMISSION = "accounts.add_ledgeradjustment"
STATUS_PERMISSION = "accounts.change_account_status"
NOTE_PERMISSION = "accounts.add_accountnote"


class AccountUserRoleInline(admin.TabularInline):
    model = models.AccountUserRole
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


class PropertyInline(admin.TabularInline):
    model = models.Property
    extra = 0
    fields = ("address", "occupied_from", "occupied_to")
    autocomplete_fields = ("address",)
    show_change_link = True


class PaymentMethodInline(admin.TabularInline):
    model = models.PaymentMethod
    extra = 0
    fields = ("method_type", "status", "vendor", "vendor_reference", "last_four", "created_at")
    readonly_fields = ("created_at",)


def adjustment_message(adjustments: list[models.LedgerAdjustment]) -> str:
    posted = [a for a in adjustments if a.status == models.LedgerAdjustmentStatus.POSTED]
    waiting = [a for a in adjustments if a.status == models.LedgerAdjustmentStatus.PENDING_APPROVAL]
    parts = []
    if posted:
        parts.append(f"Posted {_amounts(posted)} to {', '.join(a.account.number for a in posted)}.")
    if waiting:
        parts.append(
            f"{_amounts(waiting)} for {', '.join(a.account.number for a in waiting)} is above the approval "
            "threshold and waits for a second person's approval (Payments › Ledger adjustments)."
        )
    return " ".join(parts)


def _amounts(adjustments: list[models.LedgerAdjustment]) -> str:
    return ", ".join(
        sorted({money.format_amount(minor_units=a.amount, currency=a.currency) for a in adjustments})
    )


def request_adjustments(request, accounts, form) -> str:
    """Door: one adjustment per selected account, all or none, keyed on the form's token."""
    now = clock.now()
    with transaction.atomic():
        adjustments = [
            operations.request_ledger_adjustment(
                account=account,
                amount=form.cleaned_data["minor_units"],
                currency=form.cleaned_data["currency"],
                description=form.cleaned_data["description"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                requested_by=request.user,
                requested_at=now,
            )
            for account in accounts
        ]
    return adjustment_message(adjustments)


def change_statuses(request, accounts, form) -> str:
    now = clock.now()
    with transaction.atomic():
        for account in accounts:
            operations.change_account_status(
                account=account,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                changed_at=now,
                changed_by=request.user,
            )
    return f"Moved {', '.join(a.number for a in accounts)} to {form.cleaned_data['status']}."


def post_adjustment(modeladmin, request, queryset, form) -> str:
    return request_adjustments(request, list(queryset), form)


def change_status(modeladmin, request, queryset, form) -> str:
    return change_statuses(request, list(queryset), form)


class AccountAdmin(admin.ModelAdmin):
    """Newest accounts first, each with its balance (a subquery: never multiplied by joins); the
    search box takes any identifier an ops person has (kraken/admin adds meter points). Status is
    read-only here: it changes only through "Change status", which asks for a reason and audits."""

    list_display = (
        "number",
        "billing_name",
        "status",
        "account_type",
        "postcode",
        "balance_display",
        "created_at",
    )
    list_filter = ("status", "account_type", "currency")
    search_fields = ("number",)
    search_help_text = "Account number, email, MPAN/MPRN, postcode, phone or name"
    list_select_related = ("billing_address",)
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    readonly_fields = ("number", "status", "currency", "created_at", "balance_display")
    autocomplete_fields = ("billing_address",)
    fieldsets = (
        (None, {"fields": ("number", "status", "account_type", "brand", "created_at")}),
        (
            "Billing",
            {"fields": ("billing_name", "billing_email", "billing_address", "currency", "balance_display")},
        ),
    )
    inlines = [AccountUserRoleInline, PropertyInline, PaymentMethodInline]
    actions = [
        kernel_admin.confirmed_action(
            form_class=_forms.LedgerAdjustmentForm,
            description="Adjust the balance",
            perform=post_adjustment,
            permissions=("adjust",),
        ),
        kernel_admin.confirmed_action(
            form_class=_forms.AccountStatusForm,
            description="Change account status",
            perform=change_status,
            permissions=("change_status",),
        ),
    ]

    def get_queryset(self, request):
        return queries.with_balances(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        """An identifier finds its accounts through one indexed lookup; anything else searches
        names (trigram index). Never joins, so the list stays one row per account."""
        term = search_term.strip()
        if not term:
            return queryset, False
        ids = self.account_ids_by_identifier(term)
        if ids is not None:
            return queryset.filter(pk__in=ids), False
        if len(term) < 3:
            return queryset.filter(billing_name__istartswith=term), False
        return queryset.filter(billing_name__icontains=term), False

    def account_ids_by_identifier(self, term: str) -> list[int] | None:
        return queries.account_ids_by_identifier(term=term)

    def has_add_permission(self, request):
        return False  # accounts are created by sign-up and imports, with their ledgers

    def has_delete_permission(self, request, obj=None):
        return False

    def has_adjust_permission(self, request):
        return request.user.has_perm(ADJUST_PERMISSION)

    def has_change_status_permission(self, request):
        return request.user.has_perm(STATUS_PERMISSION)

    balance_display = kernel_admin.money_column("balance", "Balance")

    @admin.display(description="Postcode", ordering="billing_address__postcode")
    def postcode(self, account: models.Account) -> str:
        return account.billing_address.postcode if account.billing_address else ""

    # --- The account's own actions (buttons on its page) ---------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/adjust/", view(self.adjust_view), name="accounts_account_adjust"),
            path("<int:object_id>/status/", view(self.status_view), name="accounts_account_status"),
            path("<int:object_id>/note/", view(self.note_view), name="accounts_account_note"),
            *super().get_urls(),
        ]

    def _account(self, request, object_id) -> models.Account:
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def adjust_view(self, request, object_id):
        account = self._account(request, object_id)
        accounts = models.Account.objects.filter(pk=account.pk)
        form = _forms.LedgerAdjustmentForm(request.POST or None, queryset=accounts)
        limits = _limits_text(account.currency)
        return kernel_admin.object_action(
            self,
            request,
            obj=account,
            form=form,
            title=f"Adjust the balance of {account.number}",
            intro=f"Balance now {self.balance_display(account)}. {limits}",
            permission=ADJUST_PERMISSION,
            perform=lambda form: request_adjustments(request, [account], form),
            submit_label="Post adjustment",
        )

    def status_view(self, request, object_id):
        account = self._account(request, object_id)
        form = _forms.AccountStatusForm(
            request.POST or None, queryset=models.Account.objects.filter(pk=account.pk)
        )
        return kernel_admin.object_action(
            self,
            request,
            obj=account,
            form=form,
            title=f"Change the status of {account.number}",
            intro=f"Status now {account.status}. The reason is kept as a note and in the audit trail.",
            permission=STATUS_PERMISSION,
            perform=lambda form: change_statuses(request, [account], form),
            submit_label="Change status",
        )

    def note_view(self, request, object_id):
        account = self._account(request, object_id)
        form = _forms.AccountNoteForm(request.POST or None)

        def perform(form) -> str:
            operations.add_note(
                account=account,
                body=form.cleaned_data["body"],
                created_at=clock.now(),
                created_by=request.user,
            )
            return f"Note added to {account.number}."

        return kernel_admin.object_action(
            self,
            request,
            obj=account,
            form=form,
            title=f"Add a note to {account.number}",
            permission=NOTE_PERMISSION,
            perform=perform,
            submit_label="Add note",
        )


def _limits_text(currency: str) -> str:
    try:
        limits = queries.money_action_limits(currency=currency)
    except queries.NoMoneyLimits as error:
        return str(error)
    return (
        f"One adjustment moves at most {limits.display(limits.limit)}; above "
        f"{limits.display(limits.approval_threshold)} it waits for a second person's approval."
    )
