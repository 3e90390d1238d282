"""A JP import supplier: the JP payload additions and the seed's rule groups, end to end."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts import models as account_models
from imports import models, operations
from metering import models as metering_models
from tests.imports import payloads
from tests.imports.factories import ImportSupplierFactory

V1 = "/v1/data-import"


@pytest.fixture
def jp_api(tariffs):
    supplier = ImportSupplierFactory(code="KYUDEN_MVP", territory=models.Territory.JP)
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {operations.create_api_key(supplier=supplier, name='jp')[1]}"
    )
    return client


def jp_payload(**changes):
    payload = payloads.jp_account(**changes)
    payload["customers"][0]["account_roles"] = ["ADMIN", "PAYER"]
    payload["ledgers"] = [
        {"ledger_code": "ELECTRICITY", "identifier": "0300111234567890123456", "ledger_balance": "-12.34"}
    ]
    payload["vouchers"] = [{"charge_transaction_id": "T-1", "value": "20.00"}]
    return payload


class TestJapaneseSupplier:
    def test_imports_a_jp_account_with_ledgers_vouchers_and_the_payer_role(self, jp_api):
        staged = jp_api.post(f"{V1}/account-import-process/create-or-update/", jp_payload(), format="json")

        processed = jp_api.post(
            f"{V1}/account-import-process/process/",
            {
                "import_supplier_code": "KYUDEN_MVP",
                "external_account_number": "EXT-0001",
                "operations_team_name": "Migration",
            },
            format="json",
        )

        account = account_models.Account.objects.get(number=processed.json()["kraken_account_number"])
        assert staged.status_code == 201, staged.json()
        assert account.currency == "JPY"
        assert metering_models.MeterPoint.objects.get(property__account=account).market == "JP"
        assert (
            account_models.LedgerEntry.objects.filter(ledger__account=account).balance() == -12
        )  # yen, half up

    def test_applies_the_seed_rules_instead_of_the_gb_ones(self, jp_api):
        payload = jp_payload()
        payload["supply_addresses"].append(
            dict(payload["supply_addresses"][0], supply_address1="2 Other Street", meter_points=[])
        )

        body = jp_api.post(f"{V1}/validate-account/", payload, format="json").json()

        codes = [message.split(":")[0] for message in body["non_field_errors"]]
        assert "multiple_properties_not_allowed" in codes

    def test_checks_ledger_balances_against_the_transfer_balance(self, jp_api):
        payload = jp_payload()
        payload["ledgers"][0]["ledger_balance"] = "-1.00"

        body = jp_api.post(f"{V1}/validate-account/", payload, format="json").json()

        assert any(
            m.startswith("ledger_balances_not_equal_to_transfer_balance") for m in body["non_field_errors"]
        )

    def test_uses_variant_b_for_v2_payloads(self, jp_api):
        payload = jp_payload(account_contracts=[{"supply_point_identifier": "NOPE"}])

        body = jp_api.post("/v2/data-import/accounts/validate/", {"payload": payload}, format="json").json()

        assert ("payload.non_field_errors", "agreement_has_no_matching_meter_point") in {
            (e["attr"], e["code"]) for e in body["errors"]
        }


class TestGreatBritainSupplier:
    def test_refuses_the_jp_additions(self, api):
        payload = payloads.gb_account(ledgers=[{"ledger_code": "ENERGY"}])
        payload["customers"][0]["account_roles"] = ["PAYER"]

        body = api.post(f"{V1}/validate-account/", payload, format="json").json()

        assert body["ledgers"] == ["unknown_field: Unknown field."]
        assert body["customers"]["0"]["account_roles"]["0"][0].startswith("invalid_choice")
