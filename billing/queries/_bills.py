"""Bills, payments and collection attempts of accounts, for the customer graph and the back office."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db.models import (
    Case,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce

from accounts import models as accounts_models
from billing import models


def bills_of_account(*, account_id: int, limit: int) -> list[models.Bill]:
    """The account's latest bills, newest period first, with their `lines` and `paid` (cleared
    payments, minor units). Two queries."""
    paid = (
        models.Payment.objects.filter(bill=OuterRef("pk"), status=models.PaymentStatus.CLEARED)
        .order_by()
        .values("bill")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return list(
        models.Bill.objects.filter(account_id=account_id)
        .annotate(paid=Coalesce(Subquery(paid), 0))
        .prefetch_related(Prefetch("lines", queryset=models.BillLine.objects.order_by("id")))
        .order_by("-period_start", "-id")[:limit]
    )


def collectable_bills_of_account(*, account_id: int) -> QuerySet[models.Bill]:
    """The account's live bills with something to collect (before payments: the operation checks
    what is still owed)."""
    return (
        models.Bill.objects.filter(account_id=account_id, status=models.BillStatus.ISSUED, total__gt=0)
        .exclude(bill_type=models.BillType.CREDIT_NOTE)
        .order_by("-period_start", "-id")
    )


def payments_of_account(*, account_id: int, limit: int) -> list[models.Payment]:
    return list(
        models.Payment.objects.filter(account_id=account_id)
        .select_related("bill")
        .order_by("-created_at", "-id")[:limit]
    )


def collection_attempts_of_account(*, account_id: int, limit: int) -> list[models.PaymentCollectionAttempt]:
    return list(
        models.PaymentCollectionAttempt.objects.filter(account_id=account_id)
        .select_related("bill")
        .order_by("-requested_at", "-id")[:limit]
    )


BILL_ORDERS = {"FROM_DATE_DESC": ("-period_start", "-id"), "ISSUED_DATE_DESC": ("-issued_at", "-id")}


def bills(
    *,
    order: str,
    from_date: date | None = None,
    to_date: date | None = None,
    issued_from_date: date | None = None,
    issued_to_date: date | None = None,
) -> QuerySet[models.Bill]:
    """Bills that are not void, in `order` (a key of BILL_ORDERS): only those whose period ends
    after `from_date` or starts before `to_date`, or issued on or between the issue dates, when
    given (days in the database's time zone)."""
    rows = models.Bill.objects.exclude(status=models.BillStatus.VOID)
    if from_date is not None:
        rows = rows.filter(period_end__date__gt=from_date)
    if to_date is not None:
        rows = rows.filter(period_start__date__lt=to_date)
    if issued_from_date is not None:
        rows = rows.filter(issued_at__date__gte=issued_from_date)
    if issued_to_date is not None:
        rows = rows.filter(issued_at__date__lte=issued_to_date)
    return rows.order_by(*BILL_ORDERS[order])


def get_bill_of_account(*, id: int, account_id: int) -> models.Bill | None:
    return models.Bill.objects.filter(pk=id, account_id=account_id).first()


def payments(*, status: str | None = None) -> QuerySet[models.Payment]:
    """Payments, newest first; only those with `status` when given."""
    rows = models.Payment.objects.all()
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def historical_statement_ids(*, account: accounts_models.Account, statement_ids: list[str]) -> set[str]:
    """Which of these statement ids the account already has (as PRE_KRAKEN bills; one query)."""
    return set(
        models.Bill.objects.filter(account=account, external_identifier__in=statement_ids).values_list(
            "external_identifier", flat=True
        )
    )


def run_items(*, billing_run: models.BillingRun, limit: int) -> list[models.BillingRunItem]:
    """A run's per-account outcomes, failures first, with the account and bill."""
    order = Case(
        When(status=models.BillingRunItemStatus.FAILED, then=0),
        When(status=models.BillingRunItemStatus.HELD, then=1),
        When(status=models.BillingRunItemStatus.SKIPPED, then=2),
        default=3,
    )
    return list(
        models.BillingRunItem.objects.filter(billing_run=billing_run)
        .select_related("account", "bill")
        .order_by(order, "id")[:limit]
    )


def bills_of_ledger_references(*, references: Collection[str]) -> dict[str, models.Bill]:
    """The bills whose ledger entries carry these references (`BILL-<id>`, as issuing a bill posts
    its charge), by reference; other references are left out."""
    ids = {ref: int(ref[5:]) for ref in references if ref.startswith("BILL-") and ref[5:].isdigit()}
    found = models.Bill.objects.in_bulk(set(ids.values()))
    return {ref: found[pk] for ref, pk in ids.items() if pk in found}
