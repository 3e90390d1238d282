"""Accounts, the people who use them, where they live, how they pay, and their ledgers.

Enumerations take their values from the Kraken customer graph (spec/customer-graph.graphql) so the
GraphQL and import layers map one to one.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q, Sum
from django.db.models.functions import Lower, Upper
from django.utils import timezone

from accounts.models._credentials import APIKey, AuthenticationState, LongLivedRefreshTokenGrant, RefreshToken
from kernel import money, search

__all__ = ["APIKey", "AuthenticationState", "LongLivedRefreshTokenGrant", "RefreshToken"]


class User(AbstractUser):
    """A person: an account user (customer) or a member of staff. Logs in with email."""

    email = models.EmailField(unique=True)
    preferred_name = models.CharField(max_length=255, blank=True)
    mobile = models.CharField(max_length=32, blank=True)
    landline = models.CharField(max_length=32, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    title = models.CharField(max_length=32, blank=True, help_text="e.g. Mx, Ms, Dr")
    pronouns = models.CharField(max_length=64, blank=True)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        # Back-office search: email regardless of case, phones by their last ten digits.
        indexes = [
            models.Index(Upper("email"), name="user_email_upper"),
            # Imports read the roles a chunk's customers hold by email in lower case
            # (`roles_held_by_emails`): without it each chunk scans every user.
            models.Index(Lower("email"), name="user_email_lower"),
            models.Index(search.PhoneKey("mobile"), name="user_mobile_key"),
            models.Index(search.PhoneKey("landline"), name="user_landline_key"),
        ]

    def __str__(self) -> str:
        return self.email or self.username


class AccountStatus(models.TextChoices):
    PENDING = "PENDING"
    INCOMPLETE = "INCOMPLETE"
    WITHDRAWN = "WITHDRAWN"
    ACTIVE = "ACTIVE"
    ENROLMENT_ERROR = "ENROLMENT_ERROR"
    ENROLMENT_REJECTED = "ENROLMENT_REJECTED"
    DORMANT = "DORMANT"
    VOID = "VOID"


class AccountType(models.TextChoices):
    BUSINESS = "BUSINESS"
    DOMESTIC = "DOMESTIC"
    BUSINESS_OCCUPIER = "BUSINESS_OCCUPIER"
    OCCUPIER = "OCCUPIER"
    MANAGED = "MANAGED"
    PORTFOLIO_LEAD = "PORTFOLIO_LEAD"
    BUSINESS_VACANT = "BUSINESS_VACANT"
    VACANT = "VACANT"


ACCOUNT_NUMBER_REGEX = r"^A-[0-9A-F]{8}$"


def generate_account_number() -> str:
    return f"A-{secrets.token_hex(4).upper()}"


class Address(models.Model):
    line_1 = models.CharField(max_length=255)
    line_2 = models.CharField(max_length=255, blank=True)
    line_3 = models.CharField(max_length=255, blank=True)
    locality = models.CharField(max_length=255, blank=True, help_text="Town or city")
    administrative_area = models.CharField(
        max_length=255, blank=True, help_text="County, state or prefecture"
    )
    postcode = models.CharField(max_length=16, blank=True, db_index=True)
    country = models.CharField(max_length=2, default="GB", help_text="ISO 3166-1 alpha-2")
    delivery_point_identifier = models.CharField(
        max_length=32, blank=True, help_text="The postal service's id of the delivery point (GB: UDPRN)"
    )

    class Meta:
        verbose_name_plural = "addresses"
        indexes = [models.Index(search.postcode_key_expression("postcode"), name="address_postcode_key")]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.line_1, self.locality, self.postcode) if part)


class Account(models.Model):
    number = models.CharField(
        max_length=10,
        unique=True,
        default=generate_account_number,
        help_text="Public account number, e.g. A-1A2B3C4D. Never the primary key.",
    )
    status = models.CharField(max_length=32, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    account_type = models.CharField(max_length=32, choices=AccountType.choices, default=AccountType.DOMESTIC)
    billing_name = models.CharField(max_length=255)
    billing_address = models.ForeignKey(
        Address, on_delete=models.PROTECT, null=True, blank=True, related_name="billed_accounts"
    )
    billing_email = models.EmailField(blank=True)
    billing_sub_name = models.CharField(
        max_length=255, blank=True, help_text="A second line of the name billed"
    )
    currency = models.CharField(max_length=3, choices=money.CURRENCY_CHOICES, default="GBP")
    brand = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    users = models.ManyToManyField(User, through="AccountUserRole", related_name="accounts")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=ACCOUNT_NUMBER_REGEX), name="account_number_format"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # The back office lists newest first and searches names and billing emails.
            models.Index(fields=["-created_at", "-id"], name="account_newest_first"),
            GinIndex(OpClass(Upper("billing_name"), name="gin_trgm_ops"), name="account_name_trgm"),
            models.Index(Upper("billing_email"), name="account_billing_email_upper"),
        ]
        permissions = [("change_account_status", "Can change an account's status, giving a reason")]

    def __str__(self) -> str:
        return self.number


class AccountUserRoleType(models.TextChoices):
    ADMIN = "ADMIN"
    CARER = "CARER"
    LOYALTY_POINT_USER = "LOYALTY_POINT_USER"
    TRACED = "TRACED"


class AccountUserRole(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="user_roles")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_roles")
    role = models.CharField(
        max_length=32, choices=AccountUserRoleType.choices, default=AccountUserRoleType.ADMIN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "user"], name="one_role_per_account_user")]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.account}"


def new_property_public_id() -> int:
    """A random 31-bit public number for a property (Kraken clients send property ids as Int)."""
    return secrets.randbelow(2**31 - 1) + 1


class Property(models.Model):
    """A supply address an account occupies for a half-open period `[occupied_from, occupied_to)`."""

    public_id = models.PositiveIntegerField(
        unique=True,
        default=new_property_public_id,
        editable=False,
        help_text="Stable random public number (the GraphQL property id), never the primary key",
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="properties")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="properties")
    occupied_from = models.DateTimeField()
    occupied_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "properties"
        constraints = [
            models.CheckConstraint(
                condition=Q(occupied_to__isnull=True) | Q(occupied_to__gte=models.F("occupied_from")),
                name="property_occupancy_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.account})"


class PaymentMethodType(models.TextChoices):
    DIRECT_DEBIT = "DIRECT_DEBIT"
    CARD_PAYMENT = "CARD_PAYMENT"
    BACS_TRANSFER = "BACS_TRANSFER"
    PAYMENT_SLIP = "PAYMENT_SLIP"


class PaymentMethodStatus(models.TextChoices):
    ACTIVE = "ACTIVE"
    PROVISIONAL = "PROVISIONAL"
    FAILED = "FAILED"
    ACCOUNT_CLOSED = "ACCOUNT_CLOSED"


class PaymentMethod(models.Model):
    """A direct debit mandate or a vendor's card token. Raw card or bank numbers are never stored."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="payment_methods")
    method_type = models.CharField(max_length=32, choices=PaymentMethodType.choices)
    status = models.CharField(
        max_length=32, choices=PaymentMethodStatus.choices, default=PaymentMethodStatus.ACTIVE
    )
    vendor = models.CharField(max_length=64, help_text="Payment vendor holding the mandate or token")
    vendor_reference = models.CharField(max_length=255, help_text="Mandate reference or card token")
    last_four = models.CharField(max_length=4, blank=True, help_text="Last four digits, for display")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status="ACTIVE"),
                name="one_active_payment_method_per_account",
            ),
            models.UniqueConstraint(fields=["vendor", "vendor_reference"], name="unique_vendor_reference"),
            models.CheckConstraint(condition=Q(last_four__regex=r"^[0-9]{0,4}$"), name="last_four_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.method_type} {self.vendor_reference} ({self.account})"


class LedgerType(models.TextChoices):
    ENERGY = "ENERGY"
    ELECTRICITY = "ELECTRICITY"
    GAS = "GAS"
    VOUCHERS = "VOUCHERS"


class Ledger(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="ledgers")
    ledger_type = models.CharField(max_length=32, choices=LedgerType.choices, default=LedgerType.ENERGY)
    currency = models.CharField(max_length=3, choices=money.CURRENCY_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "ledger_type"], name="one_ledger_per_type"),
            # The target of LedgerEntry's (ledger, currency) foreign key, created in the migration.
            models.UniqueConstraint(fields=["id", "currency"], name="ledger_id_currency"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.ledger_type} ({self.currency})"


