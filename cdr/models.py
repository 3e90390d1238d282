"""Consumer Data Right: data recipients, consents and access tokens, and the opaque ids recipients see.

A consent (a CDR arrangement) lets one data recipient software product read a customer's energy
accounts under some scopes until it expires or is revoked. Bearer tokens point at a consent and are
stored hashed. The `accountId` a recipient sees is a random token from `AccountIdentifier`, one per
(software product, customer, account): stable across calls, sessions and consents, different for
every software product, and never derived from the primary key or the account number. The
`servicePointId`s follow the same ID-permanence rules: a random token from `ServicePointIdentifier`, one
per (software product, customer, meter point), never the NMI.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q


class Scope(models.TextChoices):
    # Values are the CDS scope names, which are not UPPER_SNAKE.
    ENERGY_ACCOUNTS_BASIC_READ = "energy:accounts.basic:read", "energy:accounts.basic:read"
    ENERGY_ACCOUNTS_DETAIL_READ = "energy:accounts.detail:read", "energy:accounts.detail:read"


class DataRecipientStatus(models.TextChoices):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    REMOVED = "REMOVED"


class DataRecipient(models.Model):
    """An accredited data recipient's software product, as listed on the CDR Register."""

    software_product_id = models.CharField(max_length=64, unique=True)
    brand_id = models.CharField(max_length=64, help_text="The data recipient brand on the CDR Register")
    name = models.CharField(max_length=255)
    status = models.CharField(
        max_length=16, choices=DataRecipientStatus.choices, default=DataRecipientStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.software_product_id})"


class ConsentStatus(models.TextChoices):
    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


class Consent(models.Model):
    """A CDR arrangement: `customer` shares `accounts` with `recipient` under `scopes` for
    `[granted_at, expires_at)`, unless revoked first."""

    cdr_arrangement_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(DataRecipient, on_delete=models.PROTECT, related_name="consents")
    customer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="cdr_consents")
    accounts = models.ManyToManyField(
        "accounts.Account", through="ConsentAccount", related_name="cdr_consents", blank=True
    )
    scopes = ArrayField(models.CharField(max_length=64, choices=Scope.choices))
    status = models.CharField(max_length=16, choices=ConsentStatus.choices, default=ConsentStatus.ACTIVE)
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("granted_at")), name="consent_expires_after_grant"
            ),
            models.CheckConstraint(
                condition=Q(scopes__len__gt=0) & Q(scopes__contained_by=[scope.value for scope in Scope]),
                name="consent_scopes_known",
            ),
            models.CheckConstraint(
                condition=Q(status=ConsentStatus.REVOKED, revoked_at__isnull=False)
                | (~Q(status=ConsentStatus.REVOKED) & Q(revoked_at__isnull=True)),
                name="consent_revoked_at_iff_revoked",
            ),
        ]
        indexes = [models.Index(fields=["customer", "recipient"])]

    def __str__(self) -> str:
        return f"Arrangement {self.cdr_arrangement_id}"


class ConsentAccount(models.Model):
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="consent_accounts")
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consent", "account"], name="one_row_per_consented_account")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} in {self.consent_id}"


class AccountIdentifier(models.Model):
    """The opaque `accountId` one software product sees for one customer's account."""

    recipient = models.ForeignKey(DataRecipient, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="cdr_identifiers")
    cdr_account_id = models.CharField(max_length=64, unique=True, help_text="The opaque accountId")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "customer", "account"], name="one_account_id_per_recipient_customer"
            )
        ]

    def __str__(self) -> str:
        return self.cdr_account_id


class ServicePointIdentifier(models.Model):
    """The opaque `servicePointId` one software product sees for one customer's meter point (NMI)."""

    recipient = models.ForeignKey(DataRecipient, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    meter_point = models.ForeignKey(
        "metering.MeterPoint", on_delete=models.PROTECT, related_name="cdr_identifiers"
    )
    cdr_service_point_id = models.CharField(max_length=64, unique=True, help_text="The opaque servicePointId")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "customer", "meter_point"],
                name="one_service_point_id_per_recipient_customer",
            )
        ]

    def __str__(self) -> str:
        return self.cdr_service_point_id


class AccessToken(models.Model):
    """An opaque bearer token for a consent. Only its SHA-256 is stored; the raw token is shown once."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="access_tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=12, editable=False, help_text="The first characters, to recognise it"
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("issued_at")), name="access_token_expires_after_issue"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.consent})"
