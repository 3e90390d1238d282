"""Consumption from half-hourly interval data: pages for the REST API v1 (rendered as JSON by
PostgreSQL) and buckets for the customer graph (re-exported by `metering.queries`). Half hours, or
their sums by hour, day, week, month or quarter on a wall clock; sums are exact (numeric)."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection

from kernel import ranges


class UnknownTimeZone(ValueError):
    """Not the name of an IANA time zone."""


def time_zone(name: str) -> str:
    """`name` if it names an IANA time zone (e.g. Europe/London). Raises UnknownTimeZone."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownTimeZone(name) from exc
    return name


class ConsumptionGrouping(enum.StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


@dataclasses.dataclass(frozen=True)
class ConsumptionPage:
    """One page of a meter's consumption: `count` buckets in all, and this page's rows as a JSON
    array of `{"consumption", "interval_start", "interval_end"}` (times on the local wall clock)."""

    count: int
    results_json: str


EMPTY_CONSUMPTION = ConsumptionPage(count=0, results_json="[]")


# Local wall-clock rendering of a timestamptz column: `2024-06-01T00:00:00+01:00`, `Z` for GMT.
def _local_iso_sql(column: str) -> str:
    local = f"({column} AT TIME ZONE %(tz)s)"
    offset = f"({local} - ({column} AT TIME ZONE 'UTC'))"
    return (
        f"to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN {offset} = interval '0' THEN 'Z' "
        f"WHEN {offset} > interval '0' THEN '+' || to_char({offset}, 'HH24:MI') "
        f"ELSE '-' || to_char(-{offset}, 'HH24:MI') END"
    )


# Bucket edges on the local wall clock. Hours are cut in UTC, which is the same thing for a zone
# whose offsets are whole hours (Europe/London) and, unlike a local cut, keeps apart the two 01:00
# hours of the night the clocks go back.
_STEPS = {
    ConsumptionGrouping.DAY: "1 day",
    ConsumptionGrouping.WEEK: "1 week",
    ConsumptionGrouping.MONTH: "1 month",
    ConsumptionGrouping.QUARTER: "3 months",
}
_BUCKETS = {
    None: ("interval_start", "interval_start + interval '30 minutes'"),
    ConsumptionGrouping.HOUR: (
        "date_trunc('hour', interval_start)",
        "date_trunc('hour', interval_start) + interval '1 hour'",
    ),
    **{
        grouping: (
            f"date_trunc('{grouping.value}', interval_start AT TIME ZONE %(tz)s) AT TIME ZONE %(tz)s",
            f"(date_trunc('{grouping.value}', interval_start AT TIME ZONE %(tz)s) + interval '{step}') "
            "AT TIME ZONE %(tz)s",
        )
        for grouping, step in _STEPS.items()
    },
}


@dataclasses.dataclass(frozen=True)
class ConsumptionQuery:
    """Which page of consumption: the half hours starting within `period` (all when None), as they
    are (`grouping` None) or summed by `grouping` on the wall clock of `tz`, by bucket start (newest
    first or oldest first), `limit` buckets from `offset`."""

    period: ranges.Period | None
    grouping: ConsumptionGrouping | None
    newest_first: bool
    offset: int
    limit: int
    tz: str


def consumption_page(*, meter_id: int, query: ConsumptionQuery) -> ConsumptionPage:
    """A page of the meter's half-hourly consumption or of its sums by hour, day, week (from
    Monday), month or quarter; each bucket's edges are its own, whatever the window. Sums are exact
    (numeric).

    One statement: PostgreSQL counts the buckets and renders the page as JSON, because a page holds
    up to a year of half hours (17,520 rows) and is served as it comes.
    """
    period = query.period
    bucket_start, bucket_end = _BUCKETS[query.grouping]
    conditions = ["meter_id = %(meter_id)s"]
    if period is not None:
        conditions.append("interval_start >= %(start)s")
        if period.end is not None:
            conditions.append("interval_start < %(end)s")
    value = "consumption" if query.grouping is None else "sum(consumption)"
    group = "" if query.grouping is None else "GROUP BY 1, 2"
    direction = "DESC" if query.newest_first else "ASC"
    sql = f"""
        WITH buckets AS MATERIALIZED (
            SELECT {bucket_start} AS bucket_start, {bucket_end} AS bucket_end, {value} AS consumption
            FROM metering_interval_reading WHERE {" AND ".join(conditions)} {group}
        )
        SELECT (SELECT count(*) FROM buckets), coalesce((
            SELECT '[' || string_agg(
                '{{"consumption":' || page.consumption::text
                || ',"interval_start":"' || {_local_iso_sql("page.bucket_start")}
                || '","interval_end":"' || {_local_iso_sql("page.bucket_end")} || '"}}',
                ',' ORDER BY page.bucket_start {direction}) || ']'
            FROM (SELECT * FROM buckets ORDER BY bucket_start {direction}
                  LIMIT %(limit)s OFFSET %(offset)s) AS page
        ), '[]')
    """
    parameters = {
        "meter_id": meter_id,
        "start": period.start if period else None,
        "end": period.end if period else None,
        "limit": query.limit,
        "offset": query.offset,
        "tz": query.tz,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        count, results_json = cursor.fetchone()
    return ConsumptionPage(count=count, results_json=results_json)


def _bucket_sql(*, grouping: ConsumptionGrouping | None) -> str:
    """The buckets (meter, start, end, sum) of the half hours of `%(meter_ids)s` from `%(start)s`,
    numbered per meter oldest first (`n`, from 1)."""
    bucket_start, bucket_end = _BUCKETS[grouping]
    return f"""
        SELECT meter_id, bucket_start, bucket_end, consumption,
               row_number() OVER (PARTITION BY meter_id ORDER BY bucket_start) AS n
        FROM (
            SELECT meter_id, {bucket_start} AS bucket_start, {bucket_end} AS bucket_end,
                   sum(consumption) AS consumption
            FROM metering_interval_reading
            WHERE meter_id = ANY(%(meter_ids)s) AND interval_start >= %(start)s
            GROUP BY 1, 2, 3
        ) AS buckets
    """


@dataclass(frozen=True)
class ConsumptionBucket:
    start: datetime
    end: datetime
    consumption: Decimal


def consumption_bucket_counts(
    *, meter_ids: Collection[int], start: datetime, grouping: ConsumptionGrouping | None, tz: str
) -> dict[int, int]:
    """How many buckets (half hours, or their sums by `grouping` on the wall clock of `tz`) each
    meter has from `start` on: one query for all the meters (meters without any are left out)."""
    sql = f"SELECT meter_id, max(n) FROM ({_bucket_sql(grouping=grouping)}) AS b GROUP BY meter_id"
    with connection.cursor() as cursor:
        cursor.execute(sql, {"meter_ids": list(meter_ids), "start": start, "tz": tz})
        return dict(cursor.fetchall())


def consumption_buckets(
    *,
    windows: dict[int, tuple[int, int]],
    start: datetime,
    grouping: ConsumptionGrouping | None,
    tz: str,
) -> dict[int, list[ConsumptionBucket]]:
    """For each meter, its buckets `[lo, hi)` (0-based, oldest first) of those
    `consumption_bucket_counts` counts, in one query whatever the number of meters. Sums are exact
    (numeric)."""
    wanted = {meter_id: bounds for meter_id, bounds in windows.items() if bounds[1] > bounds[0]}
    found: dict[int, list[ConsumptionBucket]] = {meter_id: [] for meter_id in windows}
    if not wanted:
        return found
    sql = f"""
        SELECT b.meter_id, b.bucket_start, b.bucket_end, b.consumption
        FROM ({_bucket_sql(grouping=grouping)}) AS b
        JOIN unnest(%(ids)s::bigint[], %(los)s::bigint[], %(his)s::bigint[]) AS w(meter_id, lo, hi)
          ON w.meter_id = b.meter_id AND b.n > w.lo AND b.n <= w.hi
        ORDER BY b.meter_id, b.n
    """
    ids = list(wanted)
    parameters = {
        "meter_ids": ids,
        "start": start,
        "tz": tz,
        "ids": ids,
        "los": [wanted[i][0] for i in ids],
        "his": [wanted[i][1] for i in ids],
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        for meter_id, bucket_start, bucket_end, consumption in cursor.fetchall():
            found[meter_id].append(
                ConsumptionBucket(start=bucket_start, end=bucket_end, consumption=consumption)
            )
    return found


def consumption_window(
    *,
    meter_ids: Collection[int],
    start: datetime,
    grouping: ConsumptionGrouping | None,
    tz: str,
    lo: int,
    hi: int,
) -> dict[int, tuple[int, list[ConsumptionBucket]]]:
    """For each meter, how many buckets it has (as `consumption_bucket_counts`) and those of them
    in `[lo, hi)` (0-based, oldest first, as `consumption_buckets`): in one query, so one pass over
    the half hours instead of two, for a window known before the count (a forward page). Meters
    without any bucket answer (0, [])."""
    sql = f"""
        SELECT meter_id, bucket_start, bucket_end, consumption, n, total
        FROM (
            SELECT b.*, count(*) OVER (PARTITION BY b.meter_id) AS total
            FROM ({_bucket_sql(grouping=grouping)}) AS b
        ) AS counted
        WHERE (n > %(lo)s AND n <= %(hi)s) OR n = 1
        ORDER BY meter_id, n
    """
    parameters = {"meter_ids": list(meter_ids), "start": start, "tz": tz, "lo": lo, "hi": hi}
    totals: dict[int, int] = {}
    buckets: dict[int, list[ConsumptionBucket]] = {meter_id: [] for meter_id in meter_ids}
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        # Every meter's first bucket (n = 1) comes along to carry its count, in the window or not.
        for meter_id, bucket_start, bucket_end, consumption, n, total in cursor.fetchall():
            totals[meter_id] = total
            if lo < n <= hi:
                buckets[meter_id].append(
                    ConsumptionBucket(start=bucket_start, end=bucket_end, consumption=consumption)
                )
    return {meter_id: (totals.get(meter_id, 0), buckets[meter_id]) for meter_id in meter_ids}
