"""Historical statements, meter point statuses and registration flows on imported (GB) accounts."""

from __future__ import annotations

import pytest

from accounts import models as account_models
from billing import models as billing_models
from imports import models
from metering import models as metering_models
from tests.imports import payloads
from tests.imports.factories import ImportSupplierFactory

V1 = "/v1/data-import"
PROCESS = {
    "import_supplier_code": "EDF",
    "external_account_number": "EXT-0001",
    "operations_team_name": "Migration",
}
MPAN, MPRN = (mp["identifier"] for mp in payloads.GB_ACCOUNT["supply_addresses"][0]["meter_points"])


@pytest.fixture
def imported(api, staged):
    response = api.post(f"{V1}/account-import-process/process/", PROCESS, format="json")
    assert response.status_code == 201, response.json()
    return account_models.Account.objects.get(number=response.json()["kraken_account_number"])


@pytest.fixture
def switching_supplier(supplier):
    """The supplier of an on-market switch: it sends registration flows."""
    supplier.send_registration_flows = True
    supplier.save(update_fields=["send_registration_flows"])
    return supplier


def statements(*items, **extra):
    return {
        "import_supplier": "EDF",
        "external_account_number": "EXT-0001",
        "statements": list(items),
        **extra,
    }


def statement(statement_id="1", **changes):
    return {
        "bill_period_from_date": "2022-01-01",
        "bill_period_to_date": "2022-01-31",
        "statement_id": statement_id,
        "issued_date": "2022-02-02",
        "number": statement_id,
        "gross_amount": 100,
        "statement_path": "statements/2024/01.pdf",
        **changes,
    }


class TestHistoricalStatements:
    path = f"{V1}/historical-statements/create/"

    def test_records_the_statements_as_pre_kraken_bills_and_echoes_them(self, api, imported):
        body = statements(
            statement("1"),
            statement("2", bill_period_from_date="2022-02-01", bill_period_to_date="2022-02-28"),
        )

        response = api.post(self.path, body, format="json")

        assert response.status_code == 201, response.json()
        assert response.json() == body
        bills = imported.bills.order_by("period_start")
        assert [b.bill_type for b in bills] == [billing_models.BillType.PRE_KRAKEN] * 2
        assert [(b.external_identifier, b.total) for b in bills] == [("1", 100), ("2", 100)]

    def test_creates_nothing_new_when_the_statements_are_posted_again(self, api, imported):
        api.post(self.path, statements(statement("1")), format="json")

        response = api.post(self.path, statements(statement("1")), format="json")

        assert response.status_code == 400
        [message] = response.json()["non_field_errors"]
        assert message.startswith("historical_statement_already_exists: ")
        assert imported.bills.count() == 1

    def test_writes_nothing_when_one_statement_is_refused(self, api, imported):
        body = statements(
            statement("1"),
            statement("2", bill_period_from_date="2022-03-31", bill_period_to_date="2022-03-01"),
        )

        response = api.post(self.path, body, format="json")

        assert response.status_code == 400
        assert response.json() == {
            "statements": {
                "1": {
                    "bill_period_to_date": [
                        "statement_period_ends_before_start: The statement ends before it starts."
                    ]
                }
            }
        }
        assert not imported.bills.exists()

    def test_refuses_a_period_the_account_already_has_a_statement_for(self, api, imported):
        api.post(self.path, statements(statement("1")), format="json")

        response = api.post(
            self.path, statements(statement("2", bill_period_from_date="2022-01-15")), format="json"
        )

        assert response.status_code == 400
        assert response.json()["non_field_errors"][0].startswith(
            "historical_statement_period_already_billed: "
        )

    def test_reports_the_documented_codes_for_an_account_not_imported(self, api, staged):
        response = api.post(self.path, statements(statement("1")), format="json")

        assert response.status_code == 400
        assert response.json()["non_field_errors"][0].startswith("account_not_found: ")

    def test_reports_a_missing_external_account_number_in_the_drf_envelope(self, api, imported):
        body = statements(statement("1"))
        del body["external_account_number"]

        response = api.post(self.path, body, format="json")

        assert response.status_code == 400
        assert response.json()["external_account_number"][0].startswith("required: ")
        assert not billing_models.Bill.objects.exists()

    def test_reports_a_date_that_does_not_exist(self, api, imported):
        response = api.post(
            self.path, statements(statement("1", bill_period_to_date="2022-02-30")), format="json"
        )

        assert response.status_code == 400
        assert response.json() == {
            "statements": {
                "0": {
                    "bill_period_to_date": [
                        "invalid_date: Not a real calendar date in the format YYYY-MM-DD."
                    ]
                }
            }
        }

    def test_refuses_an_unknown_supplier(self, api, imported):
        response = api.post(self.path, statements(statement("1"), import_supplier="NOPE"), format="json")

        assert response.status_code == 400
        assert response.json()["import_supplier"][0].startswith("import_supplier_not_found: ")


