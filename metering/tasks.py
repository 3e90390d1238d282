"""Celery doors of metering."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from kernel import clock
from metering import operations

PARTITION_MONTHS_AHEAD = 3


@shared_task(name="metering.ensure_interval_partitions", queue=settings.DEFAULT_QUEUE, acks_late=True)
def ensure_interval_partitions(**kwargs) -> list[str]:
    """Create this month's and the next months' interval-data partitions ahead of the data."""
    today = clock.now().date()
    months = []
    year, month = today.year, today.month
    for _ in range(PARTITION_MONTHS_AHEAD + 1):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return operations.ensure_interval_partitions(months=months)
