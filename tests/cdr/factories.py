import datetime as dt
import itertools
import secrets
from decimal import Decimal

import factory

from accounts import models as accounts_models
from accounts import tokens
from cdr import models, operations
from tests.accounts.factories import AccountFactory, AccountUserRoleFactory, PropertyFactory, UserFactory
from tests.billing.factories import AgreementFactory, TariffFactory, TariffRateFactory
from tests.metering.factories import MeterPointFactory

NOW = dt.datetime(2025, 6, 15, 2, 0, tzinfo=dt.UTC)  # 12:00 in Sydney (AEST, +10:00)
_NMI_SERIALS = itertools.count(1)
ALL_SCOPES = [models.Scope.ENERGY_ACCOUNTS_BASIC_READ, models.Scope.ENERGY_ACCOUNTS_DETAIL_READ]


class DataRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DataRecipient

    software_product_id = factory.Sequence(lambda n: f"software-product-{n}")
    brand_id = factory.Sequence(lambda n: f"brand-{n}")
    name = factory.Sequence(lambda n: f"Budget App {n}")


class ConsentFactory(factory.django.DjangoModelFactory):
    """A bare consent row; use `grant` for one with accounts and accountIds, as the platform makes them."""

    class Meta:
        model = models.Consent

    recipient = factory.SubFactory(DataRecipientFactory)
    customer = factory.SubFactory(UserFactory)
    scopes = factory.LazyFunction(lambda: list(ALL_SCOPES))
    granted_at = NOW - dt.timedelta(days=1)
    expires_at = NOW + dt.timedelta(days=365)


class AccountIdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AccountIdentifier

    recipient = factory.SubFactory(DataRecipientFactory)
    customer = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    cdr_account_id = factory.LazyFunction(lambda: secrets.token_urlsafe(24))
    created_at = NOW


class ServicePointIdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ServicePointIdentifier

    recipient = factory.SubFactory(DataRecipientFactory)
    customer = factory.SubFactory(UserFactory)
    meter_point = factory.SubFactory(MeterPointFactory)
    cdr_service_point_id = factory.LazyFunction(lambda: secrets.token_urlsafe(24))
    created_at = NOW


class AccessTokenFactory(factory.django.DjangoModelFactory):
    """Pass `raw=` to know the token; only its hash is stored."""

    class Meta:
        model = models.AccessToken
        exclude = ("raw",)

    consent = factory.SubFactory(ConsentFactory)
    raw = factory.LazyFunction(lambda: "cdr_" + secrets.token_urlsafe(32))
    token_hash = factory.LazyAttribute(lambda o: tokens.hash_secret(o.raw))
    prefix = factory.LazyAttribute(lambda o: o.raw[:12])
    issued_at = NOW - dt.timedelta(minutes=1)
    expires_at = NOW + dt.timedelta(hours=1)


def au_account(*, customer, plans=1, status=accounts_models.AccountStatus.ACTIVE, **account_fields):
    """An Australian account the customer has a role on, with `plans` electricity plans of one NMI each
    (a flat STANDARD rate), all active since EPOCH."""
    account = AccountFactory(currency="AUD", status=status, **account_fields)
    AccountUserRoleFactory(account=account, user=customer)
    for _ in range(plans):
        au_agreement(account=account)
    return account


def au_agreement(*, account, tariff=None, utility_type="ELECTRICITY", **agreement_fields):
    if tariff is None:
        tariff = TariffFactory(currency="AUD", utility_type=utility_type, standing_charge=Decimal("95.0000"))
        TariffRateFactory(tariff=tariff, unit_rate=Decimal("28.6000"))
    meter_point = MeterPointFactory(
        property=PropertyFactory(account=account),
        market="AU",
        utility_type=utility_type,
        identifier=f"41{next(_NMI_SERIALS):08d}",
        gsp_group_id="",
        profile_class=None,
    )
    return AgreementFactory(account=account, meter_point=meter_point, tariff=tariff, **agreement_fields)


def grant(*, customer, accounts, recipient=None, scopes=None, granted_at=None, expires_at=None):
    return operations.grant_consent(
        recipient=recipient or DataRecipientFactory(),
        customer=customer,
        accounts=accounts,
        scopes=ALL_SCOPES if scopes is None else scopes,
        granted_at=granted_at or NOW - dt.timedelta(days=1),
        expires_at=expires_at or NOW + dt.timedelta(days=365),
    )


def token_for(consent, *, expires_at=None) -> str:
    return operations.issue_access_token(
        consent=consent,
        issued_at=NOW - dt.timedelta(minutes=1),
        expires_at=expires_at or NOW + dt.timedelta(hours=1),
    ).raw


def service_point_id(consent, meter_point) -> str:
    """The servicePointId the consent's recipient sees for its customer's meter point."""
    return models.ServicePointIdentifier.objects.get(
        recipient=consent.recipient, customer=consent.customer, meter_point=meter_point
    ).cdr_service_point_id