class TestMeterPointStatuses:
    def path(self, external="EXT-0001", supplier="EDF"):
        return f"{V1}/meterpoint-statuses-for-account/{supplier}/{external}/"

    def test_lists_each_meter_point_with_its_status(self, api, imported):
        response = api.get(self.path())

        assert response.status_code == 200
        assert response.json() == [
            {"mpxn": MPAN, "status": "ON_SUPPLY"},
            {"mpxn": MPRN, "status": "ON_SUPPLY"},
        ]

    def test_shows_pending_points_as_pre_registration_until_flows_are_sent(
        self, api, switching_supplier, imported
    ):
        before = api.get(self.path()).json()
        api.post(f"{V1}/send-registration-flows/EDF/EXT-0001/")

        after = api.get(self.path()).json()

        assert {s["status"] for s in before} == {"PRE_REGISTRATION"}
        assert {s["status"] for s in after} == {"REGISTRATION_REQUESTED"}

    @pytest.mark.parametrize("external", ["EXT-0001", "NOPE"])
    def test_is_404_for_an_account_not_imported(self, api, staged, external):
        response = api.get(self.path(external))

        assert response.status_code == 404
        assert response.json() == {"error": f"No meterpoints found for {external}."}

    def test_is_404_for_another_suppliers_account(self, api, imported):
        ImportSupplierFactory(code="OPUS")

        response = api.get(self.path(supplier="OPUS"))

        assert response.status_code == 404

    def test_uses_the_same_queries_whatever_the_number_of_meter_points(
        self, api, imported, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(4):
            api.get(self.path())


class TestSendRegistrationFlows:
    path = f"{V1}/send-registration-flows/EDF/EXT-0001/"

    def test_marks_each_pending_meter_point_for_registration(self, api, switching_supplier, imported):
        response = api.post(self.path)

        assert response.status_code == 200
        assert response.json() == {
            "external_account_number": "EXT-0001",
            "import_supplier_code": "EDF",
            "meter_points": [
                {"mpxn": MPAN, "status": "REGISTRATION_FLOW_SUCCESS"},
                {"mpxn": MPRN, "status": "REGISTRATION_FLOW_SUCCESS"},
            ],
        }
        assert set(
            models.RegistrationFlow.objects.values_list(
                "meter_point__identifier", "account_import__external_account_number"
            )
        ) == {(MPAN, "EXT-0001"), (MPRN, "EXT-0001")}

    def test_marks_nothing_twice_when_sent_again(self, api, switching_supplier, imported):
        first = api.post(self.path).json()

        second = api.post(self.path).json()

        assert second == first
        assert models.RegistrationFlow.objects.count() == 2

    def test_reports_a_point_that_cannot_be_registered_beside_the_others(
        self, api, switching_supplier, imported
    ):
        metering_models.MeterPoint.objects.filter(identifier=MPRN).update(
            status=metering_models.MeterPointStatus.ON_SUPPLY
        )

        response = api.post(self.path)

        assert response.json()["meter_points"] == [
            {"mpxn": MPAN, "status": "REGISTRATION_FLOW_SUCCESS"},
            {
                "mpxn": MPRN,
                "status": "REGISTRATION_FLOW_ERROR",
                "error_detail": "The meter point is ON_SUPPLY, not awaiting registration.",
            },
        ]
        assert list(models.RegistrationFlow.objects.values_list("meter_point__identifier", flat=True)) == [
            MPAN
        ]

    def test_sends_nothing_for_a_supplier_without_registration_flows(self, api, imported):
        response = api.post(self.path)

        assert {p["status"] for p in response.json()["meter_points"]} == {"REGISTRATION_FLOW_ERROR"}
        assert response.json()["meter_points"][0]["error_detail"] == (
            "Registration flows are not sent for import supplier EDF."
        )
        assert not models.RegistrationFlow.objects.exists()

    def test_is_404_for_an_account_only_staged(self, api, staged):
        response = api.post(self.path)

        assert response.status_code == 404
        assert response.json() == {
            "external_account_number": "EXT-0001",
            "import_supplier_code": "EDF",
            "error_detail": "Account not found for EXT-0001.",
        }

    def test_is_404_for_an_account_without_meter_points(self, api, supplier):
        supplier.skip_supply_point_creation = True
        supplier.save(update_fields=["skip_supply_point_creation"])
        payload = payloads.gb_account()
        for address in payload["supply_addresses"]:
            address["meter_points"] = []
        staged = api.post(f"{V1}/account-import-process/create-or-update/", payload, format="json")
        assert staged.status_code == 201, staged.json()
        assert api.post(f"{V1}/account-import-process/process/", PROCESS, format="json").status_code == 201

        response = api.post(self.path)

        assert response.status_code == 404
        assert response.json()["error_detail"] == "No meter points found for EXT-0001."

    def test_needs_credentials(self, client, imported):
        response = client.post(self.path)

        assert response.status_code == 401
