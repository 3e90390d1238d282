"""Agreements with their tariffs, for the customer graph and the back office."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from billing import models
from billing.queries._offers import RATE_ORDER
from kernel import prepared, ranges


def get_agreement(*, id: int) -> models.Agreement | None:
    """The agreement with this primary key (with its meter point), or None."""
    return models.Agreement.objects.select_related("meter_point").filter(pk=id).first()


def _with_tariffs(agreements: list[models.Agreement]) -> list[models.Agreement]:
    """Agreements with their tariffs, products and rates: one query for the agreements, one for
    the distinct tariffs with their products, one for their rates, however many agreements share
    a tariff. Each tariff is built once and shared (not once per agreement, as a join would)."""
    if not agreements:
        return agreements
    tariff_ids = sorted({a.tariff_id for a in agreements})
    tariffs = {t.pk: t for t in prepared.rows("tariffs_by_id", _tariffs_by_id, tariff_ids)}
    rates: dict[int, list[models.TariffRate]] = {pk: [] for pk in tariffs}
    for rate in prepared.rows("rates_of_tariffs", _rates_of_tariffs, tariff_ids):
        rate._state.fields_cache["tariff"] = tariffs[rate.tariff_id]
        rates[rate.tariff_id].append(rate)
    for pk, tariff in tariffs.items():
        # What `prefetch_related("rates")` leaves: `tariff.rates.all()` answers from memory.
        loaded = tariff.rates.get_queryset()
        loaded._result_cache = rates[pk]
        loaded._prefetch_done = True
        tariff._prefetched_objects_cache = {"rates": loaded}
    for a in agreements:
        a._state.fields_cache["tariff"] = tariffs[a.tariff_id]
    return agreements


def _tariffs_by_id(ids: list[int]) -> QuerySet[models.Tariff]:
    return models.Tariff.objects.filter(pk__in=ids).select_related("product")


def _rates_of_tariffs(tariff_ids: list[int]) -> QuerySet[models.TariffRate]:
    return models.TariffRate.objects.filter(tariff_id__in=tariff_ids).order_by(*RATE_ORDER)


def agreements_of_meter_points(*, meter_point_ids: Collection[int]) -> list[models.Agreement]:
    """The meter points' agreements by start, with tariffs, products and rates (three queries)."""
    return _with_tariffs(
        prepared.rows("agreements_of_meter_points", _agreements_of_meter_points, list(meter_point_ids))
    )


def _agreements_of_meter_points(meter_point_ids: list[int]) -> QuerySet[models.Agreement]:
    return models.Agreement.objects.filter(meter_point_id__in=meter_point_ids).order_by("active_from", "id")


def agreements_of_accounts(*, account_ids: Collection[int]) -> list[models.Agreement]:
    """The accounts' agreements by start, with meter points, tariffs, products and rates."""
    return _with_tariffs(prepared.rows("agreements_of_accounts", _agreements_of_accounts, list(account_ids)))


def _agreements_of_accounts(account_ids: list[int]) -> QuerySet[models.Agreement]:
    return (
        models.Agreement.objects.filter(account_id__in=account_ids)
        .select_related("meter_point")
        .order_by("active_from", "id")
    )


def select_agreements(
    agreements: Iterable[models.Agreement],
    *,
    at: datetime,
    active: bool | None = None,
    include_inactive: bool | None = None,
    exclude_future: bool | None = None,
    valid_after: datetime | None = None,
) -> list[models.Agreement]:
    """The agreements that are (`active=True`) or are not (`False`) in force at `at`; without the
    ones not in force at `at` when `include_inactive` is False, without those starting after `at`
    with `exclude_future`, and without those ended by `valid_after`."""
    if active is None and include_inactive is not False and not exclude_future and valid_after is None:
        return list(agreements)
    chosen = []
    for agreement in agreements:
        period = ranges.Period(agreement.active_from, agreement.active_to)
        in_force = at in period
        if active is not None and in_force != active:
            continue
        if include_inactive is False and not in_force:
            continue
        if exclude_future and period.starts_after(at):
            continue
        if valid_after is not None and not period.ends_after(valid_after):
            continue
        chosen.append(agreement)
    return chosen


def agreements_of_account(*, account_id: int) -> list[models.Agreement]:
    """The account's agreements, latest first, with tariff, product and the tariff's `rates`."""
    return list(
        models.Agreement.objects.filter(account_id=account_id)
        .select_related("tariff__product", "meter_point")
        .prefetch_related(
            Prefetch("tariff__rates", queryset=models.TariffRate.objects.order_by("band", "-active_from"))
        )
        .order_by("-active_from", "-id")
    )


def renewable(agreements: Iterable[models.Agreement], *, at: datetime) -> bool:
    """Whether one of the agreements in force at `at` is on a fixed-term product and ends within
    `settings.TARIFF_RENEWAL_WINDOW_DAYS` (agreements come with their tariff and product)."""
    window = timedelta(days=settings.TARIFF_RENEWAL_WINDOW_DAYS)
    return any(
        a.active_from <= at
        and a.active_to is not None
        and at < a.active_to <= at + window
        and not a.tariff.product.is_variable
        for a in agreements
    )
