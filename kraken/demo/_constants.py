"""Fixed names and development-only secrets of the demo set, and its calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

DEMO_PRODUCT_CODE = "DEMO-FLEX-24"
AGILE_PRODUCT_CODE = "DEMO-AGILE-24"
GO_PRODUCT_CODE = "DEMO-GO-24"
INTELLIGENT_PRODUCT_CODE = "DEMO-INTELLI-24"
DEMO_CUSTOMER_EMAIL = "demo@example.com"
DEMO_CUSTOMER_PASSWORD = "demo-password"
DEMO_IMPORT_SUPPLIER = "DEMO"
# Development only: a fixed key so every `make run` can print it although only its hash is stored.
DEMO_IMPORT_API_KEY = "demo-import-key-development-only"
ADVISORY_LOCK_ID = 4_242_001
# Bills for this many whole months before the current one (the demo customer's whole history).
MONTHS_OF_HISTORY = 13
REGION = "_A"
LDZ = "EA"
# Mandates are held with STRIPE (an import vendor code); in development LocalPay stands in for it.
PAYMENT_VENDOR = "STRIPE"
# The saving sessions kraken.demo_graphql adds: days from `now`, at 17:30 (UTC) for an hour.
SAVING_SESSION_DAYS = (-21, -14, -7, 2, 5)


def saving_session_starts(now: datetime) -> list[datetime]:
    evening = now.replace(hour=17, minute=30, second=0, microsecond=0)
    return [evening + timedelta(days=days) for days in SAVING_SESSION_DAYS]


def month_start(moment: datetime, months_back: int, tz: ZoneInfo) -> datetime:
    """Local midnight on the first of the month `months_back` months before `moment`'s."""
    local = moment.astimezone(tz)
    year, month = divmod(local.year * 12 + local.month - 1 - months_back, 12)
    return datetime(year, month + 1, 1, tzinfo=tz)
