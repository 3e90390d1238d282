"""Benchmark customers written in bulk: an account with its ledger, property, electricity meter point
and meter each (the part every billing benchmark needs alike)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

BATCH = 2000


@dataclass
class Customers:
    accounts: list
    properties: list
    points: list
    meters: list


def electricity_customers(
    *, count: int, first_number: int, first_mpan: int, serial_prefix: str, smart: bool, since: dt.datetime
) -> Customers:
    from accounts import models as accounts_models
    from metering import models as metering_models

    address = accounts_models.Address.objects.create(line_1=f"1 {serial_prefix} Street", postcode="BE1 1CH")
    accounts = accounts_models.Account.objects.bulk_create(
        [
            accounts_models.Account(number=f"A-{first_number + index:08X}", billing_name=f"Bench {index}")
            for index in range(count)
        ],
        batch_size=BATCH,
    )
    accounts_models.Ledger.objects.bulk_create(
        [accounts_models.Ledger(account=account, currency="GBP") for account in accounts], batch_size=BATCH
    )
    properties = accounts_models.Property.objects.bulk_create(
        [
            accounts_models.Property(account=account, address=address, occupied_from=since)
            for account in accounts
        ],
        batch_size=BATCH,
    )
    points = metering_models.MeterPoint.objects.bulk_create(
        [
            metering_models.MeterPoint(
                property=prop,
                utility_type="ELECTRICITY",
                identifier=f"{first_mpan + index}",
                supply_from=since,
            )
            for index, prop in enumerate(properties)
        ],
        batch_size=BATCH,
    )
    meters = metering_models.Meter.objects.bulk_create(
        [
            metering_models.Meter(
                meter_point=point,
                serial_number=f"{serial_prefix}{index}",
                is_smart=smart,
                installed_from=since - dt.timedelta(days=400),
            )
            for index, point in enumerate(points)
        ],
        batch_size=BATCH,
    )
    return Customers(accounts, properties, points, meters)
