"""An account's supply as its customer sees it (the customer REST API's account endpoint): its
properties, the meter points there with their meters and registers, and the account's agreements on
each meter point with the tariff codes. A constant number of queries, whatever the account holds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from accounts import models as accounts_models
from accounts import queries as accounts_queries
from billing import models
from metering import models as metering_models
from metering import queries as metering_queries


class AccountNotVisible(Exception):
    """No account with this number on which the user holds a role."""


@dataclass(frozen=True)
class MeterPointSupply:
    meter_point: metering_models.MeterPoint  # meters and their registers prefetched
    agreements: list[models.Agreement]  # by start, tariff selected


@dataclass(frozen=True)
class PropertySupply:
    property: accounts_models.Property
    electricity_meter_points: list[MeterPointSupply]
    gas_meter_points: list[MeterPointSupply]


@dataclass(frozen=True)
class AccountSupply:
    account: accounts_models.Account
    properties: list[PropertySupply]


def account_supply(*, number: str, user: accounts_models.User) -> AccountSupply:
    """The account with this number if `user` holds a role on it, with its properties (the current
    one first), their meter points, meters, registers and the account's agreements. Seven queries.

    Raises AccountNotVisible (unknown, or someone else's).
    """
    account = accounts_queries.account_of_user(number=number, user=user)
    if account is None:
        raise AccountNotVisible(number)
    properties = accounts_queries.properties_of_account(account=account)
    meter_points = metering_queries.meter_points_with_registers(property_ids=[p.pk for p in properties])
    agreements = defaultdict(list)
    for agreement in (
        models.Agreement.objects.filter(account=account, meter_point__in=[mp.pk for mp in meter_points])
        .select_related("tariff")
        .order_by("active_from", "id")
    ):
        agreements[agreement.meter_point_id].append(agreement)
    by_property = defaultdict(list)
    for meter_point in meter_points:
        by_property[meter_point.property_id].append(
            MeterPointSupply(meter_point=meter_point, agreements=agreements[meter_point.pk])
        )
    return AccountSupply(
        account=account,
        properties=[
            PropertySupply(
                property=prop,
                electricity_meter_points=[
                    s
                    for s in by_property[prop.pk]
                    if s.meter_point.utility_type in metering_queries.ELECTRICITY
                ],
                gas_meter_points=[
                    s
                    for s in by_property[prop.pk]
                    if s.meter_point.utility_type == metering_models.UtilityType.GAS
                ],
            )
            for prop in properties
        ],
    )
