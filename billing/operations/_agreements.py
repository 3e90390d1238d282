"""Bulk loading of agreements with COPY (data import)."""

from __future__ import annotations

import typing
from datetime import datetime

from billing import models
from kernel import bulk


class AgreementRow(typing.NamedTuple):
    account_id: int
    meter_point_id: int
    tariff_id: int
    active_from: datetime
    active_to: datetime | None


def copy_agreements(*, rows: list[AgreementRow], now: datetime) -> None:
    """Write agreements with COPY inside the caller's transaction. The database refuses two
    agreements overlapping on one meter point and a period ending before it starts.

    Raises IntegrityError.
    """
    bulk.copy_rows(model=models.Agreement, rows=rows, now=now, binary=True)
