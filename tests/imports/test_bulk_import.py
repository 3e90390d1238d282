"""The chunked import path (`import_accounts`, what the command and the benchmark run): every row
written with COPY under ids drawn beforehand, with the import's guarantees kept; a chunk the database
refuses falls back to the per-account path (`import_account`)."""

import time
from collections import Counter

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from accounts import models as account_models
from billing import models as billing_models
from imports import models, operations, queries
from imports.operations import _chunks
from metering import models as metering_models
from tests.accounts.factories import UserFactory
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
            copies = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("COPY")]

        assert counts[0] == counts[1]
        assert len(copies) == 16  # one per table (audit rows twice): the chunk is written with COPY

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


# Every table an import writes, and the columns that differ between two imports of the same payload
# by design: ids, clock readings, random numbers and names.
IMPORTED_MODELS = (
    account_models.Address,
    account_models.Account,
    account_models.Ledger,
    account_models.AuditEntry,
    account_models.User,
    account_models.AccountUserRole,
    account_models.Property,
    account_models.PaymentMethod,
    account_models.LedgerEntry,
    metering_models.MeterPoint,
    metering_models.Meter,
    metering_models.Register,
    metering_models.Reading,
    billing_models.Agreement,
    models.AccountImportProcess,
)
UNCOMPARED = {
    "id",
    "created_at",
    "modified_at",
    "updated_at",
    "date_joined",
    "last_login",
    "number",
    "username",
    "public_id",
}


def _snapshot() -> dict[str, Counter]:
    """Each imported table as a multiset of rows, foreign keys replaced by the referenced row's
    content (recursively), so two imports of the same payloads compare equal whatever their ids."""
    rows = {model: {row["id"]: row for row in model.objects.values()} for model in IMPORTED_MODELS}
    numbers = {row["number"]: "<account number>" for row in rows[account_models.Account].values()}
    by_name = {model.__name__: model for model in IMPORTED_MODELS}
    memo = {}

    def content(model, pk):
        if (model, pk) in memo:
            return memo[model, pk]
        row = rows[model][pk]
        values = []
        for field in model._meta.concrete_fields:
            value = row[field.attname]
            if field.name in UNCOMPARED:
                continue
            if field.is_relation and value is not None and field.related_model in rows:
                value = content(field.related_model, value)
            elif field.name == "password":
                value = value[:1]  # unusable ("!" and random characters)
            elif field.name == "email" and value.endswith("@import.invalid"):
                value = "<random>@import.invalid"
            elif model is account_models.AuditEntry and field.name == "object_id":
                value = content(by_name[row["object_type"]], int(value))
            elif field.name == "latest_event" and value:
                data = dict(value["data"], kraken_identifier=numbers[value["data"]["kraken_identifier"]])
                value = repr(dict(value, data=data))
            elif isinstance(value, dict | list):
                value = repr(value)
            values.append((field.name, value))
        memo[model, pk] = tuple(values)
        return memo[model, pk]

    return {model.__name__: Counter(content(model, pk) for pk in rows[model]) for model in IMPORTED_MODELS}


class _Undo(Exception):
    pass


def _varied_batch() -> list[dict]:
    """Payloads covering each branch of the row building: shared and known emails, two customers,
    no balance, no payment instruction, a single meter point."""
    shared = payloads.numbered(1)
    shared["customers"].append(dict(shared["customers"][0], email="partner@example.com", given_name="Ann"))
    second = payloads.numbered(2)
    second["customers"][0]["email"] = "partner@example.com"  # the same person on two accounts
    known = payloads.numbered(3)
    known["customers"][0]["email"] = "Known@Example.com"  # matches an existing user
    no_balance = {**payloads.numbered(4), "transfer_balance": "0.00", "current_statement_transactions": []}
    no_balance["payment_instructions"] = []
    electricity_only = payloads.numbered(5)
    electricity_only["supply_addresses"][0]["meter_points"].pop()
    return [shared, second, known, no_balance, electricity_only]


