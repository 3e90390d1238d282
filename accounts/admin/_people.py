"""People and places (users, addresses, properties) and the customer API's credentials."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts import models
from kernel import admin as kernel_admin


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


@admin.register(models.APIKey)
class APIKeyAdmin(CredentialAdmin):
    list_display = ("prefix", "user", "created_at", "revoked_at")
    search_fields = ("prefix", "user__email")
    readonly_fields = ("user", "prefix", "key_hash", "created_at")
    fields = ("user", "prefix", "key_hash", "created_at", "revoked_at")


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
