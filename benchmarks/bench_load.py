"""Serving under load: a realistic client mix (GraphQL account, bills and dispatches polling, REST v1
consumption, CDR account detail; benchmarks/_locustfile.py) from locust, headless, against gunicorn
(kraken/gunicorn.py: gthread, pooled connections) serving the scale data set.

Reports throughput, p50/p95/p99 latency and the error rate beside the targets (p99 <= 250 ms, no
errors), and a baseline in the same run: the same number of clients asking only `/healthz/` (one
`SELECT 1` through the same server), whose throughput is the ceiling of this server and this load
generator on this machine; the mix's throughput is reported as a ratio of it. Locust shares the
machine with the server, as it does on a developer's machine; on the shared 2-core machines the
ratio, not the absolute figure, is the one to compare between runs.

Each client makes its first request at a random moment within one pause, as independent apps do,
rather than all fifty in locust's first instant. Beside the clients' figures it prints each
request's time inside gunicorn (its access log's microseconds, by door) and the share of requests
each web process served: a client's time beyond the server's is queueing before the request is
read, and the load generator itself.

The data set (`generate_scale_data`, seed 42) is written once into `bench_kraken_load_<N>` and
reused while it holds the N accounts (a load of 100,000 accounts takes minutes). A 10 s run of
the mix warms the server first (schema built, pools filled in every worker) and is not counted.

    make bench BENCH_ARGS=load                      100,000 accounts, 50 clients, 60 s
    make bench BENCH_ARGS="load quick"              10,000 accounts, 50 clients, 30 s
    BENCH_LOAD_ACCOUNTS=1000000 BENCH_LOAD_USERS=100 BENCH_LOAD_SECONDS=120 make bench BENCH_ARGS=load
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, connections

from benchmarks import database

QUICK = "quick" in sys.argv[1:] or os.environ.get("BENCH_QUICK") == "1"
ACCOUNTS = int(os.environ.get("BENCH_LOAD_ACCOUNTS", "10000" if QUICK else "100000"))
USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "30" if QUICK else "60"))
BASELINE_SECONDS = max(SECONDS // 3, 10)
WARMUP_SECONDS = 10
CUSTOMERS = 200  # distinct customers the clients are drawn from
SEED = 42
TARGET_P99_MS = 250.0
TARGET_ERROR_RATE = 0.0
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    name = f"bench_kraken_load_{ACCOUNTS}"
    _use_scale_database(name)
    clients = _clients()
    port = _free_port()
    with tempfile.TemporaryDirectory() as work:
        clients_file = Path(work) / "clients.json"
        server = _start_server(name, port, work)
        try:
            clients["cdr_account_ids"] = _cdr_account_ids(port, clients["cdr_token"])
            clients_file.write_text(json.dumps(clients))
            # Warm-up, not measured: each worker builds its schema and fills its pool on first use.
            _locust("CustomerClient", port, clients_file, WARMUP_SECONDS, work)
            access_log = Path(work) / "access.log"
            logged_before = _lines(access_log)
            mix = _locust("CustomerClient", port, clients_file, SECONDS, work)
            served, per_process = _server_times(access_log, skip=logged_before)
            baseline = _locust("BaselineClient", port, clients_file, BASELINE_SECONDS, work)
        finally:
            server.terminate()
            server.wait(timeout=30)
    _report(mix, baseline, served, per_process)


def _use_scale_database(name: str) -> None:
    """Point Django at `name`, holding the scale data set of ACCOUNTS accounts (written if not)."""
    from accounts import models as accounts_models
    from kraken import scale_data

    database_settings = settings.DATABASES["default"]
    connections.close_all()
    database_settings["NAME"] = connection.settings_dict["NAME"] = name
    try:
        connection.ensure_connection()
        ready = (
            scale_data.is_loaded(seed=SEED)
            and accounts_models.Account.objects.filter(number__startswith=f"A-{SEED:02X}").count() == ACCOUNTS
        )
    except DatabaseError:  # missing, or not migrated: build it afresh
        ready = False
    connections.close_all()
    if ready:
        print(f"data set: {ACCOUNTS:,} accounts in {name} (reused)")
        return
    database.use_bench_database(name)
    started = time.monotonic()
    call_command("generate_scale_data", "--accounts", str(ACCOUNTS), "--seed", str(SEED))
    print(f"data set: {ACCOUNTS:,} accounts written into {name} in {time.monotonic() - started:.0f}s")


def _clients() -> dict:
    """API keys and Kraken tokens of CUSTOMERS customers with half-hourly data and an electric car,
    drawn with a fixed seed; the CDR
    demo's token; the week of consumption the clients ask for."""
    from django.utils import timezone

    from accounts import operations as accounts_operations
    from accounts import tokens
    from cdr import demo as cdr_demo
    from metering import models as metering_models

    now = timezone.now()
    meters = list(
        metering_models.Meter.objects.filter(
            is_smart=True,
            meter_point__utility_type="ELECTRICITY",
            interval_readings__isnull=False,
            meter_point__property__account__devices__isnull=False,
            meter_point__property__account__number__startswith=f"A-{SEED:02X}",
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    chosen = random.Random(SEED).sample(meters, min(CUSTOMERS, len(meters)))
    customers = []
    for meter in metering_models.Meter.objects.filter(pk__in=chosen).select_related(
        "meter_point__property__account"
    ):
        account = meter.meter_point.property.account
        key = accounts_operations.regenerate_api_key(user=account.users.get(), now=now)
        customers.append(
            {
                "number": account.number,
                "mpan": meter.meter_point.identifier,
                "serial": meter.serial_number,
                "key": key,
                "token": tokens.obtain_token_with_api_key(api_key=key, now=now).token,
            }
        )
    latest = max(
        metering_models.IntervalReading.objects.filter(meter_id__in=chosen[:1]).values_list(
            "interval_start", flat=True
        )
    )
    week_to = latest.replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "customers": customers,
        "cdr_token": cdr_demo.load(now=now).token,
        "week_from": (week_to - dt.timedelta(days=7)).isoformat(),
        "week_to": week_to.isoformat(),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(name: str, port: int, work: str) -> subprocess.Popen:
    database_settings = settings.DATABASES["default"]
    url = (
        f"postgres://{database_settings.get('USER') or ''}@{database_settings.get('HOST') or ''}:"
        f"{database_settings.get('PORT') or 5432}/{name}"
    )
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "WEB_BIND": f"127.0.0.1:{port}",
        # Each request's time inside the server (microseconds from its first byte read to its
        # last written), set beside what the clients saw: the rest of a client's time is waiting to
        # be read (accept and poll queues, a core) and the load generator itself.
        "WEB_ACCESS_LOG": str(Path(work) / "access.log"),
        "GUNICORN_CMD_ARGS": "--access-logformat '%(D)s %(p)s %(U)s'",
        "DEBUG": "false",
        # Every client is 127.0.0.1: the per-caller REST limit counts keys, but be sure it is not
        # what is measured.
        "REST_API_RATE_LIMIT_AUTHENTICATED": "1000000",
    }
    if database_settings.get("PASSWORD"):
        environment["PGPASSWORD"] = database_settings["PASSWORD"]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:kraken.gunicorn", "kraken.wsgi"],
        cwd=ROOT,
        env=environment,
        stdout=open(Path(work) / "gunicorn.log", "w"),  # noqa: SIM115 - closed with the process
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz/", timeout=5).status_code == 200:
                return server
        except requests.RequestException:  # not listening yet, or still starting
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"gunicorn did not answer: {(Path(work) / 'gunicorn.log').read_text()[-2000:]}")


