"""Reference payloads and a catalogue for import tests: valid for the rule set at `NOW`."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from imports import catalogue as catalogue_module
from imports.rules import checks

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
ELEC_TARIFF = "E-1R-VAR-22-11-01-A"
GAS_TARIFF = "G-1R-VAR-22-11-01-A"


def test_catalogue() -> catalogue_module.Catalogue:
    tariffs = {
        ELEC_TARIFF: catalogue_module.TariffInfo(
            code=ELEC_TARIFF,
            utility_type="ELECTRICITY",
            product_code="VAR-22-11-01",
            available_from=datetime(2018, 1, 1, tzinfo=UTC),
            available_to=None,
            rate_bands=frozenset({"STANDARD"}),
            rate_count=1,
            tariff_id=None,
        ),
        GAS_TARIFF: catalogue_module.TariffInfo(
            code=GAS_TARIFF,
            utility_type="GAS",
            product_code="VAR-22-11-01",
            available_from=datetime(2018, 1, 1, tzinfo=UTC),
            available_to=None,
            rate_bands=frozenset({"STANDARD"}),
            rate_count=1,
            tariff_id=None,
        ),
    }
    return catalogue_module.Catalogue(tariffs=tariffs, products={"VAR-22-11-01": tariffs[ELEC_TARIFF]})


GB_ACCOUNT = {
    "import_supplier": "EDF",
    "external_account_number": "EXT-0001",
    "account_type": "DOMESTIC",
    "operations_team_name": "Migration",
    "billing_name": "Robert Jablonski",
    "billing_address1": "123 Fake Street",
    "billing_postcode": "W1F 9DE",
    "billing_email": "bob@jablonski.co.uk",
    "sales_channel": "DIRECT",
    "customers": [
        {
            "given_name": "Bob",
            "family_name": "Jablonski",
            "email": "bob@jablonski.co.uk",
            "mobile": "07123456789",
            "landline": "02072343456",
            "date_of_birth": "1989-01-11",
            "title": "Mr",
            "account_roles": ["ADMIN"],
        }
    ],
    "supply_addresses": [
        {
            "supply_address1": "123 Fake Street",
            "supply_postcode": "W1F 9DE",
            "customer_at_supply_address_from_date": "2019-01-01",
            "meter_points": [
                {
                    "supply_type": "ELECTRICITY",
                    "identifier": "1200060176720",
                    "mpid": "TENT",
                    "supply_start_date": "2019-01-01",
                    "last_billed_to_date": "2026-05-31",
                    "profile_class": 1,
                    "eac_history": [
                        {"effective_from": "2019-01-01", "tpr": "00001", "consumption": "3100.00"}
                    ],
                    "agreements": [{"tariff_code": ELEC_TARIFF, "effective_from": "2019-01-01"}],
                    "meters": [
                        {
                            "meter_serial_number": "Z16N389556",
                            "installed_on": "2001-01-01",
                            "registers": [{"register_id": "1", "tpr": "00001", "number_of_digits": 5}],
                            "transfer_readings": [
                                {
                                    "register_id": "1",
                                    "reading_date": "2026-05-31",
                                    "reading_value": "1000.00",
                                    "reading_type": "CUSTOMER",
                                }
                            ],
                        }
                    ],
                },
                {
                    "supply_type": "GAS",
                    "identifier": "1234567890",
                    "mpid": "TENT",
                    "shipper_mpid": "BGS",
                    "supply_start_date": "2019-01-01",
                    "last_billed_to_date": "2026-05-31",
                    "aq_history": [{"effective_from": "2019-01-01", "consumption": "12000.00"}],
                    "agreements": [{"tariff_code": GAS_TARIFF, "effective_from": "2019-01-01"}],
                    "meters": [
                        {
                            "meter_serial_number": "G4A00012345",
                            "gas_number_of_digits": 5,
                            "transfer_readings": [
                                {
                                    "reading_date": "2026-05-31",
                                    "reading_value": "500.00",
                                    "reading_type": "CUSTOMER",
                                }
                            ],
                        }
                    ],
                },
            ],
        }
    ],
    "last_statement_closing_date": "2026-05-31",
    "last_statement_balance": "0.00",
    "transfer_balance": "-12.34",
    "current_statement_transactions": [
        {
            "type": "CHARGE",
            "transaction_id": "T-1",
            "amount": "12.34",
            "reason": "IMPORTED_CHARGE",
            "transaction_date": "2026-06-01",
        }
    ],
    "payment_instructions": [
        {
            "type": "DIRECT_DEBIT",
            "vendor": "STRIPE",
            "reference": "MANDATE-0001",
            "instruction_identifier": "PI-1",
        }
    ],
}

JP_ACCOUNT = copy.deepcopy(GB_ACCOUNT)
JP_ACCOUNT.update(
    {
        "import_supplier": "KYUDEN_MVP",
        "billing_postcode": "810-0001",
        "customers": [dict(GB_ACCOUNT["customers"][0], mobile="09012345678", landline="0921234567")],
    }
)
JP_ACCOUNT["supply_addresses"] = [copy.deepcopy(GB_ACCOUNT["supply_addresses"][0])]
JP_ACCOUNT["supply_addresses"][0]["supply_postcode"] = "810-0001"
JP_ACCOUNT["supply_addresses"][0]["meter_points"] = [
    dict(
        copy.deepcopy(GB_ACCOUNT["supply_addresses"][0]["meter_points"][0]),
        identifier="0300111234567890123456",
    )
]


def gb_account(**changes) -> dict:
    payload = copy.deepcopy(GB_ACCOUNT)
    payload.update(changes)
    return payload


def jp_account(**changes) -> dict:
    payload = copy.deepcopy(JP_ACCOUNT)
    payload.update(changes)
    return payload


def mpan(first_twelve: int | str) -> str:
    """A valid MPAN core: these twelve digits and their check digit."""
    digits = f"{int(first_twelve):012d}"
    return digits + checks.mpan_check_digit(digits)


def another_identifier(identifier: str, digit: str) -> str:
    """A different valid MPAN or MPRN: `identifier` with its last significant digit set to `digit`
    (an MPAN keeps a valid check digit)."""
    if len(identifier) == 13:
        return mpan(identifier[:11] + digit)
    return identifier[:-1] + digit


def numbered(index: int, *, supplier: str = "EDF") -> dict:
    """A valid GB payload with its own external number, meter points, email and mandate."""
    payload = gb_account(import_supplier=supplier, external_account_number=f"EXT-{index:07d}")
    payload["customers"][0]["email"] = f"customer{index}@jablonski.co.uk"
    payload["payment_instructions"][0]["reference"] = f"MANDATE-{index:07d}"
    electricity, gas = payload["supply_addresses"][0]["meter_points"]
    electricity["identifier"] = mpan(190_000_000_000 + index)
    gas["identifier"] = f"{7_000_000_000 + index}"
    return payload