class TestCopyPath:
    def test_writes_exactly_the_rows_the_per_account_path_writes(self, supplier):
        UserFactory(email="known@example.com")
        catalogue = queries.build_catalogue()
        snapshots = []
        for write in (
            lambda batch: [
                operations.import_account(supplier=supplier, payload=p, now=payloads.NOW, catalogue=catalogue)
                for p in batch
            ],
            lambda batch: operations.import_accounts(
                supplier=supplier, payloads=batch, now=payloads.NOW, catalogue=catalogue
            ),
        ):
            with pytest.raises(_Undo), transaction.atomic():
                write(_varied_batch())
                snapshots.append(_snapshot())
                raise _Undo

        per_account, copied = snapshots
        assert sum(per_account["Account"].values()) == 5
        assert sum(per_account["AccountUserRole"].values()) == 6
        assert sum(per_account["User"].values()) == 5  # one known already, one shared
        assert copied == per_account

    def test_refuses_a_meter_point_another_account_holds_before_writing(self, supplier):
        _import(supplier, [payloads.numbered(9)])
        taken = payloads.numbered(2)
        taken["supply_addresses"][0]["meter_points"][1]["identifier"] = f"{7_000_000_000 + 9}"

        outcomes = _import(supplier, [taken])

        assert outcomes[0].status == operations.FAILED
        assert [(f.attr, f.code) for f in outcomes[0].failures] == [
            ("supply_addresses.0.meter_points.1.identifier", "mpxn_already_in_use_on_another_account")
        ]
        assert models.AccountImportProcess.objects.get(external_account_number="EXT-0000002").latest_error[
            "code"
        ] == ("mpxn_already_in_use_on_another_account")

    def test_falls_back_account_by_account_leaving_nothing_of_a_refused_account(self, supplier):
        # Two accounts of one chunk share a meter point: the chunk is refused, then the first is
        # written alone and the second refused alone, with the rule's code.
        taken = {**payloads.numbered(2), "billing_name": "Refused Customer"}
        taken["customers"][0]["email"] = "refused@example.com"
        taken["supply_addresses"][0]["meter_points"][1]["identifier"] = f"{7_000_000_000 + 1}"
        before = {model: model.objects.count() for model in IMPORTED_MODELS}

        outcomes = _import(supplier, [payloads.numbered(1), taken, payloads.numbered(3)])

        assert [o.status for o in outcomes] == [operations.IMPORTED, operations.FAILED, operations.IMPORTED]
        assert outcomes[1].error.startswith("mpxn_already_in_use_on_another_account: ")
        assert not account_models.Account.objects.filter(billing_name="Refused Customer").exists()
        assert not account_models.User.objects.filter(email="refused@example.com").exists()
        assert not models.AccountImportProcess.objects.filter(external_account_number="EXT-0000002").exists()
        written = {model: model.objects.count() - before[model] for model in IMPORTED_MODELS}
        assert written == {
            account_models.Address: 4,
            account_models.Account: 2,
            account_models.Ledger: 2,
            account_models.AuditEntry: 4,
            account_models.User: 2,
            account_models.AccountUserRole: 2,
            account_models.Property: 2,
            account_models.PaymentMethod: 2,
            account_models.LedgerEntry: 2,
            metering_models.MeterPoint: 4,
            metering_models.Meter: 4,
            # A gas meter's single register too, and each register's transfer reading.
            metering_models.Register: 4,
            metering_models.Reading: 4,
            billing_models.Agreement: 4,
            models.AccountImportProcess: 2,
        }

    def test_claims_a_staged_process_row_instead_of_adding_one(self, supplier):
        operations.stage_account(supplier=supplier, payload=payloads.numbered(1), now=payloads.NOW)

        outcomes = _import(supplier, [payloads.numbered(1), payloads.numbered(2)])

        assert [o.status for o in outcomes] == [operations.IMPORTED, operations.IMPORTED]
        process = models.AccountImportProcess.objects.select_related("account").get(
            external_account_number="EXT-0000001"
        )
        assert process.status == models.ImportProcessStatus.PROCESSED
        assert process.latest_event["data"] == {"kraken_identifier": process.account.number}
        assert models.AccountImportProcess.objects.filter(account__isnull=False).count() == 2

    def test_imports_an_account_repeated_in_a_chunk_once(self, supplier):
        outcomes = _import(supplier, [payloads.numbered(1), payloads.numbered(1)])

        assert [o.status for o in outcomes] == [operations.IMPORTED, operations.SKIPPED]
        assert account_models.Account.objects.count() == 1


def _import_chunks(supplier, chunks):
    return list(
        operations.import_chunks(
            (operations.Chunk(supplier=supplier, payloads=chunk, now=payloads.NOW) for chunk in chunks),
            catalogue=queries.build_catalogue(),
        )
    )