def _cdr_account_ids(port: int, token: str) -> list[str]:
    response = requests.get(
        f"http://127.0.0.1:{port}/cds-au/v1/energy/accounts",
        headers={
            "Authorization": f"Bearer {token}",
            "x-v": "2",
            "x-fapi-auth-date": "Thu, 12 Jun 2025 08:30:00 GMT",
        },
        timeout=30,
    )
    response.raise_for_status()
    return [account["accountId"] for account in response.json()["data"]["accounts"]]


def _locust(user_class: str, port: int, clients_file: Path, seconds: int, work: str) -> dict:
    """Run locust headless; return its aggregated figures and those per request name."""
    prefix = Path(work) / user_class
    stats = Path(f"{prefix}_stats.csv")
    stats.unlink(missing_ok=True)  # the warm-up's
    with open(f"{prefix}.log", "w") as log:
        subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "_locustfile.py"),
                user_class,
                "--headless",
                "--users",
                str(USERS),
                "--spawn-rate",
                str(USERS),
                "--run-time",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**os.environ, "BENCH_LOAD_CLIENTS": str(clients_file)},
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    if not stats.exists():
        raise RuntimeError(f"locust wrote no figures: {Path(f'{prefix}.log').read_text()[-2000:]}")
    with stats.open() as file:
        return {row["Name"]: row for row in csv.DictReader(file)}


