"""CDR demo data for `make run`: an Australian customer with two energy accounts shared with a demo
data recipient, and a fixed development bearer token to call the endpoints with.

Idempotent: does nothing if the demo software product exists. Try it with:

    curl -H "Authorization: Bearer $DEMO_CDR_TOKEN" -H "x-v: 4" \\
         -H "x-fapi-auth-date: Thu, 12 Jun 2025 08:30:00 GMT" http://localhost:8000/cds-au/v1/energy/accounts
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction

from accounts import models as accounts_models
from accounts import operations as accounts_operations
from billing import models as billing_models
from cdr import models, operations
from metering import models as metering_models

DEMO_SOFTWARE_PRODUCT_ID = "demo-budget-app"
DEMO_CUSTOMER_EMAIL = "cdr-demo@example.com"
# Development only: a fixed token so `make run` can print it although only its hash is stored.
DEMO_CDR_TOKEN = "cdr_demo-token-development-only"


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    token: str


def load(*, now: datetime) -> DemoSummary:
    """Load the CDR demo set unless it is already there."""
    with transaction.atomic():
        if models.DataRecipient.objects.filter(software_product_id=DEMO_SOFTWARE_PRODUCT_ID).exists():
            return DemoSummary(created=False, token=DEMO_CDR_TOKEN)
        start = now - timedelta(days=180)
        recipient = models.DataRecipient.objects.create(
            software_product_id=DEMO_SOFTWARE_PRODUCT_ID, brand_id="demo-brand", name="Demo Budget App"
        )
        customer, _ = accounts_models.User.objects.get_or_create(
            email=DEMO_CUSTOMER_EMAIL,
            defaults={"username": DEMO_CUSTOMER_EMAIL, "first_name": "Matilda", "last_name": "Jones"},
        )
        flat, time_of_use = _tariffs(start=start)
        shared = [
            _account(customer=customer, tariff=flat, nmi="4102000001", start=start, now=now),
            _account(customer=customer, tariff=time_of_use, nmi="4102000002", start=start, now=now),
        ]
        consent = operations.grant_consent(
            recipient=recipient,
            customer=customer,
            accounts=shared,
            scopes=models.Scope.values,
            granted_at=now,
            expires_at=now + timedelta(days=365),
        )
        operations.issue_access_token(
            consent=consent, issued_at=now, expires_at=now + timedelta(days=365), raw=DEMO_CDR_TOKEN
        )
    return DemoSummary(created=True, token=DEMO_CDR_TOKEN)


def _tariffs(*, start: datetime) -> tuple[billing_models.Tariff, billing_models.Tariff]:
    flat_product = billing_models.Product.objects.create(
        code="DEMO-AU-FLEX",
        display_name="Flexible NSW",
        full_name="Flexible NSW (demo)",
        tax_rate=Decimal("0.10"),
        available_from=start,
    )
    flat = billing_models.Tariff.objects.create(
        product=flat_product,
        code="E-AU-DEMO-FLEX",
        utility_type="ELECTRICITY",
        region="NSW",
        currency="AUD",
        standing_charge=Decimal("98.5000"),
    )
    billing_models.TariffRate.objects.create(tariff=flat, unit_rate=Decimal("29.4500"), active_from=start)
    tou_product = billing_models.Product.objects.create(
        code="DEMO-AU-TOU",
        display_name="Time of Use NSW",
        full_name="Time of Use NSW (demo)",
        is_green=True,
        tax_rate=Decimal("0.10"),
        available_from=start,
    )
    time_of_use = billing_models.Tariff.objects.create(
        product=tou_product,
        code="E-AU-DEMO-TOU",
        utility_type="ELECTRICITY",
        region="NSW",
        currency="AUD",
        standing_charge=Decimal("105.0000"),
    )
    for band, rate, window in (
        (billing_models.RateBand.OFF_PEAK, "18.2000", (time(22), time(7))),
        (billing_models.RateBand.PEAK, "45.1000", (time(14), time(20))),
        (billing_models.RateBand.SHOULDER, "27.3000", (time(7), time(14))),
        (billing_models.RateBand.STANDARD, "27.3000", None),
    ):
        billing_models.TariffRate.objects.create(
            tariff=time_of_use,
            band=band,
            unit_rate=Decimal(rate),
            start_time=window[0] if window else None,
            end_time=window[1] if window else None,
            active_from=start,
        )
    return flat, time_of_use


def _account(
    *, customer: accounts_models.User, tariff: billing_models.Tariff, nmi: str, start: datetime, now: datetime
) -> accounts_models.Account:
    address = accounts_models.Address.objects.create(
        line_1="1 George Street", locality="Sydney", administrative_area="NSW", postcode="2000", country="AU"
    )
    account = accounts_operations.create_account(
        billing_name="Matilda Jones", currency="AUD", created_at=now, billing_address=address
    )
    accounts_models.AccountUserRole.objects.create(account=account, user=customer)
    prop = accounts_models.Property.objects.create(account=account, address=address, occupied_from=start)
    meter_point = metering_models.MeterPoint.objects.create(
        property=prop,
        utility_type="ELECTRICITY",
        market=metering_models.Market.AU,
        identifier=nmi,
        supply_from=start,
    )
    billing_models.Agreement.objects.create(
        account=account, meter_point=meter_point, tariff=tariff, active_from=start
    )
    return account
