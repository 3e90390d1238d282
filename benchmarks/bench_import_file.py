"""A file import through `manage.py import_accounts FILE --workers N`, killed midway and resumed.

1. Writes BENCH_IMPORT_FILE_ACCOUNTS (default 100,000) valid account payloads (the varied ones of
   `bench_imports.payload`) as JSON lines.
2. Runs the command in a process group of its own against its own database
   (`bench_kraken_import_file`, dropped and re-created), polling how many accounts are imported and
   the command's peak RSS (the VmHWM of its process and of each worker process, summed).
3. SIGKILLs the group once BENCH_IMPORT_FILE_KILL_AT (default 0.5) of the accounts are imported.
4. Runs the same command again to the end and checks the result: one account per payload, one
   imported process per external account number, no account without its process (a killed chunk
   rolled back whole), no meter point identifier twice.

    make bench BENCH_ARGS=import_file   (BENCH_IMPORT_FILE_ACCOUNTS=20000 for a quicker run)
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection

from benchmarks import bench_imports, database

BENCH_DATABASE = "bench_kraken_import_file"
ACCOUNTS = int(os.environ.get("BENCH_IMPORT_FILE_ACCOUNTS", "100000"))
WORKERS = int(os.environ.get("BENCH_IMPORT_FILE_WORKERS", "2"))
KILL_AT = float(os.environ.get("BENCH_IMPORT_FILE_KILL_AT", "0.5"))
POLL_SECONDS = 0.5
MANAGE = Path(__file__).resolve().parent.parent / "manage.py"
IMPORTED_SQL = "SELECT count(*) FROM imports_accountimportprocess WHERE account_id IS NOT NULL"


def main() -> None:
    database.use_bench_database(BENCH_DATABASE)
    bench_imports._seed()
    connection.close()
    with tempfile.TemporaryDirectory(prefix="bench-import-file-") as folder:
        path = Path(folder) / "accounts.jsonl"
        started = time.perf_counter()
        _write_file(path)
        print(
            f"file: {ACCOUNTS:,} payloads, {path.stat().st_size / 2**20:,.0f} MiB, "
            f"written in {time.perf_counter() - started:.1f}s",
            flush=True,
        )
        first = _run(path, kill_at=int(ACCOUNTS * KILL_AT))
        print(_describe("run 1 (SIGKILLed)", first), flush=True)
        second = _run(path, kill_at=None)
        print(_describe("run 2 (resumed)", second), flush=True)
        print(f"run 2 said: {second['said']}", flush=True)
    _check(killed_at=first["imported"])


def _write_file(path: Path) -> None:
    rng = random.Random(15)
    with path.open("w") as out:
        for index in range(ACCOUNTS):
            out.write(json.dumps(bench_imports.payload(index, rng), default=str) + "\n")


def _run(path: Path, *, kill_at: int | None) -> dict:
    """One run of the command; SIGKILL its process group once `kill_at` accounts are imported."""
    environment = {**os.environ, "DATABASE_URL": _database_url()}
    with psycopg.connect(_database_url(), autocommit=True) as watcher:
        before = watcher.execute(IMPORTED_SQL).fetchone()[0]
        started = time.perf_counter()
        command = subprocess.Popen(
            [sys.executable, str(MANAGE), "import_accounts", str(path), "--workers", str(WORKERS)],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        peak = 0
        first_seen = None  # (seconds, imported) when the first account of this run was imported
        imported = before
        while command.poll() is None:
            peak = max(peak, _peak_rss(command.pid))
            imported = watcher.execute(IMPORTED_SQL).fetchone()[0]
            if first_seen is None and imported > before:
                first_seen = (time.perf_counter() - started, imported)
            if kill_at is not None and imported >= kill_at:
                os.killpg(command.pid, signal.SIGKILL)
                command.wait()
                break
            time.sleep(POLL_SECONDS)
        elapsed = time.perf_counter() - started
        said = (command.stdout.read() if command.stdout else "").strip().splitlines()
        imported = watcher.execute(IMPORTED_SQL).fetchone()[0]
    steady = None
    if first_seen is not None and imported > first_seen[1] and elapsed > first_seen[0]:
        steady = (imported - first_seen[1]) / (elapsed - first_seen[0])
    return {
        "imported": imported,
        "new": imported - before,
        "seconds": elapsed,
        "steady": steady,
        "peak_rss": peak,
        "said": said[-1] if said else "",
    }


def _peak_rss(pid: int) -> int:
    """The kernel's high-water marks of the resident memory (bytes) of the command's process and of
    its worker processes, summed; 0 once it is gone."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (FileNotFoundError, ProcessLookupError):
        children = []
    return sum(_high_water_mark(p) for p in [pid, *map(int, children)])


def _high_water_mark(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return 0


def _describe(label: str, run: dict) -> str:
    steady = f"{run['steady']:,.0f}" if run["steady"] is not None else "n/a"
    return (
        f"{label}: {run['new']:,} accounts imported in {run['seconds']:.1f}s "
        f"({run['new'] / run['seconds']:,.0f} accounts/s including start-up and reading the file; "
        f"{steady} accounts/s once importing), {WORKERS} workers, "
        f"peak RSS {run['peak_rss'] / 2**20:,.0f} MiB; {run['imported']:,} of {ACCOUNTS:,} imported in all"
    )


def _check(*, killed_at: int) -> None:
    with psycopg.connect(_database_url(), autocommit=True) as db:

        def one(sql: str) -> int:
            return db.execute(sql).fetchone()[0]

        accounts = one("SELECT count(*) FROM accounts_account")
        processes = one(IMPORTED_SQL)
        externals = one(
            "SELECT count(DISTINCT external_account_number) FROM imports_accountimportprocess "
            "WHERE account_id IS NOT NULL"
        )
        orphans = one(
            "SELECT count(*) FROM accounts_account a WHERE NOT EXISTS "
            "(SELECT 1 FROM imports_accountimportprocess p WHERE p.account_id = a.id)"
        )
        twice = one(
            "SELECT count(*) FROM (SELECT identifier FROM metering_meterpoint "
            "GROUP BY market, identifier HAVING count(*) > 1) AS repeated"
        )
        failed = one("SELECT count(*) FROM imports_accountimportprocess WHERE account_id IS NULL")
    ok = accounts == processes == externals == ACCOUNTS and orphans == twice == failed == 0
    print(
        f"resumed after SIGKILL at {killed_at:,}: {accounts:,} accounts, {processes:,} imported processes, "
        f"{externals:,} distinct external numbers, {orphans} accounts without a process, "
        f"{twice} meter point identifiers twice, {failed} processes without an account "
        f"({'OK' if ok else 'WRONG'}: expected {ACCOUNTS:,} each and 0)",
        flush=True,
    )


def _database_url() -> str:
    database = settings.DATABASES["default"]
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{database['NAME']}"