class TestImportChunks:
    """Each chunk validated while the one before is written: the outcomes of `import_accounts`
    chunk after chunk, even where a chunk shares an account or an identifier with the one before."""

    def test_imports_every_chunk_and_answers_each_in_order(self, supplier):
        outcomes = _import_chunks(
            supplier,
            [[payloads.numbered(1), payloads.numbered(2)], [payloads.numbered(3)], [payloads.numbered(4)]],
        )

        assert [[(o.external_account_number, o.status) for o in chunk] for chunk in outcomes] == [
            [("EXT-0000001", operations.IMPORTED), ("EXT-0000002", operations.IMPORTED)],
            [("EXT-0000003", operations.IMPORTED)],
            [("EXT-0000004", operations.IMPORTED)],
        ]
        assert models.AccountImportProcess.objects.filter(account__isnull=False).count() == 4

    def test_skips_an_account_the_chunk_before_imported(self, supplier):
        outcomes = _import_chunks(
            supplier, [[payloads.numbered(1)], [payloads.numbered(1), payloads.numbered(2)]]
        )

        assert [[o.status for o in chunk] for chunk in outcomes] == [
            [operations.IMPORTED],
            [operations.SKIPPED, operations.IMPORTED],
        ]
        assert account_models.LedgerEntry.objects.filter(reference="import:EDF:EXT-0000001").count() == 1

    def test_refuses_a_meter_point_the_chunk_before_took_with_the_rules_code(self, supplier):
        taken = payloads.numbered(2)
        taken["supply_addresses"][0]["meter_points"][1]["identifier"] = f"{7_000_000_000 + 1}"

        outcomes = _import_chunks(supplier, [[payloads.numbered(1)], [taken, payloads.numbered(3)]])

        assert [[o.status for o in chunk] for chunk in outcomes] == [
            [operations.IMPORTED],
            [operations.FAILED, operations.IMPORTED],
        ]
        assert [(f.attr, f.code) for f in outcomes[1][0].failures] == [
            ("supply_addresses.0.meter_points.1.identifier", "mpxn_already_in_use_on_another_account")
        ]
        assert models.AccountImportProcess.objects.get(external_account_number="EXT-0000002").latest_error[
            "code"
        ] == ("mpxn_already_in_use_on_another_account")

    def test_asks_again_only_for_a_chunk_sharing_keys_with_the_one_before(self, supplier):
        def identifier_lookups(chunks):
            with CaptureQueriesContext(connection) as captured:
                _import_chunks(supplier, chunks)
            return sum(
                'FROM "metering_meterpoint"' in q["sql"] and '"identifier" = ANY' in q["sql"]
                for q in captured.captured_queries
            )

        taken = payloads.numbered(2)
        taken["supply_addresses"][0]["meter_points"][1]["identifier"] = f"{7_000_000_000 + 1}"

        assert identifier_lookups([[payloads.numbered(3)], [payloads.numbered(4)]]) == 2
        assert identifier_lookups([[payloads.numbered(1)], [taken]]) == 3


@pytest.mark.django_db(transaction=True)
class TestImportChunksCommittedByTurns:
    """Outside a transaction, each chunk is committed on a second connection while the next one is
    written: the same outcomes, and a chunk answered only once it is committed."""

    def test_answers_a_chunk_only_once_another_connection_sees_it(self, supplier):
        committed = []
        own = connections["default"]
        for outcomes in operations.import_chunks(
            (
                operations.Chunk(supplier=supplier, payloads=[payloads.numbered(n)], now=payloads.NOW)
                for n in range(1, 5)
            ),
            catalogue=queries.build_catalogue(),
        ):
            with _other_connection() as other, other.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM imports_accountimportprocess "
                    "WHERE external_account_number = %s AND account_id IS NOT NULL",
                    [outcomes[0].external_account_number],
                )
                committed.append((outcomes[0].status, cursor.fetchone()[0]))

        assert committed == [(operations.IMPORTED, 1)] * 4
        assert connections["default"] is own

    def test_asks_again_for_a_chunk_sharing_keys_with_one_still_committing(self, supplier, monkeypatch):
        commit = _chunks._commit

        def slow_commit(busy):
            time.sleep(0.3)  # still committing when the chunks after it are asked about
            commit(busy)

        monkeypatch.setattr(_chunks, "_commit", slow_commit)
        taken = payloads.numbered(3)
        taken["supply_addresses"][0]["meter_points"][1]["identifier"] = f"{7_000_000_000 + 1}"

        outcomes = _import_chunks(
            supplier, [[payloads.numbered(1)], [payloads.numbered(2)], [taken, payloads.numbered(1)]]
        )

        assert [[o.status for o in chunk] for chunk in outcomes] == [
            [operations.IMPORTED],
            [operations.IMPORTED],
            [operations.FAILED, operations.SKIPPED],
        ]
        assert [(f.attr, f.code) for f in outcomes[2][0].failures] == [
            ("supply_addresses.0.meter_points.1.identifier", "mpxn_already_in_use_on_another_account")
        ]
        assert account_models.Account.objects.count() == 2

    def test_writes_again_a_chunk_whose_commit_the_database_refuses(self, supplier, monkeypatch):
        commit, refused = _chunks._commit, []

        def refuse_first(busy):
            if not refused:
                refused.append(busy)
                busy.rollback()  # as a refused COMMIT leaves it: nothing of the chunk written
                busy.set_autocommit(True)
                busy.dec_thread_sharing()
                raise IntegrityError("deferred foreign key refused")
            commit(busy)

        monkeypatch.setattr(_chunks, "_commit", refuse_first)

        outcomes = _import_chunks(
            supplier, [[payloads.numbered(1), payloads.numbered(2)], [payloads.numbered(3)]]
        )

        assert [[o.status for o in chunk] for chunk in outcomes] == [
            [operations.IMPORTED] * 2,
            [operations.IMPORTED],
        ]
        assert account_models.Account.objects.count() == 3
        assert models.AccountImportProcess.objects.filter(account__isnull=False).count() == 3


def _other_connection():
    """A connection of its own to the test database, outside Django's."""
    wrapper = connections.create_connection("default")
    return wrapper.get_new_connection(wrapper.get_connection_params())
