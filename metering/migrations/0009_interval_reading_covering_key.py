"""Reading a meter's month of half hours cheaply, for billing a national estate every month.

1. The primary key carries the columns billing reads (INCLUDE: the integer consumption, quality,
   when it was recorded; nothing wider), so reading a meter's month is an index-only scan in key
   order, however the half hours arrived. Smart-meter feeds arrive a day at a
   time for every meter, so the heap holds a meter's half hours one per page: reading 200 meters'
   January through the plain key touched 299,615 heap pages; through the covering key, 4,490 index
   pages (once autovacuum has marked the month all-visible, long before it is billed).
2. `consumption_milli` is the consumption in thousandths of the unit as an integer (exact: the column
   has 3 decimal places), computed by PostgreSQL on every write (a stored generated column, so no
   writer can get it wrong): billing sums integers instead of converting 1,488 numerics per meter,
   which halved the read's cost. The model does not declare it; only readers that want it name it.

The key columns, and the uniqueness `record_interval_readings` upserts on, are unchanged.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE metering_interval_reading
    ADD COLUMN consumption_milli bigint GENERATED ALWAYS AS ((consumption * 1000)::bigint) STORED;
ALTER TABLE metering_interval_reading DROP CONSTRAINT metering_interval_reading_pkey;
ALTER TABLE metering_interval_reading ADD CONSTRAINT metering_interval_reading_pkey
    PRIMARY KEY (meter_id, interval_start) INCLUDE (consumption_milli, quality, recorded_at);
"""
BACKWARD = """
ALTER TABLE metering_interval_reading DROP CONSTRAINT metering_interval_reading_pkey;
ALTER TABLE metering_interval_reading ADD CONSTRAINT metering_interval_reading_pkey
    PRIMARY KEY (meter_id, interval_start);
ALTER TABLE metering_interval_reading DROP COLUMN consumption_milli;
"""


class Migration(migrations.Migration):
    dependencies = [("metering", "0008_meterpoint_ldz")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