class LedgerEntryKind(models.TextChoices):
    CHARGE = "CHARGE"
    PAYMENT = "PAYMENT"
    REFUND = "REFUND"
    CREDIT = "CREDIT"
    ADJUSTMENT = "ADJUSTMENT"
    OPENING_BALANCE = "OPENING_BALANCE"


class AppendOnlyError(Exception):
    """Raised on an attempt to change or remove a ledger entry: corrections are new entries."""


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Ledger entries are append-only")

    def delete(self):
        raise AppendOnlyError("Ledger entries are append-only")

    def balance(self) -> int:
        return self.aggregate(total=Sum("amount"))["total"] or 0


class LedgerEntry(models.Model):
    """One posting. `amount` is signed integer minor units: positive credits the customer (payments,
    refunds of charges), negative debits them (charges). A ledger's balance is the sum of its entries,
    so positive means in credit, as Kraken reports balances.

    The database refuses UPDATE and DELETE (trigger) and a currency other than the ledger's
    (composite foreign key), whatever the caller.
    """

    # The composite foreign key (ledger, currency) keeps the ledger: a second key on the ledger alone
    # would check each new entry again at commit; (ledger, posted_at) indexes it.
    ledger = models.ForeignKey(
        Ledger, on_delete=models.PROTECT, related_name="entries", db_constraint=False, db_index=False
    )
    amount = models.BigIntegerField(help_text="Signed minor units; positive is in the customer's favour")
    currency = models.CharField(max_length=3, choices=money.CURRENCY_CHOICES)
    kind = models.CharField(max_length=32, choices=LedgerEntryKind.choices)
    description = models.CharField(max_length=255)
    reference = models.CharField(
        max_length=128, blank=True, help_text="Source of the entry, e.g. a bill or payment identifier"
    )
    posted_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Indexed only where set (`ledger_entry_created_by`): entries a process posts (billing, imports)
    # have no creator, and an index entry for each would cost every such write.
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(
                fields=["ledger", "reference"], condition=~Q(reference=""), name="unique_ledger_reference"
            ),
        ]
        indexes = [
            models.Index(fields=["ledger", "posted_at"]),
            models.Index(
                fields=["created_by"], condition=Q(created_by__isnull=False), name="ledger_entry_created_by"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {money.format_amount(minor_units=self.amount, currency=self.currency)}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Ledger entries are append-only")


class LedgerAdjustmentStatus(models.TextChoices):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    POSTED = "POSTED"
    REJECTED = "REJECTED"


class LedgerAdjustment(models.Model):
    """An ops user's adjustment of an account's ledger. Up to the currency's approval threshold it is
    posted at once; above it, it waits until a second person approves (maker-checker) or rejects it.
    `(account, idempotency_key)` is unique, so one submitted form posts once however often it arrives,
    and the database refuses an approval by the person who asked."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="ledger_adjustments")
    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(help_text="Signed minor units; positive is in the customer's favour")
    currency = models.CharField(max_length=3, choices=money.CURRENCY_CHOICES)
    description = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=LedgerAdjustmentStatus.choices)
    idempotency_key = models.CharField(max_length=64)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    ledger_entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="adjustment"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "idempotency_key"], name="one_adjustment_per_form"),
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_moves_money"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="adjustment_decided_by_another_person",
            ),
            models.CheckConstraint(
                condition=~Q(status="POSTED") | Q(ledger_entry__isnull=False),
                name="posted_adjustment_has_entry",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]
        permissions = [("approve_ledgeradjustment", "Can approve or reject ledger adjustments")]

    def __str__(self) -> str:
        amount = money.format_amount(minor_units=self.amount, currency=self.currency)
        return f"Adjustment {amount} on {self.account} ({self.get_status_display()})"


class AccountNote(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notes")
    body = models.TextField()
    is_pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["account", "created_at"])]

    def __str__(self) -> str:
        return f"Note on {self.account} at {self.created_at:%Y-%m-%d %H:%M}"


class AuditEntry(models.Model):
    """A record of a state change that matters (import, bill issue, payment, adjustment)."""

    # Indexed by (account, occurred_at); the actor only where there is one (most entries are a
    # process's: billing, imports); the action by a plain b-tree, without the LIKE-pattern twin
    # `db_index` adds, which no lookup uses (admin filters and searches by the exact action). Two
    # audit rows go with every bill a run issues, so each index left out is a write fewer.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["account", "occurred_at"]),
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="audit_entry_actor"),
            models.Index(fields=["action"], name="audit_entry_action"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


# --- Loyalty points (Octopoints): GraphQL loyaltyPointLedgers / redeemLoyaltyPointsForAccountCredit ---


class LoyaltyPointReason(models.TextChoices):
    SAVING_SESSION_REWARD = "SAVING_SESSION_REWARD"
    SIGN_UP_BONUS = "SIGN_UP_BONUS"
    REFERRAL_REWARD = "REFERRAL_REWARD"
    ACCOUNT_CREDIT_REDEMPTION = "ACCOUNT_CREDIT_REDEMPTION"
    ADJUSTMENT = "ADJUSTMENT"


class LoyaltyPointEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Loyalty point entries are append-only")

    def delete(self):
        raise AppendOnlyError("Loyalty point entries are append-only")

    def balance(self) -> int:
        return self.aggregate(total=Sum("points"))["total"] or 0


class LoyaltyPointLedgerEntry(models.Model):
    """One posting on a user's loyalty point ledger: positive earns, negative spends. The balance is
    the sum of the user's entries and never goes below zero (checked when spending, under a lock on
    the user). `account` is the account the points were earned on or redeemed to."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="loyalty_point_entries")
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="loyalty_point_entries"
    )
    points = models.IntegerField()
    reason = models.CharField(max_length=32, choices=LoyaltyPointReason.choices)
    reference = models.CharField(
        max_length=128, blank=True, help_text="Source of the entry, e.g. a saving session event code"
    )
    posted_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LoyaltyPointEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "loyalty point ledger entries"
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="loyalty_points_not_zero"),
            models.UniqueConstraint(
                fields=["user", "reference"], condition=~Q(reference=""), name="unique_loyalty_reference"
            ),
        ]
        indexes = [models.Index(fields=["user", "posted_at"])]

    def __str__(self) -> str:
        return f"{self.points:+d} points for {self.user} ({self.reason})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Loyalty point entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Loyalty point entries are append-only")


