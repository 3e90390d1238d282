"""Half-hourly interval data in a table partitioned by month (see `metering.models.IntervalReading`).

Django's state gets the model as usual; the database gets a `PARTITION BY RANGE (interval_start)`
table, which Django cannot create itself, with monthly partitions from 2024 to 2027. Later months
are added by `metering.operations.ensure_interval_partitions` (before every write, and monthly by
beat), so no write ever finds its month missing.
"""

import django.db.models.deletion
from django.db import migrations, models

CREATE_TABLE = """
CREATE TABLE metering_interval_reading (
    meter_id bigint NOT NULL
        REFERENCES metering_meter (id) DEFERRABLE INITIALLY DEFERRED,
    interval_start timestamp with time zone NOT NULL,
    consumption numeric(12, 3) NOT NULL,
    unit varchar(8) NOT NULL,
    quality varchar(16) NOT NULL,
    source varchar(16) NOT NULL,
    recorded_at timestamp with time zone NOT NULL,
    PRIMARY KEY (meter_id, interval_start),
    CONSTRAINT interval_reading_not_negative CHECK (consumption >= 0),
    CONSTRAINT interval_on_the_half_hour CHECK (
        date_part('second', interval_start) = 0 AND date_part('minute', interval_start)::int % 30 = 0
    )
) PARTITION BY RANGE (interval_start);
CREATE INDEX metering_interval_reading_start_brin
    ON metering_interval_reading USING brin (interval_start);
"""

FIRST_MONTH = (2024, 1)
MONTHS = 48


def _months():
    year, month = FIRST_MONTH
    for _ in range(MONTHS):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _partition_sql(year: int, month: int) -> str:
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return (
        f"CREATE TABLE IF NOT EXISTS metering_interval_reading_y{year}m{month:02d} "
        f"PARTITION OF metering_interval_reading FOR VALUES FROM ('{year}-{month:02d}-01 00:00+00') "
        f"TO ('{next_year}-{next_month:02d}-01 00:00+00');"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("metering", "0003_smart_device_registrations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IntervalReading",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "meter",
                                "interval_start",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("interval_start", models.DateTimeField()),
                        ("consumption", models.DecimalField(decimal_places=3, max_digits=12)),
                        (
                            "unit",
                            models.CharField(
                                choices=[("KWH", "kWh"), ("M3", "m³"), ("HCF", "hundreds of cubic feet")],
                                default="KWH",
                                max_length=8,
                            ),
                        ),
                        (
                            "quality",
                            models.CharField(
                                choices=[("ACTUAL", "Actual"), ("ESTIMATE", "Estimate")],
                                default="ACTUAL",
                                max_length=16,
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("CUSTOMER", "Customer"),
                                    ("SMART", "Smart"),
                                    ("METER_READER", "Meter Reader"),
                                    ("INDUSTRY", "Industry"),
                                    ("IMPORT", "Import"),
                                    ("ESTIMATED", "Estimated"),
                                ],
                                default="SMART",
                                max_length=16,
                            ),
                        ),
                        ("recorded_at", models.DateTimeField()),
                        (
                            "meter",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="interval_readings",
                                to="metering.meter",
                            ),
                        ),
                    ],
                    options={"db_table": "metering_interval_reading"},
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    CREATE_TABLE + "\n".join(_partition_sql(y, m) for y, m in _months()),
                    reverse_sql="DROP TABLE metering_interval_reading CASCADE;",
                ),
            ],
        ),
    ]
