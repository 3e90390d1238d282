"""GET /v1/accounts/{number}/ (spec/REST.md §4.7)."""

import datetime as dt

import pytest

from metering import models as metering_models
from tests.accounts.factories import AccountUserRoleFactory, AddressFactory, PropertyFactory
from tests.billing.factories import AgreementFactory, TariffFactory
from tests.metering.factories import MeterFactory, MeterPointFactory, RegisterFactory

UTC = dt.UTC
MOVED_IN = dt.datetime(2023, 5, 31, 23, tzinfo=UTC)
SWITCH = dt.datetime(2023, 9, 30, 23, tzinfo=UTC)


def url(account) -> str:
    return f"/v1/accounts/{account.number}/"


@pytest.fixture
def home(customer):
    address = AddressFactory(
        line_1="1 Example Road", line_2="Flat 2", locality="LONDON", administrative_area="", postcode="N1 1AA"
    )
    prop = PropertyFactory(account=customer.account, address=address, occupied_from=MOVED_IN)
    electricity = MeterPointFactory(
        property=prop, identifier="1200000000000", estimated_annual_consumption=2560
    )
    old = MeterFactory(meter_point=electricity, serial_number="21L1111111", installed_from=MOVED_IN)
    RegisterFactory(meter=old, identifier="1", rate_band="DAY")
    RegisterFactory(meter=old, identifier="2", rate_band="NIGHT")
    MeterFactory(meter_point=electricity, serial_number="21L2222222", installed_from=SWITCH)
    export = MeterPointFactory(property=prop, identifier="1200000000017", is_export=True)
    gas = MeterPointFactory(
        property=prop, identifier="1234567890", utility_type=metering_models.UtilityType.GAS
    )
    MeterFactory(meter_point=gas, serial_number="E6S12345678901")
    AgreementFactory(
        account=customer.account,
        meter_point=electricity,
        tariff=TariffFactory(code="E-2R-VAR-21-09-29-C"),
        active_from=MOVED_IN,
        active_to=SWITCH,
    )
    AgreementFactory(
        account=customer.account,
        meter_point=electricity,
        tariff=TariffFactory(code="E-2R-VAR-22-11-01-C"),
        active_from=SWITCH,
    )
    AgreementFactory(
        account=customer.account,
        meter_point=gas,
        tariff=TariffFactory(code="G-1R-VAR-22-11-01-C", utility_type="GAS"),
        active_from=MOVED_IN,
    )
    return prop, export


@pytest.mark.django_db
class TestAccount:
    def test_shows_the_properties_meter_points_meters_and_agreements(self, client, customer, home):
        prop, _ = home

        body = client.get(url(customer.account), **customer.auth).json()

        assert body["number"] == customer.account.number
        (shown,) = body["properties"]
        assert {key: value for key, value in shown.items() if not key.endswith("meter_points")} == {
            "id": prop.public_id,
            "moved_in_at": "2023-06-01T00:00:00+01:00",
            "moved_out_at": None,
            "address_line_1": "1 Example Road",
            "address_line_2": "Flat 2",
            "address_line_3": "",
            "town": "LONDON",
            "county": "",
            "postcode": "N1 1AA",
        }
        assert shown["electricity_meter_points"][0] == {
            "mpan": "1200000000000",
            "profile_class": 1,
            "consumption_standard": 2560,
            "meters": [
                {
                    "serial_number": "21L1111111",
                    "registers": [
                        {"identifier": "1", "rate": "DAY", "is_settlement_register": True},
                        {"identifier": "2", "rate": "NIGHT", "is_settlement_register": True},
                    ],
                },
                {"serial_number": "21L2222222", "registers": []},
            ],
            "agreements": [
                {
                    "tariff_code": "E-2R-VAR-21-09-29-C",
                    "valid_from": "2023-06-01T00:00:00+01:00",
                    "valid_to": "2023-10-01T00:00:00+01:00",
                },
                {
                    "tariff_code": "E-2R-VAR-22-11-01-C",
                    "valid_from": "2023-10-01T00:00:00+01:00",
                    "valid_to": None,
                },
            ],
            "is_export": False,
        }
        assert shown["gas_meter_points"] == [
            {
                "mprn": "1234567890",
                "consumption_standard": None,
                "meters": [{"serial_number": "E6S12345678901"}],
                "agreements": [
                    {
                        "tariff_code": "G-1R-VAR-22-11-01-C",
                        "valid_from": "2023-06-01T00:00:00+01:00",
                        "valid_to": None,
                    }
                ],
            }
        ]

    def test_an_export_mpan_is_its_own_meter_point(self, client, customer, home):
        body = client.get(url(customer.account), **customer.auth).json()

        export = body["properties"][0]["electricity_meter_points"][1]
        assert (export["mpan"], export["is_export"], export["agreements"]) == ("1200000000017", True, [])

    def test_lists_the_current_home_first(self, client, customer):
        PropertyFactory(account=customer.account, occupied_from=MOVED_IN, occupied_to=SWITCH)
        current = PropertyFactory(account=customer.account, occupied_from=SWITCH)

        properties = client.get(url(customer.account), **customer.auth).json()["properties"]

        assert [p["id"] for p in properties][0] == current.public_id
        assert [p["moved_out_at"] for p in properties] == [None, "2023-10-01T00:00:00+01:00"]

    def test_an_account_without_supply_has_empty_lists(self, client, customer):
        PropertyFactory(account=customer.account)

        (prop,) = client.get(url(customer.account), **customer.auth).json()["properties"]

        assert (prop["electricity_meter_points"], prop["gas_meter_points"]) == ([], [])

    def test_another_customer_s_account_is_not_found(self, client, customer):
        stranger = AccountUserRoleFactory().account

        response = client.get(url(stranger), **customer.auth)

        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})

    def test_an_unknown_account_is_not_found(self, client, customer):
        response = client.get("/v1/accounts/A-00000000/", **customer.auth)

        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})

    @pytest.mark.parametrize("number", ["A-1234567", "B-12345678", "A-1234abcd", "A-123456789"])
    def test_a_malformed_number_matches_no_route(self, client, customer, number):
        assert client.get(f"/v1/accounts/{number}/", **customer.auth).status_code == 404

    def test_needs_credentials(self, client, customer):
        response = client.get(url(customer.account))

        assert response.status_code == 401
