"""People and places (users, addresses, properties) and the customer API's credentials."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts import models, operations
from kernel import admin as kernel_admin
from kernel import clock


@admin.register(models.User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "username", "first_name", "last_name", "mobile")
    ordering = ("email",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Customer details", {"fields": ("preferred_name", "mobile", "landline", "date_of_birth")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),
    )


@admin.register(models.Address)
class AddressAdmin(admin.ModelAdmin):
    ordering = ("postcode", "id")
    list_display = ("line_1", "locality", "postcode", "country")
    search_fields = ("line_1", "postcode")
    list_filter = ("country",)


@admin.register(models.Property)
class PropertyAdmin(admin.ModelAdmin):
    ordering = ("-occupied_from", "-id")
    list_display = ("address", "account", "public_id", "occupied_from", "occupied_to")
    list_select_related = ("address", "account")
    search_fields = ("=account__number", "address__postcode", "address__line_1")
    autocomplete_fields = ("account", "address")


# --- Customer API credentials (GraphQL) ---------------------------------------------------------


class CredentialAdmin(admin.ModelAdmin):
    """Credentials are made by their operations (stored hashed, shown once); here they are read and
    revoked."""

    def has_add_permission(self, request):
        return False


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
        operations.revoke_api_key(api_key=key, now=clock.now(), actor=request.user)
        revoked += 1
    return f"Revoked {revoked} key(s); requests with them are now refused."


def _regenerate_api_keys(modeladmin, request, queryset, form) -> str:
    users = {key.user for key in queryset.select_related("user")}
    for user in users:
        operations.regenerate_api_key(user=user, now=clock.now(), actor=request.user)
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
        kernel_admin.confirmed_action(
            form_class=ConfirmForm, description="Revoke the selected keys", perform=_revoke_api_keys
        ),
        kernel_admin.confirmed_action(
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
        operations.regenerate_api_key(user=obj.user, now=clock.now(), actor=request.user)
        issued = models.APIKey.objects.get(user=obj.user, revoked_at__isnull=True)
        for field in models.APIKey._meta.concrete_fields:
            setattr(obj, field.attname, getattr(issued, field.attname))
        obj._state.adding = False


@admin.register(models.RefreshToken)
class RefreshTokenAdmin(CredentialAdmin):
    list_display = ("id", "user", "created_at", "expires_at", "revoked_at")
    search_fields = ("user__email",)
    readonly_fields = ("user", "token_hash", "created_at", "expires_at")
    fields = ("user", "token_hash", "created_at", "expires_at", "revoked_at")


@admin.register(models.AuthenticationState)
class AuthenticationStateAdmin(kernel_admin.ReadOnlyAdmin):
    list_display = ("user", "generation", "reauthenticated_at")
    search_fields = ("user__email",)


@admin.register(models.LoyaltyPointLedgerEntry)
class LoyaltyPointLedgerEntryAdmin(kernel_admin.ReadOnlyAdmin):
    """Append-only: entries are read here; points are earned and redeemed through operations."""

    list_display = ("posted_at", "user", "account", "points", "reason", "reference")
    list_select_related = ("user", "account")
    list_filter = ("reason", "posted_at")
    search_fields = ("user__email", "=account__number", "=reference")
    date_hierarchy = "posted_at"


@admin.register(models.CommsPreferences)
class CommsPreferencesAdmin(CredentialAdmin):
    list_display = (
        "user",
        "email_format",
        "is_opted_in_to_offer_messages",
        "is_opted_in_to_sms_messages",
        "updated_at",
    )
    search_fields = ("user__email",)
    autocomplete_fields = ("user",)
    readonly_fields = ("updated_at",)


@admin.register(models.LongLivedRefreshTokenGrant)
class LongLivedRefreshTokenGrantAdmin(kernel_admin.ReadOnlyAdmin):
    list_display = ("refresh_token", "issued_by", "issued_at")
    list_select_related = ("refresh_token__user", "issued_by")
    search_fields = ("issued_by__email", "refresh_token__user__email")
