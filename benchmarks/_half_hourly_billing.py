"""The half-hourly part of the billing benchmark: smart-meter accounts with a month of half hours
each (1,488: January, no clock change), billed per half hour on Agile-, Go- and Intelligent-style
tariffs, against a set-based SQL baseline that prices the same half hours in one statement.

Half the accounts are on an Agile-style tariff (a price per half hour, published day by day), a
quarter on Go (off-peak window 00:30-05:30, the rest at the window-less day rate), a quarter on
Intelligent (off-peak 23:30-05:30, peak the rest; each has an EV with one completed smart dispatch
outside the window and one inside it, and a boost that does not count).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection

from benchmarks import _customers

LONDON = ZoneInfo("Europe/London")
PERIOD_START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
PERIOD_END = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
HALF_HOURS = 1488
FIRST_NUMBER = 0x40000000
FIRST_MPAN = 4_000_000_000_000

# Consumption per half hour: a deterministic pseudo-random 0.000-1.999 kWh per (meter, half hour),
# written a day at a time for every meter, in the order smart-meter feeds arrive.
INTERVALS_SQL = """
INSERT INTO metering_interval_reading
    (meter_id, interval_start, consumption, unit, quality, source, recorded_at)
SELECT m.id, gs,
       ((abs(hashint8(m.id * 100003 + (extract(epoch FROM gs))::bigint / 1800)) %% 2000) / 1000.0)::numeric(12, 3),
       'KWH', 'ACTUAL', 'SMART', %(end)s
FROM generate_series(%(day)s::timestamptz, %(day)s::timestamptz + interval '23 hours 30 minutes',
                     interval '30 minutes') AS gs
