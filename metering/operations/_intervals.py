"""Half-hourly interval data: recorded per meter and half hour, in monthly partitions.

`record_interval_readings` is the path for data arriving from the outside (smart-meter feeds,
imports, customers' apps): it upserts, so a feed may resend a day, and an actual reading replaces
an estimate but an estimate never replaces an actual. `copy_interval_readings` is the bulk path for
fresh data (demo and scale loads): plain COPY, refusing any half hour already held.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction

from kernel import bulk
from metering import models

HALF_HOUR = timedelta(minutes=30)
MAX_CONSUMPTION = Decimal("999999999.999")  # numeric(12, 3)
_PARTITION_LOCK = "metering_interval_reading_partitions"
_known_partitions: set[tuple[int, int]] = set()


@dataclasses.dataclass(frozen=True)
class IntervalValue:
    interval_start: datetime
    consumption: Decimal
    quality: str = models.IntervalQuality.ACTUAL


class InvalidIntervals(ValueError):
    """Interval data refused as a whole: `errors` lists each bad half hour and why."""

    def __init__(self, errors: list[str]):
        super().__init__(
            "; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else "")
        )
        self.errors = errors


class IntervalRow(typing.NamedTuple):
    meter_id: int
    interval_start: datetime
    consumption: Decimal
    unit: str
    quality: str
    source: str
    recorded_at: datetime


def _check(values: Sequence[IntervalValue]) -> None:
    errors = []
    seen: set[datetime] = set()
    for value in values:
        start = value.interval_start
        if start.tzinfo is None:
            errors.append(f"{start.isoformat()}: a half hour needs a time zone")
            continue
        if start.second or start.microsecond or start.astimezone(UTC).minute % 30:
            errors.append(f"{start.isoformat()}: not the start of a half hour")
        if start in seen:
            errors.append(f"{start.isoformat()}: given twice")
        seen.add(start)
        if isinstance(value.consumption, float) or not isinstance(value.consumption, Decimal):
            errors.append(f"{start.isoformat()}: consumption must be a Decimal")
        elif not value.consumption.is_finite() or not Decimal(0) <= value.consumption <= MAX_CONSUMPTION:
            errors.append(f"{start.isoformat()}: consumption {value.consumption} out of range")
        if value.quality not in models.IntervalQuality.values:
            errors.append(f"{start.isoformat()}: unknown quality {value.quality!r}")
    if errors:
        raise InvalidIntervals(errors)


def _months(starts: Iterable[datetime]) -> set[tuple[int, int]]:
    return {(s.astimezone(UTC).year, s.astimezone(UTC).month) for s in starts}


def ensure_interval_partitions(*, months: Iterable[tuple[int, int]]) -> list[str]:
    """Create the monthly partitions (UTC calendar months) that do not exist yet, each in its own
    short transaction, so a write never waits on a partition lock it holds itself. Returns the names
    of the partitions created."""
    created = []
    for year, month in sorted(set(months) - _known_partitions):
        name = f"metering_interval_reading_y{year}m{month:02d}"
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            if not cursor.fetchone()[0]:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_PARTITION_LOCK])
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF metering_interval_reading "
                    f"FOR VALUES FROM ('{year}-{month:02d}-01 00:00+00') "
                    f"TO ('{next_year}-{next_month:02d}-01 00:00+00')"
                )
                created.append(name)
        _known_partitions.add((year, month))
    return created


def record_interval_readings(
    *, meter: models.Meter, values: Sequence[IntervalValue], source: str, recorded_at: datetime
) -> int:
    """Record `values` for `meter` in one transaction. A half hour already held is replaced by an
    ACTUAL value, and by an ESTIMATE only if what is held is an estimate too. Returns the number of
    half hours written or replaced.

    Raises InvalidIntervals (nothing written) for a naive or misaligned start, a start given twice, a
    negative, non-Decimal or out-of-range consumption, or an unknown quality.
    """
    _check(values)
    if not values:
        return 0
    ensure_interval_partitions(months=_months(v.interval_start for v in values))
    unit = _meter_unit(meter)
    rows = [
        IntervalRow(meter.pk, v.interval_start, v.consumption, unit, v.quality, source, recorded_at)
        for v in values
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS incoming_interval_reading "
            "(LIKE metering_interval_reading) ON COMMIT DELETE ROWS"
        )
        # Empty even when this runs inside a longer transaction that has not committed yet.
        cursor.execute("TRUNCATE incoming_interval_reading")
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(
                f"COPY incoming_interval_reading ({', '.join(IntervalRow._fields)}) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"""
            INSERT INTO metering_interval_reading ({", ".join(IntervalRow._fields)})
            SELECT {", ".join(IntervalRow._fields)} FROM incoming_interval_reading
            ON CONFLICT (meter_id, interval_start) DO UPDATE SET
                consumption = EXCLUDED.consumption,
                unit = EXCLUDED.unit,
                quality = EXCLUDED.quality,
                source = EXCLUDED.source,
                recorded_at = EXCLUDED.recorded_at
            WHERE metering_interval_reading.quality <> %s OR EXCLUDED.quality = %s
            """,
            [models.IntervalQuality.ACTUAL, models.IntervalQuality.ACTUAL],
        )
        return cursor.rowcount


def copy_interval_readings(*, rows: Sequence[IntervalRow]) -> None:
    """Bulk-write fresh interval data with COPY inside the caller's transaction (partitions are
    ensured first, outside it). Rows are trusted to be aligned, non-negative half hours; the
    database still refuses a misaligned or negative one, or a half hour already held
    (IntegrityError)."""
    if not rows:
        return
    months = _months(row.interval_start for row in rows)
    if months - _known_partitions:
        ensure_interval_partitions(months=months)
    bulk.copy_rows(model=models.IntervalReading, rows=rows, now=rows[0].recorded_at)


# The 48 half hours of a UTC day as COPY reads a timestamptz.
_TIMES = [f"{slot // 2:02d}:{slot % 2 * 30:02d}:00+00" for slot in range(48)]


@dataclasses.dataclass(frozen=True)
class HalfHourlySeries:
    """Consecutive half hours of one meter from `start` (UTC, on a half hour): `values[i]` is the
    consumption of the i-th in thousandths of `unit`, None where there is none; `recorded_at`
    says when the half hours of a UTC day (given the first one's start) were received."""

    meter_id: int
    start: datetime
    values: Sequence[int | None]
    unit: str
    recorded_at: Callable[[datetime], datetime]
    quality: str = models.IntervalQuality.ACTUAL
    source: str = models.ReadingSource.SMART


def copy_interval_series(*, series: Sequence[HalfHourlySeries]) -> int:
    """`copy_interval_readings` for whole series (demo and scale loads, back-filled histories),
    formatted straight into COPY's text format rather than row by row: several times faster.
    Returns the number of half hours written. Raises IntegrityError as `copy_interval_readings`."""
    months = set()
    lines = []
    for one in series:
        tail = f"\t{one.unit}\t{one.quality}\t{one.source}\t"
        moment = one.start.astimezone(UTC)
        day, prefix, received = None, "", ""
        for value in one.values:
            if value is not None:
                if moment.date() != day:
                    # Formatted once a day: the date, and when the day's half hours were received.
                    day = moment.date()
                    prefix = f"{one.meter_id}\t{day.isoformat()} "
                    received = f"{tail}{one.recorded_at(moment).isoformat()}\n"
                lines.append(
                    f"{prefix}{_TIMES[moment.hour * 2 + moment.minute // 30]}"
                    f"\t{value // 1000}.{value % 1000:03d}{received}"
                )
            moment += HALF_HOUR
        if one.values:
            months |= _months([one.start, moment - HALF_HOUR])
    if not lines:
        return 0
    if months - _known_partitions:
        ensure_interval_partitions(months=_month_range(months))
    bulk.copy_text(model=models.IntervalReading, columns=IntervalRow._fields, lines=lines)
    return len(lines)


def _month_range(months: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Every month from the first to the last of `months`."""
    year, month = min(months)
    last = max(months)
    result = set()
    while (year, month) <= last:
        result.add((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def _meter_unit(meter: models.Meter) -> str:
    """The unit the meter records in: its registers' (kWh for electricity; m³ unless its register
    says otherwise for gas)."""
    units = {register.unit for register in meter.registers.all()}
    if len(units) == 1:
        return units.pop()
    if meter.meter_point.utility_type == models.UtilityType.GAS:
        return models.RegisterUnit.CUBIC_METRES
    return models.RegisterUnit.KWH
