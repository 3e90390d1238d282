"""Post-import endpoints: notes, transactions and payment instructions on an imported account."""

from __future__ import annotations

import pytest

from accounts import models as account_models
from tests.imports import payloads

V1 = "/v1/data-import"
PROCESS = {
    "import_supplier_code": "EDF",
    "external_account_number": "EXT-0001",
    "operations_team_name": "Migration",
}


@pytest.fixture
def imported(api, staged):
    response = api.post(f"{V1}/account-import-process/process/", PROCESS, format="json")
    return account_models.Account.objects.get(number=response.json()["kraken_account_number"])


def body(**extra):
    return {"import_supplier": "EDF", "external_account_number": "EXT-0001", **extra}


class TestNotes:
    def test_adds_notes_once_by_body_and_creation_time(self, api, imported):
        notes = [{"body": "Called about a bill", "created_at": "2026-06-01T10:00:00Z"}]
        first = api.post(f"{V1}/notes/create/", body(notes=notes), format="json")

        again = api.post(f"{V1}/notes/create/", body(notes=notes), format="json")

        assert first.status_code == 201
        assert [r["status"] for r in first.json()] == ["NOTE_CREATION_SUCCESS"]
        assert [r["status"] for r in again.json()] == ["NOTE_ALREADY_EXISTS"]
        assert imported.notes.count() == 1

    def test_refuses_notes_for_an_account_not_yet_imported(self, api, staged):
        response = api.post(f"{V1}/notes/create/", body(notes=[{"body": "x"}]), format="json")

        assert response.status_code == 400
        assert response.json()["non_field_errors"][0].startswith("account_not_found")


class TestTransactions:
    def test_posts_new_transactions_and_reports_known_ones(self, api, imported):
        transactions = [
            {
                "type": "PAYMENT",
                "transaction_id": "P-1",
                "amount": "12.34",
                "reason": "GENERAL_CREDIT",
                "transaction_date": "2026-06-02",
            }
        ]
        first = api.post(f"{V1}/transactions/create/", body(transactions=transactions), format="json")

        again = api.post(f"{V1}/transactions/create/", body(transactions=transactions), format="json")

        assert [r["status"] for r in first.json()["results"]] == ["TRANSACTION_ADDED_TO_ACCOUNT"]
        assert [r["status"] for r in again.json()["results"]] == ["TRANSACTION_ALREADY_EXISTS"]
        assert account_models.LedgerEntry.objects.filter(ledger__account=imported).balance() == 0

    def test_rolls_back_a_dry_run(self, api, imported):
        transactions = [
            {
                "type": "PAYMENT",
                "transaction_id": "P-1",
                "amount": "1.00",
                "reason": "GENERAL_CREDIT",
                "transaction_date": "2026-06-02",
            }
        ]

        response = api.post(
            f"{V1}/transactions/create/", body(transactions=transactions, dry_run=True), format="json"
        )

        assert response.json()["results"][0]["status"] == "TRANSACTION_ADDED_TO_ACCOUNT"
        assert not account_models.LedgerEntry.objects.filter(reference="P-1").exists()

    def test_reports_duplicate_transaction_ids(self, api, imported):
        transaction = {
            "type": "PAYMENT",
            "transaction_id": "P-1",
            "amount": "1.00",
            "reason": "GENERAL_CREDIT",
            "transaction_date": "2026-06-02",
        }

        response = api.post(
            f"{V1}/transactions/create/", body(transactions=[transaction, transaction]), format="json"
        )

        assert response.status_code == 400
        assert response.json()["non_field_errors"][0].startswith("duplicate_transaction_ids")


class TestPaymentInstruction:
    def test_refuses_a_second_active_instruction(self, api, imported):
        instruction = body(type="DIRECT_DEBIT", vendor="STRIPE", reference="MANDATE-NEW")

        response = api.post(f"{V1}/payment-instruction/create/", instruction, format="json")

        assert response.status_code == 400
        assert response.json() == {
            "error_detail": "Account already has an active instruction",
            "external_account_number": "EXT-0001",
            "import_supplier": "EDF",
        }

    def test_creates_an_instruction_for_an_account_without_one(self, api, supplier):
        payload = payloads.gb_account()
        payload.pop("payment_instructions")
        api.post(f"{V1}/account-import-process/create-or-update/", payload, format="json")
        number = api.post(f"{V1}/account-import-process/process/", PROCESS, format="json").json()[
            "kraken_account_number"
        ]

        response = api.post(
            f"{V1}/payment-instruction/create/",
            body(type="DIRECT_DEBIT", vendor="STRIPE", reference="R-9"),
            format="json",
        )

        assert response.status_code == 201
        assert response.json() == {"kraken_account_number": number, "reference": "R-9"}