# --- Customer API: comms preferences (updateCommsPreferences) and long-lived refresh tokens ---------


class EmailFormat(models.TextChoices):
    TEXT = "TEXT"
    HTML = "HTML"


# Kraken's `Songs` enum: the hold music an account user prefers when calling.
HOLD_MUSIC_CHOICES = [
    ("NO_SONG_PREFERRED", "No song preferred"),
    ("SONG_hold_music_4_33_silence", "Hold music: 4'33\""),
    ("SONG_hold_music_holding_firm", "Hold music: Holding firm"),
    *[(f"SONG_{year}", str(year)) for year in range(1938, 2004)],
]


class CommsPreferences(models.Model):
    """How an account user wants to be contacted. A user without a row has the defaults below: no
    opt-ins until the user gives them."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="comms_preferences"
    )
    is_opted_in_to_client_messages = models.BooleanField(default=False)
    is_opted_in_to_offer_messages = models.BooleanField(default=False)
    is_opted_in_to_recommended_messages = models.BooleanField(default=False)
    is_opted_in_to_update_messages = models.BooleanField(default=False)
    is_opted_in_to_third_party_messages = models.BooleanField(default=False)
    is_opted_in_meter_reading_confirmations = models.BooleanField(default=False)
    is_opted_in_to_sms_messages = models.BooleanField(default=False)
    is_using_inverted_email_colours = models.BooleanField(default=False)
    font_size_multiplier = models.DecimalField(max_digits=3, decimal_places=2, default=1)
    email_format = models.CharField(max_length=4, choices=EmailFormat.choices, default=EmailFormat.HTML)
    preferred_hold_music = models.CharField(
        max_length=32, choices=HOLD_MUSIC_CHOICES, default="NO_SONG_PREFERRED"
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "comms preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(font_size_multiplier__gte=0.5, font_size_multiplier__lte=3),
                name="comms_font_size_multiplier_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Comms preferences of {self.user}"