CROSS JOIN metering_meter m
WHERE m.id = ANY(%(meter_ids)s)
ORDER BY gs, m.id
"""

# The same bills, set-based: each tariff's rate for each half hour of the month (a window holding its
# London time first, else the window-less rate; the OFF_PEAK rate beside it for dispatches), each
# account's dispatched half hours, then every half hour joined to its rate, summed per line (per
# band for rates per half hour, per rate row otherwise) and rounded once per line; standing charges
# per day; VAT per rate on the subtotal; all rounded half away from zero, as ROUND_HALF_UP does.
BASELINE_SQL = """
WITH slots AS (
    SELECT gs AS interval_start, (gs AT TIME ZONE 'Europe/London')::time AS local_time
    FROM generate_series(%(start)s::timestamptz, %(last)s::timestamptz, interval '30 minutes') AS gs
),
accounts AS (
    SELECT a.account_id, a.meter_point_id, a.tariff_id, p.tax_rate, p.rates_per_half_hour,
           p.dispatches_at_off_peak, t.standing_charge
    FROM billing_agreement a
    JOIN billing_tariff t ON t.id = a.tariff_id
    JOIN billing_product p ON p.id = t.product_id
    WHERE a.account_id = ANY(%(account_ids)s)
),
rates AS (
    SELECT DISTINCT ON (r.tariff_id, s.interval_start)
           r.tariff_id, s.interval_start, r.id AS rate_id, r.band, r.unit_rate
    FROM slots s
    JOIN billing_tariffrate r
      ON r.tariff_id IN (SELECT DISTINCT tariff_id FROM accounts)
     AND r.active_from <= s.interval_start AND (r.active_to IS NULL OR r.active_to > s.interval_start)
     AND (r.start_time IS NULL OR CASE WHEN r.start_time < r.end_time
                                       THEN s.local_time >= r.start_time AND s.local_time < r.end_time
                                       ELSE s.local_time >= r.start_time OR s.local_time < r.end_time END)
    ORDER BY r.tariff_id, s.interval_start, r.start_time IS NULL, r.band
),
off_peak AS (
    SELECT r.tariff_id, s.interval_start, r.id AS rate_id, r.band, r.unit_rate
    FROM slots s
    JOIN billing_tariffrate r
      ON r.tariff_id IN (SELECT DISTINCT tariff_id FROM accounts) AND r.band = 'OFF_PEAK'
     AND r.active_from <= s.interval_start AND (r.active_to IS NULL OR r.active_to > s.interval_start)
),
dispatched AS (
    SELECT DISTINCT dv.account_id, s.interval_start
    FROM devices_dispatch d
    JOIN devices_device dv ON dv.id = d.device_id
    JOIN slots s ON d.start_at < s.interval_start + interval '30 minutes' AND d.end_at > s.interval_start
    WHERE dv.account_id = ANY(%(account_ids)s) AND d.status = 'COMPLETED' AND d.source = 'SMART'
),
priced AS (
    SELECT a.account_id, a.tax_rate,
           CASE WHEN x.account_id IS NOT NULL AND a.dispatches_at_off_peak THEN o.band ELSE r.band END AS band,
           CASE WHEN a.rates_per_half_hour THEN 0
                WHEN x.account_id IS NOT NULL AND a.dispatches_at_off_peak THEN o.rate_id
                ELSE r.rate_id END AS line,
           ir.consumption * CASE WHEN x.account_id IS NOT NULL AND a.dispatches_at_off_peak
                                 THEN o.unit_rate ELSE r.unit_rate END AS cost
    FROM accounts a
    JOIN metering_meter m ON m.meter_point_id = a.meter_point_id
    JOIN metering_interval_reading ir ON ir.meter_id = m.id
         AND ir.interval_start >= %(start)s AND ir.interval_start < %(end)s
    JOIN rates r ON r.tariff_id = a.tariff_id AND r.interval_start = ir.interval_start
    LEFT JOIN off_peak o ON o.tariff_id = a.tariff_id AND o.interval_start = ir.interval_start
    LEFT JOIN dispatched x ON x.account_id = a.account_id AND x.interval_start = ir.interval_start
),
lines AS (
    SELECT account_id, tax_rate, ROUND(SUM(cost)) AS amount FROM priced GROUP BY account_id, tax_rate, band, line
    UNION ALL
    SELECT account_id, tax_rate, ROUND(%(days)s::numeric * standing_charge) FROM accounts
),
subtotals AS (
    SELECT account_id, tax_rate, SUM(amount) AS subtotal FROM lines GROUP BY account_id, tax_rate
)
SELECT account_id, SUM(subtotal + ROUND(subtotal * tax_rate))::bigint AS total
FROM subtotals GROUP BY account_id
"""


def build_accounts(count: int) -> list[str]:
    """`count` smart-meter accounts with a month of half hours each; returns their numbers."""
    from billing import models
    from devices import models as devices_models
    from metering import models as metering_models

    # Partitions for January 2024 come with the migrations.
    agile, go, intelligent = _tariffs()
    built = _customers.electricity_customers(
        count=count,
        first_number=FIRST_NUMBER,
        first_mpan=FIRST_MPAN,
        serial_prefix="S",
        smart=True,
        since=PERIOD_START,
    )
    accounts, properties, points, meters = built.accounts, built.properties, built.points, built.meters
    batch = _customers.BATCH
    metering_models.Register.objects.bulk_create(
        [metering_models.Register(meter=meter, identifier="1") for meter in meters], batch_size=batch
    )

    def tariff(index: int):
        return agile if index % 2 == 0 else go if index % 4 == 1 else intelligent

    models.Agreement.objects.bulk_create(
        [
            models.Agreement(
                account=account, meter_point=point, tariff=tariff(index), active_from=PERIOD_START
            )
            for index, (account, point) in enumerate(zip(accounts, points, strict=True))
        ],
        batch_size=batch,
    )
    dispatching = [
        (index, account, prop)
        for index, (account, prop) in enumerate(zip(accounts, properties, strict=True))
        if index % 4 == 3
    ]
    cars = devices_models.Device.objects.bulk_create(
        [
            devices_models.Device(
                account=account,
                property=prop,
                kind=devices_models.DeviceKind.ELECTRIC_VEHICLES,
                provider=devices_models.Provider.TESLA,
                vendor="Tesla",
                model="Model 3",
                status=devices_models.DeviceLifecycleStatus.LIVE,
            )
            for _, account, prop in dispatching
        ],
        batch_size=batch,
    )
    dispatches = []
    for (index, _, _), car in zip(dispatching, cars, strict=True):
        day = dt.datetime(2024, 1, 1 + index % 28, tzinfo=LONDON)
        for hours, length, source in ((14, 90, "SMART"), (2, 60, "SMART"), (18, 30, "BOOST")):
            start = day + dt.timedelta(hours=hours, minutes=index % 3 * 10)
            dispatches.append(
                devices_models.Dispatch(
                    device=car,
                    start_at=start,
                    end_at=start + dt.timedelta(minutes=length),
                    delta_kwh=Decimal("7.000"),
                    status=devices_models.DispatchStatus.COMPLETED,
                    source=source,
                )
            )
    devices_models.Dispatch.objects.bulk_create(dispatches, batch_size=batch)
    with connection.cursor() as cursor:
        meter_ids = [meter.pk for meter in meters]
        day = PERIOD_START
        while day < PERIOD_END:
            cursor.execute(INTERVALS_SQL, {"meter_ids": meter_ids, "day": day, "end": PERIOD_END})
            day += dt.timedelta(days=1)
        # What autovacuum does to a month of feeds long before it is billed.
        cursor.execute("VACUUM ANALYZE")
    return [account.number for account in accounts]


def _tariffs():
    from billing import models, operations

    def product(code, **flags):
        return models.Product.objects.create(
            code=code,
            display_name=code,
            full_name=code,
            tax_rate=Decimal("0.05"),
            available_from=PERIOD_START - dt.timedelta(days=400),
            **flags,
        )

    agile = models.Tariff.objects.create(
        product=product("BENCH-AGILE", rates_per_half_hour=True),
        code="BENCH-AGILE-A",
        utility_type="ELECTRICITY",
        standing_charge=Decimal("47.8500"),
    )
    operations.publish_half_hourly_rates(
        tariff=agile,
        days={
            dt.date(2024, 1, day): [
                Decimal(((day * 37 + slot * 113) % 4500) - 300) / Decimal(100) for slot in range(48)
            ]
            for day in range(1, 32)
        },
        tz=LONDON,
        published_at=PERIOD_START,
    )
    go = models.Tariff.objects.create(
        product=product("BENCH-GO"),
        code="BENCH-GO-A",
        utility_type="ELECTRICITY",
        standing_charge=Decimal("47.8500"),
    )
    intelligent = models.Tariff.objects.create(
        product=product("BENCH-INTELLIGENT", dispatches_at_off_peak=True),
        code="BENCH-INTELLIGENT-A",
        utility_type="ELECTRICITY",
        standing_charge=Decimal("47.8500"),
    )
    since = PERIOD_START - dt.timedelta(days=400)
    models.TariffRate.objects.bulk_create(
        [
            models.TariffRate(
                tariff=go,
                band="OFF_PEAK",
                unit_rate=Decimal("8.5000"),
                start_time=dt.time(0, 30),
                end_time=dt.time(5, 30),
                active_from=since,
            ),
            models.TariffRate(tariff=go, band="STANDARD", unit_rate=Decimal("24.8700"), active_from=since),
            models.TariffRate(
                tariff=intelligent,
                band="OFF_PEAK",
                unit_rate=Decimal("7.0000"),
                start_time=dt.time(23, 30),
                end_time=dt.time(5, 30),
                active_from=since,
            ),
            models.TariffRate(
                tariff=intelligent,
                band="PEAK",
                unit_rate=Decimal("27.0000"),
                start_time=dt.time(5, 30),
                end_time=dt.time(23, 30),
                active_from=since,
            ),
        ]
    )
    return agile, go, intelligent


def baseline(*, account_numbers: list[str]) -> dict[int, int]:
    from accounts import models as accounts_models

    account_ids = list(
        accounts_models.Account.objects.filter(number__in=account_numbers).values_list("id", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            BASELINE_SQL,
            {
                "account_ids": account_ids,
                "start": PERIOD_START,
                "last": PERIOD_END - dt.timedelta(minutes=30),
                "end": PERIOD_END,
                "days": 31,
            },
        )
        return dict(cursor.fetchall())
