"""The accounts app's `Query` roots: `viewer`, `account`, `properties`/`property`,
`loyaltyPointLedgers` and `balanceForecast`."""

from __future__ import annotations

from accounts import queries
from accounts.graphql import access, dataloaders, types
from kernel import graphql as gql
from kernel.graphql import error_codes


class Query:
    @staticmethod
    def resolve_viewer(root, info):
        return gql.context(info).viewer()

    @staticmethod
    def resolve_account(root, info, accountNumber):
        return access.viewer_account(info, accountNumber)

    @staticmethod
    def resolve_properties(root, info, accountNumber, active=None):
        account = access.viewer_account(info, accountNumber)
        now = gql.context(info).now

        def keep(props):
            if active is None:
                return props
            return [p for p in props if queries.is_occupied(prop=p, at=now) == active]

        return gql.then(dataloaders.properties_of_account(info, account.pk), keep)

    @staticmethod
    def resolve_property(root, info, id):
        ctx = gql.context(info)
        ctx.viewer()
        number = types.property_number(id)
        prop = queries.get_property(public_id=number) if number is not None else None
        if prop is None or prop.account_id not in ctx.viewer_account_ids():
            raise gql.KrakenError(error_codes.UNAUTHORIZED)
        return prop

    @staticmethod
    def resolve_loyaltyPointLedgers(root, info):
        return list(queries.loyalty_point_entries(user=gql.context(info).viewer()))

    @staticmethod
    def resolve_balanceForecast(root, info, accountNumber):
        access.viewer_account(info, accountNumber)
        # The product keeps no balance forecasts: say so rather than make one up.
        return gql.view("BalanceForecastType", isAvailable=False)
