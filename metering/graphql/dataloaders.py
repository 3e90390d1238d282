"""Request-scoped batch loads of meter points, meters, registers and readings. Each batch calls one
read of `metering.queries`."""

from __future__ import annotations

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
