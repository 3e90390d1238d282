from decimal import Decimal

from devices import models
from kernel.graphql import ids as gql_ids
from tests.accounts.factories import AccountUserRoleFactory, PropertyFactory
from tests.devices.factories import DeviceFactory
from tests.graphql.conftest import error_code, queries_for
from tests.graphql.factories import DeviceVariantFactory
from tests.metering.factories import MeterPointFactory

CATALOGUE = """query($make: String, $provider: ProviderChoices, $live: Boolean) {
  electricVehicles(make: $make, supportedProvider: $provider, isIntegrationLive: $live) {
    make models { vehicleId model year batterySize supportedProviders isIntegrationLive } }
  chargePointVariants { make models { variantId model powerInKw amperage isIntegrationLive } }
  chargePointDevices { make models { model powerInKw } }
  heatPumpVariants { make models { heatPumpId model powerInKw isDeprecated } }
  batteryVariants { make models { variantId model couplingType batteryCapacityInKwh maxPowerInKw } } }"""
ELIGIBLE = """query($n: String!) { eligibleDeviceTypes(accountNumber: $n) }"""
USER_VEHICLES = """query($n: String) { userVehicles(accountNumber: $n) {
  vehicleId information { vin brand model year displayName } } }"""
AT_PROPERTY = """query($n: String!, $p: Int!) {
  batteryDevice(accountNumber: $n, propertyId: $p) { krakenflexDeviceId deviceType provider params { variantId } }
  heatPumpDevice(accountNumber: $n, propertyId: $p) { krakenflexDeviceId provider params { heatPumpId } } }"""


def catalogue(start, stop):
    for i in range(start, stop):
        DeviceVariantFactory(
            make=f"Make {i % 3}", battery_capacity_kwh=Decimal("58.5"), supported_providers=["ENODE"]
        )
        DeviceVariantFactory(
            kind=models.DeviceKind.CHARGE_POINTS, make="myenergi", model="zappi", power_kw=7 + i
        )
        DeviceVariantFactory(kind=models.DeviceKind.HEAT_PUMPS, make="Daikin", power_kw=8)
        DeviceVariantFactory(kind=models.DeviceKind.BATTERIES, make="GivEnergy", coupling_type="AC")


