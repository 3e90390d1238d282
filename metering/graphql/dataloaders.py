"""Request-scoped batch loads of meter points, meters and registers."""

from __future__ import annotations

from kernel import graphql as gql
from metering import models


def meter_points_of_property(info, property_id: int):
    def batch(ids):
        rows = models.MeterPoint.objects.filter(property_id__in=ids).order_by("utility_type", "identifier")
        return gql.grouped(rows, lambda mp: mp.property_id, ids)

    return gql.context(info).loader("meter_points_of_property", batch).load(property_id)


def meter_point(info, meter_point_id: int):
    def batch(ids):
        rows = models.MeterPoint.objects.filter(pk__in=ids).select_related("property")
        return gql.by_key(rows, lambda mp: mp.pk, ids)

    return gql.context(info).loader("meter_point", batch).load(meter_point_id)


def meters_of_meter_point(info, meter_point_id: int):
    def batch(ids):
        rows = models.Meter.objects.filter(meter_point_id__in=ids).order_by("installed_from", "id")
        return gql.grouped(rows, lambda m: m.meter_point_id, ids)

    return gql.context(info).loader("meters_of_meter_point", batch).load(meter_point_id)


def registers_of_meter(info, meter_id: int):
    def batch(ids):
        rows = models.Register.objects.filter(meter_id__in=ids).order_by("identifier")
        return gql.grouped(rows, lambda r: r.meter_id, ids)

    return gql.context(info).loader("registers_of_meter", batch).load(meter_id)


def readings_of_meter(info, meter_id: int, args: gql.PageArgs):
    """A page of a meter's readings, newest first: one query per page shape, not per meter."""

    def batch(ids, page):
        rows = models.Reading.objects.select_related("register")
        return gql.paginate_by_parent(
            rows, parent_field="register__meter_id", parent_ids=ids, order_by=("-read_at", "-id"), args=page
        )

    return gql.paged_loader(info, "readings_of_meter", args, batch).load(meter_id)
