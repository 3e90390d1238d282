"""What a migration team sends is kept, by the per-account and the bulk path alike: nothing in a
valid payload that the platform has a place for is dropped."""

from decimal import Decimal

import pytest

from accounts import models as accounts_models
from imports import operations, queries
from metering import models as metering_models
from tests.imports import payloads


def _detailed() -> dict:
    payload = payloads.numbered(1)
    payload.update(
        billing_address2="Flat 2",
        billing_address3="Thorpe Hamlet",
        billing_address4="Norwich",
        billing_address5="Norfolk",
        billing_delivery_point_identifier="50000001",
        billing_sub_name="c/o Ann Jablonski",
    )
    payload["customers"][0]["pronouns"] = "THEY_THEM_THEIRS"
    address = payload["supply_addresses"][0]
    address.update(supply_address5="Norfolk", supply_delivery_point_identifier="50000001")
    electricity, gas = address["meter_points"]
    gas["ldz"] = "EA"
    return payload


@pytest.mark.django_db
@pytest.mark.parametrize("bulk", [False, True], ids=["per account", "bulk"])
def test_the_import_keeps_every_detail_it_has_a_place_for(supplier, bulk):
    catalogue = queries.build_catalogue()
    if bulk:
        operations.import_accounts(
            supplier=supplier, payloads=[_detailed()], now=payloads.NOW, catalogue=catalogue
        )
    else:
        operations.import_account(
            supplier=supplier, payload=_detailed(), now=payloads.NOW, catalogue=catalogue
        )

    account = accounts_models.Account.objects.get()
    billing = account.billing_address
    assert (account.billing_email, account.billing_sub_name) == ("bob@jablonski.co.uk", "c/o Ann Jablonski")
    assert (billing.line_2, billing.line_3, billing.locality, billing.administrative_area) == (
        "Flat 2",
        "Thorpe Hamlet",
        "Norwich",
        "Norfolk",
    )
    assert billing.delivery_point_identifier == "50000001"
    supply = account.properties.get().address
    assert (supply.administrative_area, supply.delivery_point_identifier) == ("Norfolk", "50000001")
    user = account.users.get()
    assert (user.title, user.pronouns, str(user.date_of_birth)) == ("Mr", "THEY_THEM_THEIRS", "1989-01-11")
    electricity = metering_models.MeterPoint.objects.get(utility_type="ELECTRICITY")
    gas = metering_models.MeterPoint.objects.get(utility_type="GAS")
    assert (electricity.supplier_mpid, electricity.estimated_annual_consumption) == ("TENT", 3100)
    assert (gas.ldz, gas.estimated_annual_consumption) == ("EA", 12000)
    assert electricity.status_updated_at == payloads.NOW
    register = metering_models.Register.objects.get(meter__meter_point=electricity)
    assert (register.time_pattern_regime, register.estimated_annual_consumption) == (
        "00001",
        Decimal("3100.00"),
    )
    meter = electricity.meters.get()
    assert (meter.is_smart, meter.is_prepay) == (False, False)
    assert [(str(r.read_at.date()), r.value, r.source) for r in register.readings.all()] == [
        ("2026-05-31", Decimal("1000.000"), "IMPORT")
    ]
    gas_register = metering_models.Register.objects.get(meter__meter_point=gas)
    assert (gas_register.identifier, gas_register.unit, gas_register.digits) == ("1", "M3", 5)
    assert [r.value for r in gas_register.readings.all()] == [Decimal("500.000")]


@pytest.mark.django_db
def test_a_meter_whose_smart_type_is_none_is_not_smart(supplier):
    payload = payloads.numbered(2)
    payload["supply_addresses"][0]["meter_points"][0]["meters"][0]["smart_type"] = "NONE"

    operations.import_account(
        supplier=supplier, payload=payload, now=payloads.NOW, catalogue=queries.build_catalogue()
    )

    assert metering_models.Meter.objects.get(meter_point__utility_type="ELECTRICITY").is_smart is False
