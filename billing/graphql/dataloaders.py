"""Request-scoped batch loads of agreements, tariffs with their rates, bills and payments."""

from __future__ import annotations

from django.db.models import Prefetch

from billing import models
from kernel import graphql as gql


def _with_tariffs(rows):
    """Agreements with their tariffs, products and rates: one query for the agreements, one for
    the distinct tariffs with their products, one for their rates, however many agreements share
    a tariff. Each tariff is built once and shared (not once per agreement, as a join would)."""
    agreements = list(rows)
    tariffs = {
        t.pk: t
        for t in models.Tariff.objects.filter(pk__in={a.tariff_id for a in agreements})
        .select_related("product")
        .prefetch_related(
            Prefetch("rates", queryset=models.TariffRate.objects.order_by("band", "active_from"))
        )
    }
    for a in agreements:
        a._state.fields_cache["tariff"] = tariffs[a.tariff_id]
    return agreements


def agreements_of_meter_point(info, meter_point_id: int):
    def batch(ids):
        rows = _with_tariffs(
            models.Agreement.objects.filter(meter_point_id__in=ids).order_by("active_from", "id")
        )
        return gql.grouped(rows, lambda a: a.meter_point_id, ids)

    return gql.context(info).loader("agreements_of_meter_point", batch).load(meter_point_id)


def agreements_of_account(info, account_id: int):
    def batch(ids):
        rows = models.Agreement.objects.filter(account_id__in=ids).select_related("meter_point")
        rows = _with_tariffs(rows.order_by("active_from", "id"))
        return gql.grouped(rows, lambda a: a.account_id, ids)

    return gql.context(info).loader("agreements_of_account", batch).load(account_id)


def tariff(info, tariff_id: int):
    """A tariff with its product and all its rates (one query for the tariffs, one for the rates)."""

    def batch(ids):
        rows = (
            models.Tariff.objects.filter(pk__in=ids)
            .select_related("product")
            .prefetch_related(
                Prefetch("rates", queryset=models.TariffRate.objects.order_by("band", "active_from"))
            )
        )
        return gql.by_key(rows, lambda t: t.pk, ids)

    return gql.context(info).loader("tariff", batch).load(tariff_id)


BILL_ORDER = {"FROM_DATE_DESC": ("-period_start", "-id"), "ISSUED_DATE_DESC": ("-issued_at", "-id")}


def bills_of_account(info, account_id: int, *, args: gql.PageArgs, order: str, filters: tuple):
    def batch(ids, page):
        rows = models.Bill.objects.exclude(status=models.BillStatus.VOID).filter(**dict(filters))
        return gql.paginate_by_parent(
            rows, parent_field="account_id", parent_ids=ids, order_by=BILL_ORDER[order], args=page
        )

    return gql.paged_loader(info, f"bills:{order}:{filters}", args, batch).load(account_id)


def payments_of_account(info, account_id: int, *, args: gql.PageArgs, filters: tuple):
    def batch(ids, page):
        rows = models.Payment.objects.filter(**dict(filters))
        return gql.paginate_by_parent(
            rows, parent_field="account_id", parent_ids=ids, order_by=("-created_at", "-id"), args=page
        )

    return gql.paged_loader(info, f"payments:{filters}", args, batch).load(account_id)