class TestCatalogue:
    def test_lists_every_kind_grouped_by_make(self, authed):
        DeviceVariantFactory(
            variant_id=501,
            make="Tesla",
            model="Model 3",
            year=2021,
            battery_capacity_kwh=Decimal("75"),
            supported_providers=["TESLA"],
        )
        DeviceVariantFactory(variant_id=502, make="Nissan", model="Leaf", is_integration_live=False)
        DeviceVariantFactory(
            variant_id=601,
            kind=models.DeviceKind.CHARGE_POINTS,
            make="Ohme",
            model="Home Pro",
            power_kw=Decimal("7.4"),
            amperage=32,
        )
        DeviceVariantFactory(
            variant_id=701,
            kind=models.DeviceKind.HEAT_PUMPS,
            make="Daikin",
            model="Altherma",
            power_kw=8,
            is_deprecated=True,
        )
        DeviceVariantFactory(
            variant_id=801,
            kind=models.DeviceKind.BATTERIES,
            make="Tesla",
            model="Powerwall 2",
            coupling_type="AC",
            battery_capacity_kwh=Decimal("13.5"),
            power_kw=5,
        )

        data = authed.ok(CATALOGUE)

        assert data["electricVehicles"] == [
            {
                "make": "Nissan",
                "models": [
                    {
                        "vehicleId": 502,
                        "model": "Leaf",
                        "year": None,
                        "batterySize": None,
                        "supportedProviders": [],
                        "isIntegrationLive": False,
                    }
                ],
            },
            {
                "make": "Tesla",
                "models": [
                    {
                        "vehicleId": 501,
                        "model": "Model 3",
                        "year": 2021,
                        "batterySize": "75.00",
                        "supportedProviders": ["TESLA"],
                        "isIntegrationLive": True,
                    }
                ],
            },
        ]
        assert data["chargePointVariants"] == [
            {
                "make": "Ohme",
                "models": [
                    {
                        "variantId": 601,
                        "model": "Home Pro",
                        "powerInKw": "7.40",
                        "amperage": 32,
                        "isIntegrationLive": True,
                    }
                ],
            }
        ]
        assert data["chargePointDevices"] == [
            {"make": "Ohme", "models": [{"model": "Home Pro", "powerInKw": ["7.4"]}]}
        ]
        assert data["heatPumpVariants"] == [
            {
                "make": "Daikin",
                "models": [
                    {"heatPumpId": "701", "model": "Altherma", "powerInKw": "8.00", "isDeprecated": True}
                ],
            }
        ]
        assert data["batteryVariants"] == [
            {
                "make": "Tesla",
                "models": [
                    {
                        "variantId": "801",
                        "model": "Powerwall 2",
                        "couplingType": "AC",
                        "batteryCapacityInKwh": "13.50",
                        "maxPowerInKw": "5.00",
                    }
                ],
            }
        ]

    def test_filters_vehicles_by_make_provider_and_integration(self, authed):
        DeviceVariantFactory(make="Tesla", supported_providers=["TESLA"])
        DeviceVariantFactory(make="Tesla", supported_providers=["ENODE"], is_integration_live=False)
        DeviceVariantFactory(make="Nissan", supported_providers=["ENODE"])

        data = authed.ok(CATALOGUE, {"make": "tesla", "provider": "ENODE", "live": False})

        assert [(v["make"], len(v["models"])) for v in data["electricVehicles"]] == [("Tesla", 1)]

    def test_costs_the_same_queries_for_4_and_60_variants(self, authed):
        catalogue(0, 1)
        few, _ = queries_for(authed, CATALOGUE)
        catalogue(1, 15)

        many, data = queries_for(authed, CATALOGUE)

        assert len(data["chargePointDevices"][0]["models"][0]["powerInKw"]) == 15
        assert few == many

    def test_needs_a_token(self, gql, db):
        _, body = gql(CATALOGUE)

        assert error_code(body) == "KT-CT-1112"


class TestEligibleDeviceTypes:
    def test_are_the_live_integrations_for_an_account_with_electricity(self, authed, account):
        MeterPointFactory(property=PropertyFactory(account=account))
        DeviceVariantFactory(kind=models.DeviceKind.CHARGE_POINTS)
        DeviceVariantFactory(kind=models.DeviceKind.BATTERIES)
        DeviceVariantFactory(kind=models.DeviceKind.HEAT_PUMPS, is_integration_live=False)

        data = authed.ok(ELIGIBLE, {"n": account.number})

        assert data["eligibleDeviceTypes"] == ["BATTERIES", "ELECTRIC_VEHICLES"]

    def test_refuse_another_account(self, authed):
        _, body = authed(ELIGIBLE, {"n": AccountUserRoleFactory().account.number})

        assert error_code(body) == "KT-CT-4177"


class TestUserVehicles:
    def test_lists_the_vehicles_on_the_viewers_accounts_only(self, authed, account):
        variant = DeviceVariantFactory(year=2022)
        mine = DeviceFactory(account=account, vendor="Tesla", model="Model Y", name="Car", variant=variant)
        DeviceFactory(account=account, kind=models.DeviceKind.BATTERIES)
        DeviceFactory(account=AccountUserRoleFactory().account)

        data = authed.ok(USER_VEHICLES)

        assert data["userVehicles"] == [
            {
                "vehicleId": str(mine.public_id),
                "information": {
                    "vin": None,
                    "brand": "Tesla",
                    "model": "Model Y",
                    "year": 2022,
                    "displayName": "Car",
                },
            }
        ]

    def test_cost_the_same_queries_for_1_and_20_vehicles(self, authed, account):
        DeviceFactory(account=account, variant=DeviceVariantFactory())
        one, _ = queries_for(authed, USER_VEHICLES, {"n": account.number})
        for _ in range(19):
            DeviceFactory(account=account, variant=DeviceVariantFactory())

        twenty, data = queries_for(authed, USER_VEHICLES, {"n": account.number})

        assert len(data["userVehicles"]) == 20
        assert one == twenty

    def test_refuse_another_account(self, authed):
        _, body = authed(USER_VEHICLES, {"n": AccountUserRoleFactory().account.number})

        assert error_code(body) == "KT-CT-4177"


