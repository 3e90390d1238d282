"""The billing app's `Query` roots: `electricityAgreement`/`gasAgreement`, `energyProduct(s)`,
`applicableRates` and `smartTariffComparison`."""

from __future__ import annotations

from accounts.graphql import access
from billing import calculation, pricing, queries
from billing.graphql import types, views
from kernel import graphql as gql
from kernel import ranges
from kernel.graphql import error_codes
from metering import queries as metering_queries


def _agreement(info, id, *, electricity: bool):
    ctx = gql.context(info)
    ctx.viewer()
    pk = gql.decode_int(id)
    agreement = queries.get_agreement(id=pk) if pk is not None else None
    if (
        agreement is None
        or agreement.account_id not in ctx.viewer_account_ids()
        or metering_queries.is_electricity(agreement.meter_point.utility_type) != electricity
    ):
        raise gql.KrakenError(error_codes.UNAUTHORIZED)
    return agreement


def _smart_meter_point(info, mpan):
    """The viewer's electricity meter point with this MPAN; without one, the viewer's only smart
    electricity meter point, else the first that has recorded half hours. KT-CT-1111 for an MPAN
    that is not the viewer's (or unknown), or a viewer without a smart electricity meter point."""
    ctx = gql.context(info)
    ctx.viewer()
    if mpan:
        try:
            return metering_queries.meter_point_of_accounts(
                identifier=mpan, account_ids=ctx.viewer_account_ids(), electricity=True
            )
        except metering_queries.NotFound as exc:
            raise gql.KrakenError(error_codes.UNAUTHORIZED) from exc
    candidates = metering_queries.smart_electricity_meter_points(account_ids=ctx.viewer_account_ids())
    if not candidates:
        raise gql.KrakenError(
            error_codes.UNAUTHORIZED, description="The viewer has no smart electricity meter point."
        )
    return candidates[0]


class Query:
    @staticmethod
    def resolve_smartTariffComparison(root, info, mpan=None):
        meter_point = _smart_meter_point(info, mpan)
        try:
            comparison = queries.smart_tariff_comparison(meter_point=meter_point, as_of=gql.context(info).now)
        except (queries.NoConsumptionData, queries.NoCurrentAgreement) as exc:
            raise gql.KrakenError(error_codes.NO_CONSUMPTION_DATA) from exc
        except calculation.BillingError as exc:
            raise gql.KrakenError(error_codes.UNABLE_TO_PRICE) from exc
        return types.smart_tariff_comparison_view(comparison)

    @staticmethod
    def resolve_electricityAgreement(root, info, id):
        return _agreement(info, id, electricity=True)

    @staticmethod
    def resolve_gasAgreement(root, info, id):
        return _agreement(info, id, electricity=False)

    @staticmethod
    def resolve_energyProduct(root, info, code):
        gql.context(info).viewer()
        return queries.get_product(code=code)

    @staticmethod
    def resolve_energyProducts(
        root, info, postcode, brand=None, brands=None, availability=None, filterBy=None, **kwargs
    ):
        ctx = gql.context(info)
        ctx.viewer()
        args = gql.page_args(**kwargs)
        filters = {gql.enum_name(f) for f in filterBy or []}
        wanted_brands = [b for b in [brand, *(brands or [])] if b]
        availability = gql.enum_name(availability)
        rows = queries.products_offered(
            regions=types.regions_of_postcode(info, postcode),
            now=ctx.now,
            brands=wanted_brands or None,
            available=None if availability is None else availability == "AVAILABLE",
            variable=True if "VARIABLE" in filters else False if "FIXED" in filters else None,
            green="GREEN" in filters,
            # The catalogue holds no business, prepay or smart-only products.
            nothing=bool(filters & {"BUSINESS", "PREPAY", "SMART"}) or {"VARIABLE", "FIXED"} <= filters,
        )
        return gql.paginate(rows, args=args)

    @staticmethod
    def resolve_applicableRates(root, info, accountNumber, mpxn, startAt, endAt, **kwargs):
        account = access.viewer_account(info, accountNumber)
        args = gql.page_args(**kwargs)
        try:
            pricing.check_rate_window(start=startAt, end=endAt)
        except pricing.InvalidRateWindow as exc:
            raise gql.KrakenError(
                error_codes.INVALID_DATA, description="startAt must be before endAt, at most 31 days apart."
            ) from exc
        meter_point = None
        for electricity in (True, False):
            try:
                meter_point = metering_queries.meter_point_of_accounts(
                    identifier=mpxn, account_ids={account.pk}, electricity=electricity
                )
                break
            except metering_queries.NotFound:
                continue
        if meter_point is None:
            raise gql.KrakenError(error_codes.UNAUTHORIZED)
        rates = queries.applicable_rates(
            meter_point_id=meter_point.pk, account_id=account.pk, period=ranges.Period(startAt, endAt)
        )
        return gql.paginate_list([views.applicable_rate_view(rate) for rate in rates], args=args)
