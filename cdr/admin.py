"""Back office for the CDR: data recipients, consents (grant, revoke, issue tokens), access tokens, and
the opaque accountIds and servicePointIds (read only).

Consents are written only through `cdr.operations`: the add form grants one, and after that a consent
changes only by the actions (revoke, issue a token). Raw tokens are shown once, in the message after
issuing; only their hashes are stored.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import models as accounts_models
from cdr import models, operations
from kernel import admin as kernel_admin

DEFAULT_TOKEN_LIFETIME = timedelta(hours=1)


@admin.register(models.DataRecipient)
class DataRecipientAdmin(admin.ModelAdmin):
    list_display = ("name", "software_product_id", "brand_id", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "=software_product_id", "=brand_id")
    readonly_fields = ("created_at",)


class ConsentAccountInline(admin.TabularInline):
    model = models.ConsentAccount
    extra = 0
    fields = ("account",)
    readonly_fields = ("account",)
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ConsentForm(forms.ModelForm):
    """Grant a consent. Validation is the operation itself (accounts must be the customer's, scopes
    known, expiry after grant, recipient active): `clean` grants it, inside the admin's transaction,
    and any refusal becomes a form error with nothing written."""

    scopes = forms.MultipleChoiceField(choices=models.Scope.choices, widget=forms.CheckboxSelectMultiple)
    accounts = forms.ModelMultipleChoiceField(
        queryset=accounts_models.Account.objects.order_by("number"),
        widget=AutocompleteSelectMultiple(models.Consent._meta.get_field("accounts"), admin.site),
        help_text="Accounts the customer has a role on",
    )

    class Meta:
        model = models.Consent
        fields = ("recipient", "customer", "accounts", "scopes", "granted_at", "expires_at")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.granted = operations.grant_consent(
                recipient=cleaned["recipient"],
                customer=cleaned["customer"],
                accounts=cleaned["accounts"],
                scopes=cleaned["scopes"],
                granted_at=cleaned["granted_at"],
                expires_at=cleaned["expires_at"],
            )
        except ValueError as error:
            raise ValidationError(str(error)) from error
        return cleaned

    def _post_clean(self):
        # The operation validated and wrote the consent; the unsaved instance has nothing to check.
        pass


class RevokeConsentForm(forms.Form):
    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)


def revoke(modeladmin, request, queryset, form) -> str:
    revoked = operations.revoke_consents(consents=queryset, revoked_at=timezone.now(), actor=request.user)
    return f"Revoked {len(revoked)} consent(s); their tokens no longer work."


class IssueTokenForm(forms.Form):
    lifetime_minutes = forms.IntegerField(
        min_value=1, max_value=60 * 24 * 365, initial=int(DEFAULT_TOKEN_LIFETIME.total_seconds() // 60)
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)


def issue_token(modeladmin, request, queryset, form) -> str:
    now = timezone.now()
    expires_at = now + timedelta(minutes=form.cleaned_data["lifetime_minutes"])
    issued = [
        (consent, operations.issue_access_token(consent=consent, issued_at=now, expires_at=expires_at))
        for consent in queryset
    ]
    tokens = "; ".join(f"{consent.cdr_arrangement_id}: {token.raw}" for consent, token in issued)
    return (
        f"Copy now, these are not shown again. Bearer token(s) until {expires_at:%Y-%m-%d %H:%M %Z}: {tokens}"
    )


@admin.register(models.Consent)
class ConsentAdmin(admin.ModelAdmin):
    form = ConsentForm
    list_display = (
        "cdr_arrangement_id",
        "recipient",
        "customer",
        "status",
        "granted_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("status", "recipient")
    list_select_related = ("recipient", "customer")
    search_fields = ("=cdr_arrangement_id", "customer__email", "recipient__name")
    autocomplete_fields = ("recipient", "customer")
    inlines = [ConsentAccountInline]
    actions = [
        kernel_admin.confirmed_action(
            form_class=RevokeConsentForm, description="Revoke the selected consents", perform=revoke
        ),
        kernel_admin.confirmed_action(
            form_class=IssueTokenForm, description="Issue an access token", perform=issue_token
        ),
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ConsentForm.Meta.fields
        return (
            "cdr_arrangement_id",
            "recipient",
            "customer",
            "scopes",
            "status",
            "granted_at",
            "expires_at",
            "revoked_at",
        )

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            # ConsentForm.clean granted it through the operation; hand the admin the saved row.
            obj.pk = form.granted.pk
            obj.__dict__.update(form.granted.__dict__)

    def save_related(self, request, form, formsets, change):
        pass  # the operation wrote the accounts


@admin.register(models.AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Tokens are issued from the consent list ("Issue an access token"); here they can be seen or
    deleted, never read back."""

    list_display = ("prefix", "consent", "issued_at", "expires_at")
    list_select_related = ("consent",)
    search_fields = ("=prefix", "=consent__cdr_arrangement_id")
    fields = ("prefix", "consent", "issued_at", "expires_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        messages.info(request, "Issue tokens from the consent list.")
        return super().add_view(request, form_url, extra_context)


@admin.register(models.AccountIdentifier)
class AccountIdentifierAdmin(kernel_admin.ReadOnlyAdmin):
    list_display = ("cdr_account_id", "recipient", "customer", "account", "created_at")
    list_select_related = ("recipient", "customer", "account")
    search_fields = ("=cdr_account_id", "=account__number")
    fields = list_display
    readonly_fields = list_display


@admin.register(models.ServicePointIdentifier)
class ServicePointIdentifierAdmin(kernel_admin.ReadOnlyAdmin):
    """The servicePointId each recipient sees for a customer's meter point (NMI); made by the
    platform, never edited."""

    list_display = ("cdr_service_point_id", "recipient", "customer", "meter_point", "created_at")
    list_select_related = ("recipient", "customer", "meter_point")
    search_fields = ("=cdr_service_point_id", "=meter_point__identifier")
    fields = list_display
    readonly_fields = list_display
