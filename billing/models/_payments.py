"""Payments and the payment collection attempts that make them (see billing/models/__init__.py)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from billing.models._leases import HELP_CLAIMED, HELP_LEASE
from kernel import money


class PaymentStatus(models.TextChoices):
    SCHEDULED = "SCHEDULED"
    PENDING = "PENDING"
    REQUESTED = "REQUESTED"
    CLEARED = "CLEARED"
    FAILED = "FAILED"
    DELETED = "DELETED"


class PaymentTransactionType(models.TextChoices):
    DD_FIRST_COLLECTION = "DD_FIRST_COLLECTION"
    DD_REGULAR_COLLECTION = "DD_REGULAR_COLLECTION"
    DD_RE_PRESENTATION = "DD_RE_PRESENTATION"
    DD_FINAL_COLLECTION = "DD_FINAL_COLLECTION"
    CREDIT_CARD = "CREDIT_CARD"
    DEBIT_CARD = "DEBIT_CARD"
    BACS_DEPOSIT = "BACS_DEPOSIT"
    CHEQUE = "CHEQUE"
    CASH = "CASH"
    UNKNOWN = "UNKNOWN"


class Payment(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="payments")
    bill = models.ForeignKey(
        "billing.Bill", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    payment_method = models.ForeignKey(
        "accounts.PaymentMethod", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    amount = models.BigIntegerField(help_text="Minor units collected, positive")
    currency = models.CharField(max_length=3, choices=money.CURRENCY_CHOICES)
    status = models.CharField(max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    transaction_type = models.CharField(
        max_length=32, choices=PaymentTransactionType.choices, default=PaymentTransactionType.UNKNOWN
    )
    idempotency_key = models.CharField(max_length=128, unique=True)
    vendor_reference = models.CharField(max_length=255, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]
        permissions = [("collect_payment", "Can collect a bill's payment from the account's payment method")]

    def __str__(self) -> str:
        return (
            f"Payment {money.format_amount(minor_units=self.amount, currency=self.currency)} ({self.status})"
        )


class CollectionAttemptStatus(models.TextChoices):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    DECLINED = "DECLINED"
    FAILED = "FAILED"


class PaymentCollectionAttempt(models.Model):
    """One request to a payment vendor. `idempotency_key` is per (account, bill, attempt) and is sent
    to the vendor, so a retried request never charges twice."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    bill = models.ForeignKey("billing.Bill", on_delete=models.PROTECT, related_name="collection_attempts")
    payment_method = models.ForeignKey("accounts.PaymentMethod", on_delete=models.PROTECT, related_name="+")
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="collection_attempt"
    )
    attempt_number = models.PositiveSmallIntegerField()
    idempotency_key = models.CharField(max_length=128, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=money.CURRENCY_CHOICES)
    status = models.CharField(
        max_length=16, choices=CollectionAttemptStatus.choices, default=CollectionAttemptStatus.PENDING
    )
    vendor = models.CharField(max_length=64)
    vendor_reference = models.CharField(max_length=255, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_detail = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0, db_default=0, help_text="Requests sent with this key")
    next_retry_at = models.DateTimeField(
        null=True, blank=True, help_text="FAILED: when the dunning schedule collects the bill again"
    )
    claimed_by = models.CharField(
        max_length=255, blank=True, default="", db_default="", help_text=HELP_CLAIMED
    )
    lease_until = models.DateTimeField(null=True, blank=True, help_text=HELP_LEASE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bill", "attempt_number"], name="one_attempt_number_per_bill"),
            # At most one request in flight per bill, and a bill is collected at most once.
            models.UniqueConstraint(
                fields=["bill"], condition=Q(status="PENDING"), name="one_pending_attempt_per_bill"
            ),
            models.UniqueConstraint(
                fields=["bill"], condition=Q(status="SUCCEEDED"), name="one_successful_attempt_per_bill"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="collection_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["lease_until"], condition=Q(status="PENDING"), name="collection_leases"),
        ]

    def __str__(self) -> str:
        return f"Collection {self.idempotency_key} ({self.status})"
