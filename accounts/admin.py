"""Back office for accounts, users, properties, payment methods, ledgers and the audit trail.

The Account page itself is registered in kraken/admin.py, which adds the inlines of the apps above
this one (meter points, agreements, bills, devices) that accounts may not import.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts import admin_actions, models, operations, queries
from kernel import money

RECENT_LEDGER_ENTRIES = 50


@admin.register(models.User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "username", "first_name", "last_name", "mobile")
    ordering = ("email",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Customer details", {"fields": ("preferred_name", "mobile", "landline", "date_of_birth")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),
    )


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
    raw_id_fields = ("address",)
    show_change_link = True


class PaymentMethodInline(admin.TabularInline):
    model = models.PaymentMethod
    extra = 0
    fields = ("method_type", "status", "vendor", "vendor_reference", "last_four", "created_at")
    readonly_fields = ("created_at",)


class AccountNoteInline(admin.StackedInline):
    model = models.AccountNote
    extra = 0
    fields = ("body", "is_pinned", "created_at", "created_by")
    readonly_fields = ("created_at", "created_by")

    def has_change_permission(self, request, obj=None):
        return False


class LedgerAdjustmentForm(forms.Form):
    """Input for an adjustment: a positive amount in major units and which way it goes."""

    CREDIT, DEBIT = "CREDIT", "DEBIT"

    direction = forms.ChoiceField(choices=[(CREDIT, "Credit the customer"), (DEBIT, "Debit the customer")])
    amount = forms.DecimalField(
        min_value=Decimal("0.01"), decimal_places=2, help_text="In major units, e.g. 12.50"
    )
    currency = forms.ChoiceField(choices=money.CURRENCY_CHOICES)
    description = forms.CharField(max_length=255)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = list(queryset)

    def clean(self):
        cleaned = super().clean()
        currency = cleaned.get("currency")
        mismatched = [account.number for account in self.accounts if account.currency != currency]
        if currency and mismatched:
            raise forms.ValidationError(
                f"Accounts {', '.join(mismatched)} are not billed in {currency}; nothing was posted."
            )
        amount = cleaned.get("amount")
        if currency and amount is not None:
            try:
                minor_units = money.to_minor_units(amount=amount, currency=currency)
            except (InvalidOperation, money.UnknownCurrency) as error:
                raise forms.ValidationError(str(error)) from error
            if minor_units == 0:
                raise forms.ValidationError(f"{amount} is less than one minor unit of {currency}")
            cleaned["minor_units"] = minor_units if cleaned["direction"] == self.CREDIT else -minor_units
        return cleaned


def post_adjustment(modeladmin, request, queryset, form) -> str:
    now = timezone.now()
    with transaction.atomic():
        for account in queryset:
            ledger = account.ledgers.get(ledger_type=models.LedgerType.ENERGY)
            operations.post_ledger_entry(
                ledger=ledger,
                amount=form.cleaned_data["minor_units"],
                currency=form.cleaned_data["currency"],
                kind=models.LedgerEntryKind.ADJUSTMENT,
                description=form.cleaned_data["description"],
                posted_at=now,
                created_by=request.user,
            )
    return f"Posted an adjustment to {len(queryset)} account(s)."


class AccountStatusForm(forms.Form):
    status = forms.ChoiceField(choices=models.AccountStatus.choices)
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = list(queryset)

    def clean_status(self):
        status = self.cleaned_data["status"]
        unchanged = [account.number for account in self.accounts if account.status == status]
        if unchanged:
            raise forms.ValidationError(f"Already {status}: {', '.join(unchanged)}")
        return status


def change_status(modeladmin, request, queryset, form) -> str:
    now = timezone.now()
    with transaction.atomic():
        for account in queryset:
            operations.change_account_status(
                account=account,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                changed_at=now,
                changed_by=request.user,
            )
    return f"Moved {len(queryset)} account(s) to {form.cleaned_data['status']}."


class AccountAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "billing_name",
        "status",
        "account_type",
        "currency",
        "balance_display",
        "created_at",
    )
    list_filter = (
        "status",
        "account_type",
        "currency",
        ("agreements__tariff", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    search_fields = (
        "=number",
        "billing_name",
        "user_roles__user__email",
        "=properties__meter_points__identifier",
    )
    list_select_related = ("billing_address",)
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    readonly_fields = ("number", "created_at", "balance_display", "meter_points_display", "ledger_display")
    raw_id_fields = ("billing_address",)
    fieldsets = (
        (None, {"fields": ("number", "status", "account_type", "brand", "created_at")}),
        (
            "Billing",
            {"fields": ("billing_name", "billing_email", "billing_address", "currency", "balance_display")},
        ),
        ("Supply", {"fields": ("meter_points_display",)}),
        ("Ledger", {"fields": ("ledger_display",)}),
    )
    inlines = [AccountUserRoleInline, PropertyInline, PaymentMethodInline, AccountNoteInline]
    actions = [
        admin_actions.confirmed_action(
            form_class=LedgerAdjustmentForm, description="Post a ledger adjustment", perform=post_adjustment
        ),
        admin_actions.confirmed_action(
            form_class=AccountStatusForm, description="Change account status", perform=change_status
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(balance=Coalesce(Sum("ledgers__entries__amount"), 0))

    @admin.display(description="Balance", ordering="balance")
    def balance_display(self, account: models.Account) -> str:
        return money.format_money(minor_units=account.balance, currency=account.currency)

    @admin.display(description="Meter points")
    def meter_points_display(self, account: models.Account):
        rows = [
            (
                reverse("admin:metering_meterpoint_change", args=[meter_point.pk]),
                meter_point.identifier,
                meter_point.utility_type,
                meter_point.status,
            )
            for prop in account.properties.prefetch_related("meter_points")
            for meter_point in prop.meter_points.all()
        ]
        if not rows:
            return "—"
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a> {} ({})', rows)

    @admin.display(description=f"Latest {RECENT_LEDGER_ENTRIES} ledger entries")
    def ledger_display(self, account: models.Account):
        if not account.pk:
            return "—"
        entries = queries.ledger_entries(account=account)[:RECENT_LEDGER_ENTRIES]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td style='text-align:right'>{}</td><td>{}</td></tr>",
            (
                (
                    f"{entry.posted_at:%Y-%m-%d %H:%M}",
                    entry.kind,
                    entry.description,
                    money.format_money(minor_units=entry.amount, currency=entry.currency),
                    entry.reference,
                )
                for entry in entries
            ),
        )
        link = reverse("admin:accounts_ledgerentry_changelist") + f"?ledger__account__number={account.number}"
        return format_html(
            "<table><thead><tr><th>Posted</th><th>Kind</th><th>Description</th><th>Amount</th><th>Reference</th>"
            '</tr></thead><tbody>{}</tbody></table><p><a href="{}">All entries</a></p>',
            rows,
            link,
        )


@admin.register(models.Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ("line_1", "locality", "postcode", "country")
    search_fields = ("line_1", "postcode")
    list_filter = ("country",)


@admin.register(models.Property)
class PropertyAdmin(admin.ModelAdmin):
    list_display = ("address", "account", "public_id", "occupied_from", "occupied_to")
    list_select_related = ("address", "account")
    search_fields = ("=account__number", "address__postcode", "address__line_1")
    raw_id_fields = ("account", "address")


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
    raw_id_fields = ("account",)


@admin.register(models.Ledger)
class LedgerAdmin(admin.ModelAdmin):
    list_display = ("account", "ledger_type", "currency", "balance_display", "created_at")
    list_select_related = ("account",)
    list_filter = ("ledger_type", "currency")
    search_fields = ("=account__number",)
    readonly_fields = ("account", "ledger_type", "currency", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(balance=Coalesce(Sum("entries__amount"), 0))

    @admin.display(description="Balance", ordering="balance")
    def balance_display(self, ledger: models.Ledger) -> str:
        return money.format_money(minor_units=ledger.balance, currency=ledger.currency)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """For append-only records: viewable, never added, changed or deleted through the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
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
    search_fields = ("=ledger__account__number", "reference", "description")
    date_hierarchy = "posted_at"

    @admin.display(description="Account", ordering="ledger__account__number")
    def account_number(self, entry: models.LedgerEntry) -> str:
        return entry.ledger.account.number

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, entry: models.LedgerEntry) -> str:
        return money.format_money(minor_units=entry.amount, currency=entry.currency)


