"""Loyalty points (Octopoints): awards and redemptions against the energy ledger."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from accounts import models
from accounts.operations._audit import record_audit
from accounts.operations._ledgers import CurrencyMismatch, post_ledger_entry

# Octopoints are worth an eighth of a penny: 8 points are 1p (800 points £1). They are redeemed in
# whole pence.
LOYALTY_POINTS_PER_PENNY = 8
LOYALTY_POINT_CURRENCY = "GBP"


class NoLoyaltyPoints(Exception):
    """The user has never had loyalty points (no ledger)."""


class NonPositivePoints(ValueError):
    """Zero or negative points asked for."""


class IndivisiblePoints(ValueError):
    """Points that do not make whole pence."""


class InsufficientPoints(ValueError):
    """More points than the user holds."""


def award_loyalty_points(
    *,
    user: models.User,
    account: models.Account | None,
    points: int,
    reason: str,
    reference: str,
    posted_at: datetime,
) -> models.LoyaltyPointLedgerEntry:
    """Give a user points. Idempotent on `reference`: awarding the same reference again returns the
    first entry. Raises NonPositivePoints."""
    if points <= 0:
        raise NonPositivePoints(points)
    with transaction.atomic():
        entry, created = models.LoyaltyPointLedgerEntry.objects.get_or_create(
            user=user,
            reference=reference,
            defaults={"account": account, "points": points, "reason": reason, "posted_at": posted_at},
        )
        if created:
            record_audit(
                action="LOYALTY_POINTS_AWARDED",
                obj=entry,
                account=account,
                actor=None,
                data={"points": points, "reason": reason, "reference": reference},
                occurred_at=posted_at,
            )
    return entry


def loyalty_points_value(*, points: int) -> int:
    """What `points` are worth in pence (GBP minor units): 8 points to the penny, exactly.

    Raises IndivisiblePoints for points that are not a whole number of pence.
    """
    pence, remainder = divmod(points, LOYALTY_POINTS_PER_PENNY)
    if remainder:
        raise IndivisiblePoints(points)
    return pence


def redeem_loyalty_points(
    *, user: models.User, account: models.Account, points: int, now: datetime
) -> models.LedgerEntry:
    """Turn a user's points into a credit on the account's energy ledger, 8 points to 1p. The points
    leave the user's loyalty ledger and the credit is posted in the same transaction; a lock on the
    user keeps concurrent redemptions from spending the same points twice.

    Raises NonPositivePoints, IndivisiblePoints, NoLoyaltyPoints, InsufficientPoints,
    CurrencyMismatch for an account not billed in pounds, Ledger.DoesNotExist without an energy ledger.
    """
    if points <= 0:
        raise NonPositivePoints(points)
    credit = loyalty_points_value(points=points)
    if account.currency != LOYALTY_POINT_CURRENCY:
        raise CurrencyMismatch(f"Loyalty points pay out in {LOYALTY_POINT_CURRENCY}, not {account.currency}")
    with transaction.atomic():
        models.User.objects.select_for_update().filter(pk=user.pk).first()
        entries = models.LoyaltyPointLedgerEntry.objects.filter(user=user)
        if not entries.exists():
            raise NoLoyaltyPoints(user.pk)
        if entries.balance() < points:
            raise InsufficientPoints(points)
        ledger = models.Ledger.objects.get(account=account, ledger_type=models.LedgerType.ENERGY)
        redemption = models.LoyaltyPointLedgerEntry.objects.create(
            user=user,
            account=account,
            points=-points,
            reason=models.LoyaltyPointReason.ACCOUNT_CREDIT_REDEMPTION,
            posted_at=now,
        )
        return post_ledger_entry(
            ledger=ledger,
            amount=credit,
            currency=LOYALTY_POINT_CURRENCY,
            kind=models.LedgerEntryKind.CREDIT,
            description=f"{points} loyalty points redeemed",
            posted_at=now,
            reference=f"loyalty-redemption-{redemption.pk}",
            created_by=user,
        )