def _lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open() as file:
        return sum(1 for _ in file)


def _server_times(path: Path, *, skip: int) -> tuple[dict[str, list[float]], list[int]]:
    """Milliseconds each request of the mix spent in the server, by door (the path's first part),
    and how many requests each web process served, most first."""
    times: dict[str, list[float]] = {}
    processes: dict[str, int] = {}
    with path.open() as file:
        for number, line in enumerate(file):
            if number < skip:
                continue
            microseconds, process, request_path = line.split(maxsplit=2)
            processes[process] = processes.get(process, 0) + 1
            door = {"cds-au": "cdr", "v1": "graphql" if "graphql" in request_path else "rest"}.get(
                request_path.strip("/").split("/", 1)[0], "other"
            )
            times.setdefault(door, []).append(int(microseconds) / 1000)
    return times, sorted(processes.values(), reverse=True)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _figures(row: dict) -> tuple[float, float, float, float, float, int]:
    requests_made = int(row["Request Count"])
    failures = int(row["Failure Count"])
    return (
        float(row["Requests/s"]),
        float(row["50%"]),
        float(row["95%"]),
        float(row["99%"]),
        failures / requests_made if requests_made else 0.0,
        requests_made,
    )


def _report(mix: dict, baseline: dict, served: dict[str, list[float]], per_process: list[int]) -> None:
    print(
        f"{USERS} clients for {SECONDS}s against {ACCOUNTS:,} accounts (gunicorn gthread, locust on the same machine)"
    )
    print(
        f"  {'request':<22} {'count':>7} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}"
    )
    for name, row in mix.items():
        if name == "Aggregated":
            continue
        rate, p50, p95, p99, errors, count = _figures(row)
        print(f"  {name:<22} {count:>7} {rate:>8.1f} {p50:>7.0f} {p95:>7.0f} {p99:>7.0f} {errors:>7.1%}")
    rate, p50, p95, p99, errors, count = _figures(mix["Aggregated"])
    base_rate, base_p50, _, base_p99, base_errors, _ = _figures(baseline["Aggregated"])
    print(
        f"  {'all (the mix)':<22} {count:>7} {rate:>8.1f} {p50:>7.0f} {p95:>7.0f} {p99:>7.0f} {errors:>7.1%}"
    )
    print(
        f"  baseline /healthz/ ({BASELINE_SECONDS}s): {base_rate:.1f} req/s, p50 {base_p50:.0f} ms, "
        f"p99 {base_p99:.0f} ms, errors {base_errors:.1%}"
    )
    everything = [ms for times in served.values() for ms in times]
    if everything:
        shares = " / ".join(f"{count / len(everything):.0%}" for count in per_process)
        print(f"  inside the server (gunicorn's time per request, the same mix; processes' shares {shares}):")
        for door, times in sorted({**served, "all": everything}.items()):
            print(
                f"    {door:<20} {len(times):>7} p50 {_percentile(times, 0.5):>5.0f} ms  "
                f"p95 {_percentile(times, 0.95):>5.0f} ms  p99 {_percentile(times, 0.99):>5.0f} ms"
            )
    print(f"  throughput: {rate:.1f} req/s = {rate / base_rate:.2f}x the baseline's")
    print(f"  p99: {p99:.0f} ms (target <= {TARGET_P99_MS:.0f} ms)")
    print(f"  error rate: {errors:.2%} (target {TARGET_ERROR_RATE:.0%})")
    if p99 > TARGET_P99_MS or errors > TARGET_ERROR_RATE:
        print("  TARGET MISSED")
