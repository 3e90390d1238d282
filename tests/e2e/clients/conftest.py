"""Demo-style data for the client-library journeys, served by pytest-django's live server: the demo
catalogue and postcode directory (`kraken.demo_catalogue`), and a customer like the demo one (a
London home with a smart electricity meter, a smart gas meter and an export meter, agreements on
Flexible Octopus with a history, 100 days of half-hourly data, a secret API key), next to another
customer whose meters and account the first one's key must never reach.

The journeys only read over HTTP, so the data is committed once per module (the live server's
own connection sees it) and the database flushed after the module, rather than built and flushed
for every test as a transactional test would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from billing import models as billing_models
from kraken import demo_catalogue
from metering import models as metering_models
from tests.accounts.factories import AccountUserRoleFactory, AddressFactory, PropertyFactory, UserFactory
from tests.billing.factories import AgreementFactory
from tests.metering.factories import MeterFactory, MeterPointFactory, RegisterFactory

DAYS_OF_DATA = 100
PRODUCT = "VAR-22-11-01"


@dataclasses.dataclass
class DemoStyle:
    now: dt.datetime
    key: str
    account_number: str
    mpan: str
    electricity_serial: str
    export_mpan: str
    mprn: str
    gas_serial: str
    postcode: str
    other_account_number: str
    other_mpan: str
    other_serial: str


def _home(user, *, postcode: str, mpan: str, mprn: str | None, since: dt.datetime):
    account = AccountUserRoleFactory(user=user).account
    prop = PropertyFactory(
        account=account,
        address=AddressFactory(postcode=postcode, line_1="1 Example Road"),
        occupied_from=since,
    )
    electricity = MeterPointFactory(property=prop, identifier=mpan, gsp_group_id="_C", supply_from=since)
    meter = RegisterFactory(
        meter=MeterFactory(meter_point=electricity, serial_number=f"21L{mpan[-7:]}", installed_from=since)
    ).meter
    gas_meter = None
    if mprn:
        gas = MeterPointFactory(
            property=prop,
            identifier=mprn,
            utility_type=metering_models.UtilityType.GAS,
            gsp_group_id="",
            supply_from=since,
        )
        gas_meter = RegisterFactory(
            meter=MeterFactory(
                meter_point=gas, serial_number=f"E6S{mprn}", meter_type="", installed_from=since
            ),
            unit=metering_models.RegisterUnit.CUBIC_METRES,
        ).meter
    return account, electricity, meter, gas_meter


def _tariff(code: str) -> billing_models.Tariff:
    return billing_models.Tariff.objects.get(code=code)


@pytest.fixture(scope="module")
def demo_style(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            yield _build()
        finally:
            # As a transactional test's own flush: sequences left where they are, which lets the
            # tests' backend delete the rows rather than truncate every table (tests/postgresql).
            call_command("flush", verbosity=0, interactive=False, reset_sequences=False)


@pytest.fixture(autouse=True)
def _live_server_helper(request):
    """pytest-django's helper of the same name, without the `transactional_db` it would request
    (and its flush after every test): `demo_style` holds the data, committed, for the module."""
    if "live_server" not in request.fixturenames:
        yield
        return
    live_server = request.getfixturevalue("live_server")
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


def _build() -> DemoStyle:
    now = timezone.now()
    since = now - dt.timedelta(days=DAYS_OF_DATA + 30)
    demo_catalogue.load_catalogue(now=now, dynamic_days=2)
    demo_catalogue.load_gsp_directory()
    user = UserFactory(email="demo-style@example.com")
    account, electricity, meter, gas_meter = _home(
        user, postcode="SW1A 1AA", mpan="1200000000017", mprn="9000000017", since=since
    )
    export = MeterPointFactory(
        property=electricity.property,
        identifier="1200000000024",
        gsp_group_id="_C",
        is_export=True,
        supply_from=since,
    )
    MeterFactory(meter_point=export, serial_number="21E0000024", installed_from=since)
    switch = now - dt.timedelta(days=40)
    AgreementFactory(
        account=account,
        meter_point=electricity,
        tariff=_tariff(f"E-1R-{PRODUCT}-C"),
        active_from=since,
        active_to=switch,
    )
    AgreementFactory(
        account=account,
        meter_point=electricity,
        tariff=_tariff("E-1R-OE-FIX-12M-25-04-01-C"),
        active_from=switch,
    )
    AgreementFactory(
        account=account,
        meter_point=gas_meter.meter_point,
        tariff=_tariff(f"G-1R-{PRODUCT}-C"),
        active_from=since,
    )
    AgreementFactory(
        account=account, meter_point=export, tariff=_tariff("E-1R-OUTGOING-VAR-24-10-26-C"), active_from=since
    )
    _, key = demo_catalogue.load_customer(user=user, now=now, days=DAYS_OF_DATA, rng=random.Random(1))

    other_user = UserFactory()
    other_account, other_point, other_meter, _ = _home(
        other_user, postcode="N1 9GU", mpan="1200000000031", mprn=None, since=since
    )
    demo_catalogue.load_customer(user=other_user, now=now, days=2, rng=random.Random(2))
    return DemoStyle(
        now=now,
        key=key,
        account_number=account.number,
        mpan=electricity.identifier,
        electricity_serial=meter.serial_number,
        export_mpan=export.identifier,
        mprn=gas_meter.meter_point.identifier,
        gas_serial=gas_meter.serial_number,
        postcode="SW1A 1AA",
        other_account_number=other_account.number,
        other_mpan=other_point.identifier,
        other_serial=other_meter.serial_number,
    )
