"""Request-scoped batch loads of meter points, meters, registers and readings. Each batch calls one
read of `metering.queries`."""

from __future__ import annotations

from django.conf import settings

from kernel import graphql as gql
from metering import queries


def meter_points_of_property(info, property_id: int):
    def batch(ids):
        return gql.grouped(
            queries.meter_points_of_properties(property_ids=ids), lambda mp: mp.property_id, ids
        )

    return gql.context(info).loader("meter_points_of_property", batch).load(property_id)


def meter_point(info, meter_point_id: int):
    def batch(ids):
        return gql.by_key(queries.meter_points_by_id(ids=ids), lambda mp: mp.pk, ids)

    return gql.context(info).loader("meter_point", batch).load(meter_point_id)


def meters_of_meter_point(info, meter_point_id: int):
    def batch(ids):
        return gql.grouped(
            queries.meters_of_meter_points(meter_point_ids=ids), lambda m: m.meter_point_id, ids
        )

    return gql.context(info).loader("meters_of_meter_point", batch).load(meter_point_id)


def registers_of_meter(info, meter_id: int):
    def batch(ids):
        return gql.grouped(queries.registers_of_meters(meter_ids=ids), lambda r: r.meter_id, ids)

    return gql.context(info).loader("registers_of_meter", batch).load(meter_id)


def readings_of_meter(info, meter_id: int, args: gql.PageArgs):
    """A page of a meter's readings, newest first: one query per page shape, not per meter."""

    def batch(ids, page):
        return gql.paginate_by_parent(
            queries.readings_newest_first(), parent_field="register__meter_id", parent_ids=ids, args=page
        )

    return gql.paged_loader(info, "readings_of_meter", args, batch).load(meter_id)


def smart_devices_of_meter(info, meter_id: int):
    def batch(ids):
        return gql.grouped(queries.smart_meter_devices_of_meters(meter_ids=ids), lambda d: d.meter_id, ids)

    return gql.context(info).loader("smart_devices_of_meter", batch).load(meter_id)


def smart_devices_of_meter_point(info, meter_point_id: int):
    def batch(ids):
        devices = queries.smart_meter_devices_of_meter_points(meter_point_ids=ids)
        return gql.grouped(devices, lambda d: d.meter.meter_point_id, ids)

    return gql.context(info).loader("smart_devices_of_meter_point", batch).load(meter_point_id)


def smart_devices_of_property(info, property_id: int):
    def batch(ids):
        devices = queries.smart_meter_devices_of_properties(property_ids=ids)
        return gql.grouped(devices, lambda d: d.meter.meter_point.property_id, ids)

    return gql.context(info).loader("smart_devices_of_property", batch).load(property_id)


def latest_reading_date(info, meter_point_id: int):
    """The date of the meter point's latest actual reading (None without one)."""

    def batch(ids):
        found = queries.latest_actual_reading_dates(meter_point_ids=ids, tz=settings.TIME_ZONE)
        return [found.get(i) for i in ids]

    return gql.context(info).loader("latest_reading_date", batch).load(meter_point_id)


def paired_meters(info, meter_id: int):
    """The meters pairing with this one across import and export (see `queries.paired_meters`)."""

    def batch(ids):
        return gql.grouped(queries.paired_meters(meter_ids=ids), lambda m: m.paired_with, ids)

    return gql.context(info).loader("paired_meters", batch).load(meter_id)


# More buckets than any meter has: a forward page's window before its count is known.
_UNCOUNTED = 2**62


def consumption_of_meter(info, meter_id: int, *, start, grouping, tz: str, args: gql.PageArgs):
    """A page of the meter's consumption buckets (see `queries.consumption_buckets`): for every
    meter asking with the same arguments, whatever their number, one query for a forward page
    (its window does not depend on the count), two for a page counted from the end."""

    def batch(ids, page):
        if page.last is None and page.before is None:
            lo, hi = gql.page_window(page, _UNCOUNTED)
            found = queries.consumption_window(
                meter_ids=ids, start=start, grouping=grouping, tz=tz, lo=lo, hi=hi
            )
            return {
                i: gql.connection(rows, start=gql.page_window(page, total)[0], total=total)
                for i, (total, rows) in found.items()
            }
        totals = queries.consumption_bucket_counts(meter_ids=ids, start=start, grouping=grouping, tz=tz)
        windows = {i: gql.page_window(page, totals.get(i, 0)) for i in ids}
        rows = queries.consumption_buckets(windows=windows, start=start, grouping=grouping, tz=tz)
        return {i: gql.connection(rows[i], start=windows[i][0], total=totals.get(i, 0)) for i in ids}

    name = f"consumption:{start.isoformat()}:{grouping}:{tz}"
    return gql.paged_loader(info, name, args, batch).load(meter_id)
