"""Data import throughput.

1. Validation: 10,000 realistic account payloads (1-3 customers, 1-2 supply points, transactions)
   through the full rule registry (JSON schema + 550 rules) on one core, against a baseline of a
   plain deep copy of the same payloads (the floor of touching every field once).
2. End-to-end create: validate + write every row (account, ledger, users, roles, addresses,
   properties, meter points, meters, registers, agreements, payment method, opening balance, audit,
   import process) through `imports.operations.import_chunks` (each chunk validated on a second
   thread while the one before is written), chunks of BENCH_IMPORT_CHUNK accounts, on one worker and
   on BENCH_IMPORT_WORKERS worker processes forked as `manage.py import_accounts --workers N` forks
   them, each chunk one transaction: ids drawn up front (one query per owning app), then one
   COPY per table through the owning app's writer (`accounts.operations.copy_accounts`, `copy_ledger_entries`, ...,
   `metering.operations.copy_meter_points`, `billing.operations.copy_agreements`), against a raw
   COPY baseline loading the same rows into the same tables in the same run.

Runs in its own database (`bench_kraken_imports`, dropped and re-created each time).

    make bench BENCH_ARGS=imports     (BENCH_IMPORT_ACCOUNTS=2000 accounts for the create part)
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import os
import random
import secrets
import time
from decimal import Decimal

import psycopg
from django.conf import settings
from django.db import connection

from benchmarks import database

BENCH_DATABASE = "bench_kraken_imports"
VALIDATION_ACCOUNTS = int(os.environ.get("BENCH_IMPORT_VALIDATION_ACCOUNTS", "10000"))
CREATE_ACCOUNTS = int(os.environ.get("BENCH_IMPORT_ACCOUNTS", "4000"))
TARGET_VALIDATION = 2000
TARGET_CREATE = 400
TARGET_RATIO = 0.5  # end to end on one worker against the raw COPY of the same rows
CHUNK = int(os.environ.get("BENCH_IMPORT_CHUNK", "200"))  # what `manage.py import_accounts` writes per chunk
WORKERS = int(os.environ.get("BENCH_IMPORT_WORKERS", "2"))
NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)
ELEC_TARIFF = "E-1R-VAR-22-11-01-A"
GAS_TARIFF = "G-1R-VAR-22-11-01-A"


def _mpan(first_twelve: int) -> str:
    """A valid MPAN core: twelve digits and their check digit."""
    from imports.rules import checks

    digits = f"{first_twelve:012d}"
    return digits + checks.mpan_check_digit(digits)


def payload(index: int, rng: random.Random) -> dict:
    """A realistic, valid GB account payload, varied by index."""
    customers = [
        {
            "given_name": rng.choice(["Ann", "Bob", "Chloe", "Dev", "Eve"]),
            "family_name": rng.choice(["Smith", "Jones", "Taylor", "Brown", "Patel"]),
            "email": f"c{index}-{n}@example.co.uk",
            "mobile": f"07{rng.randrange(100000000, 999999999)}",
            "date_of_birth": "1980-05-0" + str(1 + n),
            "account_roles": ["ADMIN"],
        }
        for n in range(rng.randint(1, 3))
    ]
    points = [
        {
            "supply_type": "ELECTRICITY",
            "identifier": _mpan(190_000_000_000 + index),
            "mpid": "TENT",
            "supply_start_date": "2019-01-01",
            "last_billed_to_date": "2026-05-31",
            "profile_class": 1,
            "eac_history": [{"effective_from": "2019-01-01", "tpr": "00001", "consumption": "3100.00"}],
            "agreements": [{"tariff_code": ELEC_TARIFF, "effective_from": "2019-01-01"}],
            "meters": [
                {
                    "meter_serial_number": f"Z{index:09d}",
                    "installed_on": "2015-01-01",
                    "registers": [{"register_id": "1", "tpr": "00001", "number_of_digits": 5}],
                    "transfer_readings": [
                        {
                            "register_id": "1",
                            "reading_date": "2026-05-31",
                            "reading_value": f"{rng.randint(100, 99999)}.00",
                            "reading_type": "CUSTOMER",
                        }
                    ],
                }
            ],
        }
    ]
    if rng.random() < 0.6:
        points.append(
            {
                "supply_type": "GAS",
                "identifier": f"{7_000_000_000 + index}",
                "mpid": "TENT",
                "shipper_mpid": "BGS",
                "supply_start_date": "2019-01-01",
                "last_billed_to_date": "2026-05-31",
                "aq_history": [{"effective_from": "2019-01-01", "consumption": "12000.00"}],
                "agreements": [{"tariff_code": GAS_TARIFF, "effective_from": "2019-01-01"}],
                "meters": [
                    {
                        "meter_serial_number": f"G{index:09d}",
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
            }
        )
    charges = [Decimal(rng.randint(100, 9000)) / 100 for _ in range(rng.randint(1, 4))]
    return {
        "import_supplier": "EDF",
        "external_account_number": f"LEGACY-{index:08d}",
        "account_type": "DOMESTIC",
        "operations_team_name": "Migration",
        "billing_name": f"{customers[0]['given_name']} {customers[0]['family_name']}",
        "billing_address1": f"{index % 300 + 1} High Street",
        "billing_postcode": "W1F 9DE",
        "customers": customers,
        "supply_addresses": [
            {
                "supply_address1": f"{index % 300 + 1} High Street",
                "supply_postcode": "W1F 9DE",
                "customer_at_supply_address_from_date": "2019-01-01",
                "meter_points": points,
            }
        ],
        "last_statement_closing_date": "2026-05-31",
        "last_statement_balance": "0.00",
        "transfer_balance": str(-sum(charges)),
        "current_statement_transactions": [
            {
                "type": "CHARGE",
                "transaction_id": f"T-{index}-{n}",
                "amount": str(amount),
                "reason": "IMPORTED_CHARGE",
                "transaction_date": "2026-06-0" + str(n + 1),
            }
            for n, amount in enumerate(charges)
        ],
        "payment_instructions": [
            {"type": "DIRECT_DEBIT", "vendor": "STRIPE", "reference": f"MANDATE-{index:08d}"}
        ],
    }


def main() -> None:
    from imports import catalogue as catalogue_module
    from imports import validation
    from imports.rules import base

    rng = random.Random(6)
    payloads = [payload(i, rng) for i in range(VALIDATION_ACCOUNTS)]
    tariffs = {
        code: catalogue_module.TariffInfo(
            code=code,
            utility_type=utility,
            product_code="VAR",
            available_from=dt.datetime(2018, 1, 1, tzinfo=dt.UTC),
            available_to=None,
            rate_bands=frozenset({"STANDARD"}),
        )
        for code, utility in ((ELEC_TARIFF, "ELECTRICITY"), (GAS_TARIFF, "GAS"))
    }
    catalogue = catalogue_module.Catalogue(tariffs=tariffs, products={"VAR": tariffs[ELEC_TARIFF]})
    supplier = base.SupplierConfig(code="EDF")

    started = time.perf_counter()
    for item in payloads:
        copy.deepcopy(item)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    failed = 0
    for item in payloads:
        _, failures = validation.validate(
            item, document="account", supplier=supplier, now=NOW, catalogue=catalogue
        )
        failed += bool(failures)
    elapsed = time.perf_counter() - started
    rate = len(payloads) / elapsed
    print(
        f"validation: {len(payloads)} accounts in {elapsed:.2f}s = {rate:,.0f} accounts/s on one core "
        f"(target >= {TARGET_VALIDATION:,}; {'OK' if rate >= TARGET_VALIDATION else 'BELOW TARGET'}); "
        f"invalid: {failed}; deep-copy baseline {len(payloads) / baseline:,.0f}/s, "
        f"validation costs {elapsed / baseline:.1f}x a deep copy",
        flush=True,
    )

    database.use_bench_database(BENCH_DATABASE)
    create_payloads = payloads[:CREATE_ACCOUNTS]
    supplier_row, catalogue_db = _seed()
    # What lives all run long kept out of the collector's passes, as `manage.py import_accounts`
    # does before its first chunk; the raw baseline runs under the same collector.
    gc.freeze()
    raw_seconds = _raw_copy_baseline(create_payloads, supplier_row, catalogue_db)
    raw_rate = len(create_payloads) / raw_seconds
    print(
        f"raw COPY baseline: the same rows for {len(create_payloads)} accounts in {raw_seconds:.2f}s = "
        f"{raw_rate:,.0f} accounts/s (one connection)",
        flush=True,
    )
    half = len(create_payloads) // 2
    for label, workers, batch in (
        ("1 worker", 1, create_payloads[:half]),
        (f"{WORKERS} workers", WORKERS, create_payloads[half:]),
    ):
        seconds = _create(batch, supplier_row, catalogue_db, workers=workers)
        rate = len(batch) / seconds
        ratio = rate / raw_rate
        print(
            f"create ({label}): {len(batch)} accounts end to end in {seconds:.2f}s = {rate:,.0f} accounts/s "
            f"(target >= {TARGET_CREATE}; {'OK' if rate >= TARGET_CREATE else 'BELOW TARGET'}); "
            f"import/raw = {ratio:.2f}x (target >= {TARGET_RATIO}; {'OK' if ratio >= TARGET_RATIO else 'BELOW TARGET'})",
            flush=True,
        )


def _seed():
    from billing import models as billing_models
    from imports import models, queries

    product = billing_models.Product.objects.create(
        code="VAR",
        display_name="Var",
        full_name="Variable",
        available_from=dt.datetime(2018, 1, 1, tzinfo=dt.UTC),
    )
    for code, utility in ((ELEC_TARIFF, "ELECTRICITY"), (GAS_TARIFF, "GAS")):
        billing_models.Tariff.objects.create(
            product=product, code=code, utility_type=utility, standing_charge=Decimal("40")
        )
    supplier = models.ImportSupplier.objects.create(code="EDF", name="EDF")
    return supplier, queries.build_catalogue()


def _create(payloads, supplier, catalogue, *, workers: int) -> float:
    """Chunks through `import_chunks`, as `manage.py import_accounts --workers N` runs them: one
    worker in this process, or N processes forked from it, each with its share of the chunks."""
    import multiprocessing

    from django.db import connections

    chunks = [payloads[first : first + CHUNK] for first in range(0, len(payloads), CHUNK)]
    started = time.perf_counter()
    if workers == 1:
        _import_chunks(chunks, supplier, catalogue)
    else:
        connections.close_all()  # each worker opens its own
        context = multiprocessing.get_context("fork")
        processes = [
            context.Process(target=_import_chunks, args=(chunks[n::workers], supplier, catalogue))
            for n in range(workers)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        assert all(process.exitcode == 0 for process in processes), "a worker process failed"
    return time.perf_counter() - started


def _import_chunks(chunks, supplier, catalogue) -> None:
    from imports import operations

    try:
        for outcomes in operations.import_chunks(
            (operations.Chunk(supplier=supplier, payloads=chunk, now=NOW) for chunk in chunks),
            catalogue=catalogue,
        ):
            assert all(outcome.status == operations.IMPORTED for outcome in outcomes), outcomes
    finally:
        connection.close()


class _Copier:
    """Rows for one table with preassigned ids, written with COPY."""

    def __init__(self, model, start: int):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.rows: list[tuple] = []
        self.next_id = start

    def add(self, **values) -> int:
        row_id = values.setdefault("id", self.next_id)
        self.next_id += 1
        self.rows.append(values)
        return row_id

    def write(self, cursor) -> None:
        from psycopg.types.json import Jsonb

        if not self.rows:
            return
        # Columns the models fill in Python: the default, or the blank string a non-null text column
        # gets from `Model()`, as the import's writers store; the database fills its own defaults.
        for field in self.fields:
            if field.attname not in self.rows[0] and not field.has_db_default():
                for row in self.rows:
                    row[field.attname] = field.get_default()
        columns = [f for f in self.fields if f.attname in self.rows[0]]
        names = ", ".join(f'"{f.column}"' for f in columns)
        with cursor.copy(f'COPY "{self.model._meta.db_table}" ({names}) FROM STDIN') as out:
            for row in self.rows:
                out.write_row(
                    [Jsonb(v) if isinstance(v, dict | list) else v for v in (row[f.attname] for f in columns)]
                )


def _raw_copy_baseline(payloads, supplier, catalogue) -> float:
    """The same rows as the import, mapped from the payloads and loaded with COPY, no validation."""
    from accounts import models as a
    from billing import models as b
    from imports import models as i
    from metering import models as m

    started = time.perf_counter()
    base_id = 50_000_000
    tables = {
        name: _Copier(model, base_id)
        for name, model in {
            "address": a.Address,
            "account": a.Account,
            "ledger": a.Ledger,
            "user": a.User,
            "role": a.AccountUserRole,
            "property": a.Property,
            "mp": m.MeterPoint,
            "meter": m.Meter,
            "register": m.Register,
            "agreement": b.Agreement,
            "payment": a.PaymentMethod,
            "entry": a.LedgerEntry,
            "audit": a.AuditEntry,
            "process": i.AccountImportProcess,
        }.items()
    }
    t = tables
    for serial, item in enumerate(payloads):
        billing = t["address"].add(
            line_1=item["billing_address1"],
            line_2="",
            line_3="",
            locality="",
            administrative_area="",
            postcode=item["billing_postcode"],
            country="GB",
        )
        account = t["account"].add(
            number=f"A-{0xF0000000 + serial:08X}",
            status="ACTIVE",
            account_type="DOMESTIC",
            billing_name=item["billing_name"],
            billing_address_id=billing,
            billing_email="",
            currency="GBP",
            brand="",
            created_at=NOW,
        )
        ledger = t["ledger"].add(account_id=account, ledger_type="ENERGY", currency="GBP", created_at=NOW)
        t["audit"].add(
            account_id=account,
            action="ACCOUNT_CREATED",
            object_type="Account",
            object_id=str(account),
            data={},
            occurred_at=NOW,
        )
        for customer in item["customers"]:
            user = t["user"].add(
                username=f"raw-{secrets.token_hex(8)}",
                email="raw-" + customer["email"],
                password="!",
                first_name=customer["given_name"],
                last_name=customer["family_name"],
                mobile=customer.get("mobile", ""),
                landline="",
                preferred_name="",
                date_of_birth=dt.date.fromisoformat(customer["date_of_birth"]),
                is_staff=False,
                is_active=True,
                is_superuser=False,
                date_joined=NOW,
            )
            t["role"].add(account_id=account, user_id=user, role="ADMIN", created_at=NOW)
        for address in item["supply_addresses"]:
            address_id = t["address"].add(
                line_1=address["supply_address1"],
                line_2="",
                line_3="",
                locality="",
                administrative_area="",
                postcode=address["supply_postcode"],
                country="GB",
            )
            prop = t["property"].add(
                account_id=account, address_id=address_id, occupied_from=NOW, occupied_to=None
            )
            for point in address["meter_points"]:
                mp_id = t["mp"].add(
                    property_id=prop,
                    utility_type=point["supply_type"],
                    market="GB",
                    identifier="9" + point["identifier"][1:],
                    status="ON_SUPPLY",
                    gsp_group_id="",
                    profile_class=point.get("profile_class"),
                    supply_from=NOW,
                    supply_to=None,
                )
                for meter in point["meters"]:
                    meter_id = t["meter"].add(
                        meter_point_id=mp_id,
                        serial_number=meter["meter_serial_number"],
                        meter_type="",
                        is_smart=False,
                        installed_from=NOW,
                        installed_to=None,
                    )
                    for register in meter.get("registers", []):
                        t["register"].add(
                            meter_id=meter_id,
                            identifier=register["register_id"],
                            rate_band="STANDARD",
                            unit="KWH",
                            digits=5,
                            multiplier=Decimal(1),
                        )
                for agreement in point["agreements"]:
                    t["agreement"].add(
                        account_id=account,
                        meter_point_id=mp_id,
                        tariff_id=catalogue.tariffs[agreement["tariff_code"]].tariff_id,
                        active_from=NOW,
                        active_to=None,
                        created_at=NOW,
                    )
        instruction = item["payment_instructions"][0]
        t["payment"].add(
            account_id=account,
            method_type="DIRECT_DEBIT",
            status="ACTIVE",
            vendor=instruction["vendor"],
            vendor_reference="RAW-" + instruction["reference"],
            last_four="",
            created_at=NOW,
        )
        t["entry"].add(
            ledger_id=ledger,
            amount=int(Decimal(item["transfer_balance"]) * 100),
            currency="GBP",
            kind="OPENING_BALANCE",
            description="Balance transferred",
            reference="",
            posted_at=NOW,
            created_at=NOW,
            created_by_id=None,
        )
        t["audit"].add(
            account_id=account,
            action="LEDGER_OPENING_BALANCE",
            object_type="LedgerEntry",
            object_id="0",
            data={},
            occurred_at=NOW,
        )
        t["process"].add(
            supplier_id=supplier.pk,
            external_account_number="RAW-" + item["external_account_number"],
            import_process_id=None,
            status="PROCESSED",
            payload=item,
            account_id=account,
            latest_error=None,
            latest_event=None,
            task_params={},
            created_at=NOW,
            modified_at=NOW,
            processed_at=NOW,
        )
    with psycopg.connect(**_psycopg_kwargs()) as raw, raw.cursor() as cursor:
        for copier in tables.values():
            copier.write(cursor)
        raw.commit()
    return time.perf_counter() - started


def _psycopg_kwargs() -> dict:
    database = settings.DATABASES["default"]
    kwargs = {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }
    return {k: v for k, v in kwargs.items() if v is not None}
