"""Half-hourly interval data as billing reads it: a meter's half hours over a period, packed
compactly, with the register reads around them for the half hours a smart meter did not send."""

from __future__ import annotations

import array
import math
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection

from kernel import ranges
from metering import models

HALF_HOUR = timedelta(minutes=30)


@dataclass(frozen=True)
class HalfHourSeries:
    """A meter point's half hours over a period, from its smart meters: `values[i]` is the
    consumption of the half hour starting `start + i × 30 min` in thousandths of `unit` (None where
    nothing was recorded; an `array` of int64 when nothing is missing), `estimated` the indexes
    recorded with quality ESTIMATE."""

    start: datetime
    values: Sequence[int | None]
    estimated: frozenset[int]
    unit: str


# One row per smart meter installed during the period, its half hours' consumption (thousandths of
# the unit, big-endian int8) packed in time order into one byte string, and the unit it records in
# (its registers', as `record_interval_readings` writes it; reading it off the scattered heap rows
# cost as much as the half hours): each meter's month is one index-only range scan of the covering
# key (migration 0007), whose order the sorted subquery keeps,
# and one byte string per meter travels and unpacks far faster than a row per half hour. A meter
# with every half hour of the period needs nothing else (its count says so: the key is unique and
# a half hour always starts on the hour or half past); the others are read again with their times.
_HALF_HOURS_SQL = """
SELECT m.id, m.meter_point_id, d.n, d.milli, d.estimated,
       COALESCE(
           (SELECT CASE WHEN count(DISTINCT r.unit) = 1 THEN min(r.unit) END
            FROM metering_register r WHERE r.meter_id = m.id),
           CASE WHEN p.utility_type = 'GAS' THEN 'M3' ELSE 'KWH' END
       )
FROM metering_meter m
JOIN metering_meterpoint p ON p.id = m.meter_point_id
LEFT JOIN LATERAL (
    SELECT count(*) AS n, string_agg(int8send(o.consumption_milli), ''::bytea) AS milli,
           array_agg(o.interval_start) FILTER (WHERE o.quality <> 'ACTUAL') AS estimated
    FROM (
        SELECT ir.interval_start, ir.consumption_milli, ir.quality
        FROM metering_interval_reading ir
        WHERE ir.meter_id = m.id AND ir.interval_start >= %(start)s AND ir.interval_start < %(end)s
          AND ir.recorded_at <= %(recorded_by)s
        ORDER BY ir.interval_start
    ) o
) d ON true
WHERE m.meter_point_id = ANY(%(meter_point_ids)s) AND m.is_smart
  AND m.installed_from < %(end)s AND (m.installed_to IS NULL OR m.installed_to > %(start)s)
ORDER BY m.meter_point_id, m.installed_from, m.id
"""


_PARTIAL_SQL = """
SELECT ir.meter_id, ir.interval_start, ir.consumption_milli
FROM metering_interval_reading ir
WHERE ir.meter_id = ANY(%(meter_ids)s) AND ir.interval_start >= %(start)s AND ir.interval_start < %(end)s
  AND ir.recorded_at <= %(recorded_by)s
"""


def _unpack(blob: bytes | None) -> array.array:
    values = array.array("q")
    if blob:
        values.frombytes(blob)
        if sys.byteorder == "little":
            values.byteswap()
    return values


def half_hourly_consumption(
    *, meter_point_ids: Collection[int], period: ranges.Period, recorded_by: datetime
) -> dict[int, HalfHourSeries]:
    """The half hours of the smart meters on these meter points over the finite `period` (which
    starts on a half hour), as recorded by `recorded_by`, in one query. Only meter points with a
    smart meter installed during the period are in the result; half hours two meters both recorded
    add up. Raises ValueError for an open period."""
    if period.end is None:
        raise ValueError("Interval data is read over a finite period")
    start = period.start.astimezone(UTC)
    count = math.ceil((period.end.astimezone(UTC) - start) / HALF_HOUR)
    if not meter_point_ids:
        return {}
    params = {
        "meter_point_ids": list(meter_point_ids),
        "start": period.start,
        "end": period.end,
        "recorded_by": recorded_by,
    }
    with connection.cursor() as cursor:
        cursor.execute(_HALF_HOURS_SQL, params)
        rows = cursor.fetchall()
        partial = [meter_id for meter_id, _, n, _, _, _ in rows if n and n != count]
        scattered: dict[int, list[tuple[datetime, int]]] = {}
        if partial:
            cursor.execute(_PARTIAL_SQL, {**params, "meter_ids": partial})
            for meter_id, moment, milli in cursor.fetchall():
                scattered.setdefault(meter_id, []).append((moment, milli))

    def index(moment: datetime) -> int:
        return int((moment - start) / HALF_HOUR)

    merged: dict[int, tuple[list, set, str]] = {}
    for meter_id, meter_point_id, n, blob, estimated, unit in rows:
        flagged = {index(moment) for moment in estimated or ()}
        current = merged.get(meter_point_id)
        if current is None and n == count:
            merged[meter_point_id] = (_unpack(blob), flagged, unit or models.RegisterUnit.KWH)
            continue
        if current is None:
            current = ([None] * count, set(), unit or models.RegisterUnit.KWH)
        dense, known_flags, known_unit = current
        pairs = (
            zip(range(count), _unpack(blob), strict=True)
            if n == count
            else ((index(moment), milli) for moment, milli in scattered.get(meter_id, ()))
        )
        for position, value in pairs:
            dense[position] = value if dense[position] is None else dense[position] + value
        merged[meter_point_id] = (dense, known_flags | flagged, unit or known_unit)
    return {
        meter_point_id: HalfHourSeries(
            start=period.start, values=dense, estimated=frozenset(flagged), unit=unit
        )
        for meter_point_id, (dense, flagged, unit) in merged.items()
    }
