"""The billing app's `Query` roots: `electricityAgreement`/`gasAgreement`, `energyProduct(s)` and
`applicableRates`."""

from __future__ import annotations

from accounts.graphql import access
from billing import pricing, queries
from billing.graphql import types
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


class Query:
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
        return gql.paginate_list([types.applicable_rate_view(rate) for rate in rates], args=args)