class TestDevicesAtAProperty:
    def test_are_found_by_the_propertys_public_number(self, authed, account):
        prop = PropertyFactory(account=account)
        battery = DeviceFactory(
            account=account,
            property=prop,
            kind=models.DeviceKind.BATTERIES,
            provider=models.Provider.GIVENERGY,
            variant=DeviceVariantFactory(variant_id=4242, kind=models.DeviceKind.BATTERIES),
        )
        heat_pump = DeviceFactory(
            account=account, property=prop, kind=models.DeviceKind.HEAT_PUMPS, provider=models.Provider.DAIKIN
        )
        listed = authed.ok(
            "query($n: String!) { account(accountNumber: $n) { properties { id } } }", {"n": account.number}
        )

        data = authed.ok(
            AT_PROPERTY, {"n": account.number, "p": int(listed["account"]["properties"][0]["id"])}
        )

        assert data["batteryDevice"] == {
            "krakenflexDeviceId": str(battery.public_id),
            "deviceType": "BATTERIES",
            "provider": "GIVENERGY",
            "params": {"variantId": "4242"},
        }
        assert data["heatPumpDevice"] == {
            "krakenflexDeviceId": str(heat_pump.public_id),
            "provider": "DAIKIN",
            "params": None,
        }

    def test_refuse_a_property_of_another_account_with_kt_ct_4301(self, authed, account):
        other = AccountUserRoleFactory().account
        prop = PropertyFactory(account=other)
        DeviceFactory(account=other, property=prop, kind=models.DeviceKind.BATTERIES)

        _, body = authed(AT_PROPERTY, {"n": account.number, "p": prop.public_id})

        assert body["data"] == {"batteryDevice": None, "heatPumpDevice": None}
        assert {e["extensions"]["errorCode"] for e in body["errors"]} == {"KT-CT-4301"}

    def test_refuse_another_account_with_kt_ct_4177(self, authed):
        other = AccountUserRoleFactory().account
        prop = PropertyFactory(account=other)

        _, body = authed(AT_PROPERTY, {"n": other.number, "p": prop.public_id})

        assert error_code(body) == "KT-CT-4177"

    def test_filter_the_devices_root_by_the_same_number(self, authed, account):
        here, there = PropertyFactory(account=account), PropertyFactory(account=account)
        device = DeviceFactory(account=account, property=here)
        DeviceFactory(account=account, property=there)

        data = authed.ok(
            "query($n: String!, $p: ID) { devices(accountNumber: $n, propertyId: $p) { id } }",
            {"n": account.number, "p": str(here.public_id)},
        )

        assert data["devices"] == [{"id": gql_ids.global_id("SmartFlexVehicle", str(device.public_id))}]


class TestPropertyPublicNumber:
    def test_is_a_distinct_31_bit_number_for_each_property(self, db):
        numbers = {PropertyFactory().public_id for _ in range(20)}

        assert len(numbers) == 20
        assert all(0 < n < 2**31 for n in numbers)


class TestDevicesAtAPropertyWithout:
    def test_a_property_of_the_account_without_one_answers_null(self, authed, account):
        prop = PropertyFactory(account=account)

        data = authed.ok(AT_PROPERTY, {"n": account.number, "p": prop.public_id})

        assert data == {"batteryDevice": None, "heatPumpDevice": None}
