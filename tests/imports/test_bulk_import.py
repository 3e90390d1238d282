"""The chunked import path (`import_accounts`, what the command and the benchmark run): accounts,
ledgers, audit rows and opening balances written set-wise, with the import's guarantees kept."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import models as account_models
from imports import models, operations, queries
from tests.imports import payloads

pytestmark = pytest.mark.django_db


def _import(supplier, batch, **kwargs):
    return operations.import_accounts(
        supplier=supplier, payloads=batch, now=payloads.NOW, catalogue=queries.build_catalogue(), **kwargs
    )


class TestImportAccounts:
    def test_writes_each_account_with_its_ledger_opening_balance_and_audit_rows(self, supplier):
        outcomes = _import(supplier, [payloads.numbered(n) for n in range(1, 4)])

        assert [o.status for o in outcomes] == [operations.IMPORTED] * 3
        processes = models.AccountImportProcess.objects.filter(supplier=supplier).select_related("account")
        for process in processes:
            account = process.account
            ledger = account.ledgers.get(ledger_type=account_models.LedgerType.ENERGY)
            entry = ledger.entries.get()
            assert (entry.kind, entry.amount, entry.currency) == ("OPENING_BALANCE", -1234, "GBP")
            assert entry.reference == f"import:EDF:{process.external_account_number}"
            actions = set(
                account_models.AuditEntry.objects.filter(account=account).values_list("action", flat=True)
            )
            assert actions == {"ACCOUNT_CREATED", "LEDGER_OPENING_BALANCE"}

    def test_uses_the_same_number_of_queries_for_a_chunk_of_any_size(self, supplier):
        counts = []
        for first, size in ((1, 2), (100, 12)):
            batch = [payloads.numbered(n) for n in range(first, first + size)]
            catalogue = queries.build_catalogue()
            with CaptureQueriesContext(connection) as captured:
                operations.import_accounts(
                    supplier=supplier, payloads=batch, now=payloads.NOW, catalogue=catalogue
                )
            counts.append(len(captured))

        assert counts[0] == counts[1]

    def test_skips_accounts_already_imported_and_writes_no_second_balance(self, supplier):
        _import(supplier, [payloads.numbered(1)])

        outcomes = _import(supplier, [payloads.numbered(1), payloads.numbered(2)])

        assert [o.status for o in outcomes] == [operations.SKIPPED, operations.IMPORTED]
        assert account_models.LedgerEntry.objects.filter(reference="import:EDF:EXT-0000001").count() == 1

    def test_retries_a_refused_chunk_account_by_account(self, supplier):
        clash = payloads.numbered(2)
        clash["payment_instructions"][0]["reference"] = "MANDATE-0000001"

        outcomes = _import(supplier, [payloads.numbered(1), clash, payloads.numbered(3)])

        assert [o.status for o in outcomes] == [operations.IMPORTED, operations.FAILED, operations.IMPORTED]
        assert not account_models.LedgerEntry.objects.filter(reference="import:EDF:EXT-0000002").exists()
        assert (
            account_models.AuditEntry.objects.filter(action="LEDGER_OPENING_BALANCE").count()
            == account_models.LedgerEntry.objects.filter(kind="OPENING_BALANCE").count()
            == 2
        )

    def test_writes_nothing_in_a_dry_run(self, supplier):
        outcomes = _import(supplier, [payloads.numbered(1)], dry_run=True)

        assert outcomes[0].status == operations.IMPORTED
        assert not account_models.LedgerEntry.objects.filter(reference="import:EDF:EXT-0000001").exists()
        assert not models.AccountImportProcess.objects.filter(account__isnull=False).exists()