@admin.register(models.AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "action", "object_type", "object_id", "account", "actor")
    list_select_related = ("account", "actor")
    list_filter = ("action", "object_type", "occurred_at")
    search_fields = ("=account__number", "object_id", "action")
    date_hierarchy = "occurred_at"


# --- Customer API credentials (GraphQL) ---------------------------------------------------------


class ConfirmForm(forms.Form):
    """No input: the confirmation page lists the rows the action will change."""

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(*args, **kwargs)


class IssueAPIKeyForm(forms.ModelForm):
    class Meta:
        model = models.APIKey
        fields = ["user"]


def _revoke_api_keys(modeladmin, request, queryset, form) -> str:
    revoked = 0
    for key in queryset.select_related("user").filter(revoked_at__isnull=True):
        operations.revoke_api_key(api_key=key, now=timezone.now(), actor=request.user)
        revoked += 1
    return f"Revoked {revoked} key(s); requests with them are now refused."


def _regenerate_api_keys(modeladmin, request, queryset, form) -> str:
    users = {key.user for key in queryset.select_related("user")}
    for user in users:
        operations.regenerate_api_key(user=user, now=timezone.now(), actor=request.user)
    return f"Issued a new key to {len(users)} user(s), revoking their previous keys."


@admin.register(models.APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    """Customers' secret API keys. The key itself is never shown here (it is stored encrypted, and
    its owner reads it as `viewer.liveSecretKey`): ops issue a key (Add, or the action, which
    revokes the user's previous one) and revoke keys, each leaving an audit row."""

    list_display = ("prefix", "user", "created_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("prefix", "user__email")
    readonly_fields = ("user", "prefix", "key_hash", "created_at", "revoked_at")
    fields = ("user", "prefix", "key_hash", "created_at", "revoked_at")
    autocomplete_fields = ("user",)
    actions = [
        admin_actions.confirmed_action(
            form_class=ConfirmForm, description="Revoke the selected keys", perform=_revoke_api_keys
        ),
        admin_actions.confirmed_action(
            form_class=ConfirmForm,
            description="Issue their users new keys (revoking these)",
            perform=_regenerate_api_keys,
            permissions=("add",),
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row stays for the audit trail

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = IssueAPIKeyForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ("user",) if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Adding issues the user a new key through the operation (revoking their live one)."""
        if change:
            return
        operations.regenerate_api_key(user=obj.user, now=timezone.now(), actor=request.user)
        issued = models.APIKey.objects.get(user=obj.user, revoked_at__isnull=True)
        for field in models.APIKey._meta.concrete_fields:
            setattr(obj, field.attname, getattr(issued, field.attname))
        obj._state.adding = False


@admin.register(models.RefreshToken)
class RefreshTokenAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "created_at", "expires_at", "revoked_at")
    search_fields = ("user__email",)
    readonly_fields = ("user", "token_hash", "created_at", "expires_at")
    fields = ("user", "token_hash", "created_at", "expires_at", "revoked_at")

    def has_add_permission(self, request):
        return False


@admin.register(models.AuthenticationState)
class AuthenticationStateAdmin(admin.ModelAdmin):
    list_display = ("user", "generation", "reauthenticated_at")
    search_fields = ("user__email",)
    readonly_fields = ("user", "generation", "reauthenticated_at")

    def has_add_permission(self, request):
        return False


@admin.register(models.LoyaltyPointLedgerEntry)
class LoyaltyPointLedgerEntryAdmin(admin.ModelAdmin):
    """Append-only: entries are read here; points are earned and redeemed through operations."""

    list_display = ("posted_at", "user", "account", "points", "reason", "reference")
    list_select_related = ("user", "account")
    list_filter = ("reason", "posted_at")
    search_fields = ("user__email", "=account__number", "=reference")
    date_hierarchy = "posted_at"
    readonly_fields = ("user", "account", "points", "reason", "reference", "posted_at", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.CommsPreferences)
class CommsPreferencesAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "email_format",
        "is_opted_in_to_offer_messages",
        "is_opted_in_to_sms_messages",
        "updated_at",
    )
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return False


@admin.register(models.LongLivedRefreshTokenGrant)
class LongLivedRefreshTokenGrantAdmin(admin.ModelAdmin):
    list_display = ("refresh_token", "issued_by", "issued_at")
    list_select_related = ("refresh_token__user", "issued_by")
    search_fields = ("issued_by__email", "refresh_token__user__email")
    readonly_fields = ("refresh_token", "issued_by", "issued_at")

    def has_add_permission(self, request):
        return False
