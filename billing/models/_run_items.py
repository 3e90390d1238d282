"""Billing run items: one account's share of a billing run (see billing/models/__init__.py)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from billing.models._leases import HELP_CLAIMED, HELP_LEASE


class BillingRunItemStatus(models.TextChoices):
    PENDING = "PENDING"
    HELD = "HELD"
    BILLED = "BILLED"
    SKIPPED = "SKIPPED"
    FAILED = "FAILED"


class BillingRunItem(models.Model):
    """One account's share of a billing run: the unit of work a chunk task claims.

    `(billing_run, account)` is unique, so an account is in a run once; a chunk task leases its
    PENDING items (committed at once), then writes the bills and marks them in one transaction, so a
    redelivered or duplicated task finds nothing left to do, and a lost worker's items are handed on
    by the lease sweep.
    """

    # Indexed by (account, billing_run) and (billing_run, chunk, status): an index of their own would
    # only cost every item written, claimed and finished.
    billing_run = models.ForeignKey(
        "billing.BillingRun", on_delete=models.CASCADE, related_name="items", db_index=False
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    chunk = models.PositiveIntegerField()
    status = models.CharField(
        max_length=8, choices=BillingRunItemStatus.choices, default=BillingRunItemStatus.PENDING
    )
    bill = models.OneToOneField(
        "billing.Bill", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    error_code = models.CharField(max_length=64, blank=True)
    error_detail = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    held_total = models.BigIntegerField(
        null=True, blank=True, help_text="HELD: the total of the bill awaiting review, minor units"
    )
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0, help_text="Times a worker took it")
    claimed_by = models.CharField(
        max_length=255, blank=True, default="", db_default="", help_text=HELP_CLAIMED
    )
    lease_until = models.DateTimeField(null=True, blank=True, help_text=HELP_LEASE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "billing_run"], name="one_item_per_run_account"),
            models.CheckConstraint(
                condition=~Q(status="BILLED") | Q(bill__isnull=False), name="billed_item_has_bill"
            ),
        ]
        indexes = [
            models.Index(fields=["billing_run", "chunk", "status"]),
            models.Index(fields=["lease_until"], condition=Q(status="PENDING"), name="billing_item_leases"),
        ]

    def __str__(self) -> str:
        return f"Run {self.billing_run_id} account {self.account_id}: {self.status}"
