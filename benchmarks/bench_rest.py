"""Customer REST API v1: one year of half-hourly consumption for one meter (17,520 rows) in one
request, against hand-written SQL streaming the same rows as JSON, and the p50 of a product detail
(14 regions x single-rate, Economy 7 and gas tariffs x two payment methods).

The REST figure is the whole request through Django's test client (URL routing, Basic auth with the
customer's key, permission, rate limit, parameter parsing, the meter lookup, the page query, the
response). Two baselines run in the same process on the same connection, sampled in turns with it:

- SQL JSON: one statement selecting the rows and building the same JSON array in PostgreSQL
  (`json_agg`), returned as text;
- SQL + Python: one statement selecting the rows, formatted into the same JSON by Python.

Targets: REST throughput at least 0.5x the stronger baseline's; product detail p50 at most 20 ms.
Runs in its own database, `bench_kraken_rest`, dropped and re-created each run.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from benchmarks import database, timing

BENCH_DATABASE = "bench_kraken_rest"
RUNS = 30
DETAIL_RUNS = 100
YEAR_START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
HALF_HOURS = 17_520
LONDON = ZoneInfo("Europe/London")
TARGET_RATIO = 0.5
TARGET_DETAIL_MS = 20.0
PRODUCT = "VAR-22-11-01"

SQL_JSON = """
SELECT coalesce(json_agg(json_build_object(
    'consumption', consumption,
    'interval_start', to_char(interval_start AT TIME ZONE 'Europe/London', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN (interval_start AT TIME ZONE 'Europe/London') = (interval_start AT TIME ZONE 'UTC')
                THEN 'Z' ELSE '+01:00' END,
    'interval_end', to_char((interval_start + interval '30 minutes') AT TIME ZONE 'Europe/London',
                            'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN ((interval_start + interval '30 minutes') AT TIME ZONE 'Europe/London')
                   = ((interval_start + interval '30 minutes') AT TIME ZONE 'UTC')
                THEN 'Z' ELSE '+01:00' END
) ORDER BY interval_start DESC), '[]')::text
FROM metering_interval_reading
WHERE meter_id = %s AND interval_start >= %s AND interval_start < %s
"""
SQL_ROWS = """
SELECT consumption, interval_start FROM metering_interval_reading
WHERE meter_id = %s AND interval_start >= %s AND interval_start < %s ORDER BY interval_start DESC
"""


def _seed():
    from accounts import models as accounts
    from accounts import operations as accounts_operations
    from kraken import demo_catalogue
    from metering import models as metering
    from metering import operations as metering_operations

    now = timezone.now()
    user = accounts.User.objects.create_user(username="bench", email="bench@example.com")
    account = accounts_operations.create_account(
        billing_name="Bench Customer", currency="GBP", created_at=now
    )
    accounts.AccountUserRole.objects.create(account=account, user=user)
    address = accounts.Address.objects.create(line_1="1 Bench Street", postcode="SW1A 1AA")
    prop = accounts.Property.objects.create(account=account, address=address, occupied_from=YEAR_START)
    point = metering.MeterPoint.objects.create(
        property=prop,
        utility_type="ELECTRICITY",
        identifier="1200000000017",
        gsp_group_id="_C",
        supply_from=YEAR_START,
    )
    meter = metering.Meter.objects.create(
        meter_point=point, serial_number="21L0000017", is_smart=True, installed_from=YEAR_START
    )
    metering.Register.objects.create(meter=meter, identifier="1")
    metering_operations.copy_interval_readings(
        rows=[
            metering_operations.IntervalRow(
                meter.pk,
                YEAR_START + index * metering_operations.HALF_HOUR,
                Decimal(100 + index % 900) / 1000,
                "KWH",
                "ACTUAL",
                "SMART",
                now,
            )
            for index in range(HALF_HOURS)
        ]
    )
    demo_catalogue.load_catalogue(now=now)
    key = accounts_operations.regenerate_api_key(user=user, now=now)
    return point, meter, key


def _python_json(rows) -> str:
    def local(moment: dt.datetime) -> str:
        text = moment.astimezone(LONDON).isoformat(timespec="seconds")
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    half_hour = dt.timedelta(minutes=30)
    return json.dumps(
        [
            {
                "consumption": float(value),
                "interval_start": local(start),
                "interval_end": local(start + half_hour),
            }
            for value, start in rows
        ]
    )


def main() -> None:
    settings.REST_API_RATE_LIMIT_KEY_PREFIX = f"bench-rest-{uuid.uuid4().hex}"
    database.use_bench_database(BENCH_DATABASE)
    point, meter, key = _seed()
    year_end = YEAR_START + dt.timedelta(days=365)
    client = Client()
    auth = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    url = (
        f"/v1/electricity-meter-points/{point.identifier}/meters/{meter.serial_number}/consumption/"
        f"?period_from=2025-01-01T00:00:00Z&period_to=2026-01-01T00:00:00Z&page_size=25000"
    )

    def rest():
        response = client.get(url, **auth)
        assert response.status_code == 200, response.content[:200]
        return response.content

    def sql_json():
        with connection.cursor() as cursor:
            cursor.execute(SQL_JSON, [meter.pk, YEAR_START, year_end])
            return cursor.fetchone()[0].encode()

    def sql_python():
        with connection.cursor() as cursor:
            cursor.execute(SQL_ROWS, [meter.pk, YEAR_START, year_end])
            return _python_json(cursor.fetchall()).encode()

    ours = json.loads(rest())
    assert ours["count"] == HALF_HOURS and len(ours["results"]) == HALF_HOURS and ours["next"] is None
    for baseline in (sql_json, sql_python):
        theirs = json.loads(baseline())
        assert [(r["interval_start"], r["interval_end"]) for r in theirs] == [
            (r["interval_start"], r["interval_end"]) for r in ours["results"]
        ]
        assert [Decimal(str(r["consumption"])) for r in theirs] == [
            Decimal(str(r["consumption"])) for r in ours["results"]
        ]

    rest_p50, json_p50, python_p50 = timing.p50s(rest, sql_json, sql_python, runs=RUNS, warmup=3)
    strongest = min(json_p50, python_p50)
    ratio = strongest / rest_p50
    print(f"one year of half hours for one meter ({HALF_HOURS:,} rows, one request), p50 of {RUNS} runs")
    for name, seconds in (
        ("REST API v1 request", rest_p50),
        ("SQL JSON baseline", json_p50),
        ("SQL + Python json", python_p50),
    ):
        print(f"  {name:<22}: {seconds * 1000:8.1f} ms  {HALF_HOURS / seconds:>10,.0f} rows/s")
    print(f"  throughput vs the stronger baseline: {ratio:.2f}x (target >= {TARGET_RATIO}x)")

    detail_url = f"/v1/products/{PRODUCT}/"

    def detail():
        response = client.get(detail_url)
        assert response.status_code == 200
        return response.content

    body = json.loads(detail())
    assert len(body["dual_register_electricity_tariffs"]) == 14
    (detail_p50,) = timing.p50s(detail, runs=DETAIL_RUNS)
    print(
        f"product detail ({PRODUCT}: 14 regions x 3 tariffs x 2 payment methods), p50 of {DETAIL_RUNS} runs"
    )
    print(f"  {detail_p50 * 1000:.1f} ms (target <= {TARGET_DETAIL_MS:.0f} ms)")
    if ratio < TARGET_RATIO or detail_p50 * 1000 > TARGET_DETAIL_MS:
        print("  TARGET MISSED")
