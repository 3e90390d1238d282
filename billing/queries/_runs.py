"""Reads of billing runs, bills and what is collectable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts import models as accounts_models
from billing import models
from kernel import bulk, ranges


def get_billing_run(*, id: int) -> models.BillingRun:
    """Raises BillingRun.DoesNotExist."""
    return models.BillingRun.objects.get(id=id)


def get_bill(*, id: int) -> models.Bill:
    """Raises Bill.DoesNotExist."""
    return models.Bill.objects.select_related("account").get(id=id)


def accounts_in_scope(*, scope: dict) -> QuerySet[accounts_models.Account]:
    """The accounts a billing run covers: `{"account_numbers": [...]}`, else every ACTIVE account."""
    accounts = accounts_models.Account.objects.filter(status=accounts_models.AccountStatus.ACTIVE)
    if numbers := scope.get("account_numbers"):
        accounts = accounts.filter(number__in=numbers)
    return accounts.order_by("id")


# Per account, one probe of the exclusion constraint's index (account, period): filtering the bills
# overlapping the period by account instead would read every live bill of that period, a run's
# whole population by its last chunk.
_LIVE_BILLS_SQL = f"""
SELECT a.id FROM unnest(%(ids)s::bigint[]) AS a(id)
CROSS JOIN LATERAL (
    SELECT FROM billing_bill AS b
    WHERE b.account_id = a.id AND b.status = '{models.BillStatus.ISSUED}'
        AND NOT b.bill_type = '{models.BillType.CREDIT_NOTE}'
        AND tstzrange(b.period_start, b.period_end, '[)') && tstzrange(%(start)s, %(end)s, '[)')
    LIMIT 1
) AS live
"""


def accounts_with_live_bills(*, account_ids: Sequence[int], period: ranges.Period) -> set[int]:
    """Which of the accounts already have a live bill overlapping `period`."""
    if not account_ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            _LIVE_BILLS_SQL,
            {"ids": bulk.array_param(list(account_ids)), "start": period.start, "end": period.end},
        )
        return {row[0] for row in cursor.fetchall()}


@dataclass(frozen=True)
class RunProgress:
    total: int
    pending: int
    billed: int
    skipped: int
    failed: int
    held: int = 0

    @property
    def done(self) -> int:
        return self.billed + self.skipped + self.failed + self.held

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100


def billing_run_progress(*, billing_run: models.BillingRun) -> RunProgress:
    counts = dict(
        models.BillingRunItem.objects.filter(billing_run=billing_run)
        .values_list("status")
        .annotate(count=Count("id"))
        .values_list("status", "count")
    )
    status = models.BillingRunItemStatus
    return RunProgress(
        total=sum(counts.values()),
        pending=counts.get(status.PENDING, 0),
        billed=counts.get(status.BILLED, 0),
        skipped=counts.get(status.SKIPPED, 0),
        failed=counts.get(status.FAILED, 0),
        held=counts.get(status.HELD, 0),
    )


def pending_chunks(*, billing_run: models.BillingRun) -> list[int]:
    return list(
        models.BillingRunItem.objects.filter(
            billing_run=billing_run, status=models.BillingRunItemStatus.PENDING
        )
        .values_list("chunk", flat=True)
        .distinct()
        .order_by("chunk")
    )


def failed_items(*, billing_run: models.BillingRun) -> QuerySet[models.BillingRunItem]:
    return (
        models.BillingRunItem.objects.filter(
            billing_run=billing_run, status=models.BillingRunItemStatus.FAILED
        )
        .select_related("account")
        .order_by("id")
    )


def bill_outstanding(*, bill: models.Bill) -> int:
    """What is still owed on a bill: its total less the payments cleared against it."""
    paid = models.Payment.objects.filter(bill=bill, status=models.PaymentStatus.CLEARED).aggregate(
        paid=Coalesce(Sum("amount"), 0)
    )["paid"]
    return bill.total - paid


def collectable_bill_ids(*, now: datetime, limit: int = 1000) -> list[int]:
    """Issued bills with something owed, whose account owes money on its energy ledger (a bill the
    ledger shows settled, paid by other means, is not collected) and has an active payment method,
    and no attempt in flight, collected or declined (a hard decline is not retried automatically),
    nor FAILED and not yet due again on the dunning schedule."""
    blocking = models.PaymentCollectionAttempt.objects.filter(bill=OuterRef("pk")).filter(
        Q(
            status__in=[
                models.CollectionAttemptStatus.PENDING,
                models.CollectionAttemptStatus.SUCCEEDED,
                models.CollectionAttemptStatus.DECLINED,
            ]
        )
        | Q(status=models.CollectionAttemptStatus.FAILED)
        & (Q(next_retry_at__isnull=True) | Q(next_retry_at__gt=now))
    )
    active_method = accounts_models.PaymentMethod.objects.filter(
        account=OuterRef("account_id"), status=accounts_models.PaymentMethodStatus.ACTIVE
    )
    ledger_balance = (
        accounts_models.LedgerEntry.objects.filter(
            ledger__account_id=OuterRef("account_id"), ledger__ledger_type=accounts_models.LedgerType.ENERGY
        )
        .values("ledger__account_id")
        .annotate(balance=Sum("amount"))
        .values("balance")
    )
    return list(
        models.Bill.objects.filter(status=models.BillStatus.ISSUED, total__gt=0)
        .exclude(bill_type=models.BillType.CREDIT_NOTE)
        .filter(Exists(active_method), ~Exists(blocking))
        .annotate(
            paid=Coalesce(
                Sum("payments__amount", filter=Q(payments__status=models.PaymentStatus.CLEARED)), 0
            ),
            ledger_balance=Coalesce(Subquery(ledger_balance), 0),
        )
        .filter(total__gt=F("paid"), ledger_balance__lt=0)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
