"""Moving out: supply, occupancy and agreements end together, so the next bill is the final one."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from billing import models
from metering import operations as metering_operations

A_MOMENT = timedelta(microseconds=1)


class NothingToEnd(ValueError):
    """The account has no agreement in force at or after the move-out."""


def move_out(*, account: accounts_models.Account, at: datetime, now: datetime) -> list[models.Agreement]:
    """The customer leaves at `at`: every agreement of the account in force then ends at `at`, supply to their meter points ends, and the properties' occupancy ends, in one
    transaction with audit rows. The billing run for the period holding `at` bills up to it (the
    final bill); later runs find nothing to bill. Returns the agreements ended.

    Raises NothingToEnd.
    """
    with transaction.atomic():
        current = list(
            models.Agreement.objects.select_for_update()
            .filter(account=account)
            .overlapping(start=at, end=at + A_MOMENT)
            .exclude(active_from=at)
            .order_by("id")
        )
        if not current:
            raise NothingToEnd(f"{account} has no agreement in force at {at.isoformat()}")
        for agreement in current:
            agreement.active_to = at
        models.Agreement.objects.bulk_update(current, ["active_to"])
        metering_operations.end_supply(
            meter_point_ids=sorted({a.meter_point_id for a in current}), at=at, now=now
        )
        accounts_operations.end_occupancy(account=account, at=at, now=now)
        accounts_operations.record_audit(
            action="MOVED_OUT", obj=account, account=account, occurred_at=now, data={"at": at.isoformat()}
        )
    return current
