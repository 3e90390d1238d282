"""`make run`: find or start PostgreSQL and Redis, prepare the database, start web + worker + beat.

    python -m kraken.stack run              # everything, until Ctrl-C
    python -m kraken.stack prepare          # migrate, demo data, superuser; then exit
    python -m kraken.stack ensure-database  # create the configured database if missing

Service URLs are resolved once here (kraken/services.py) and handed to every child through the
environment, so web, worker and beat share the same (possibly embedded) servers, which live as long
as this process does.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request

from kraken import services

DEMO_ADMIN = {"username": "admin", "email": "admin@example.com", "password": "admin-password"}
# Two ops users, so maker-checker (an agent asks, a lead approves) can be tried on the demo data.
DEMO_STAFF = [
    {"username": "agent", "email": "agent@example.com", "password": "agent-password", "group": "Ops agent"},
    {"username": "lead", "email": "lead@example.com", "password": "lead-password", "group": "Ops lead"},
]
WEB_PORT = int(os.environ.get("PORT", "8000"))
LOCALPAY_PORT = int(os.environ.get("LOCALPAY_PORT", "8765"))
WEB_HOST = os.environ.get("WEB_HOST", "127.0.0.1")
READY_TIMEOUT_SECONDS = 60


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kraken.stack")
    parser.add_argument("command", choices=["run", "prepare", "ensure-database"])
    command = parser.parse_args(argv).command

    urls = services.resolve()
    os.environ["DATABASE_URL"] = urls.database_url
    os.environ["REDIS_URL"] = urls.redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kraken.settings")
    created = services.ensure_database_exists(urls.database_url)
    if command == "ensure-database":
        return 0

    print(
        f"PostgreSQL: {urls.database_origin} ({_redact(urls.database_url)}){' — database created' if created else ''}"
    )
    print(f"Redis:      {urls.redis_origin} ({urls.redis_url})")
    _prepare()
    if command == "prepare":
        return 0
    return _run_processes()


def _redact(url: str) -> str:
    from urllib.parse import unquote

    return unquote(url)


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True)


def _prepare() -> None:
    _manage("migrate", "--no-input", "-v", "0")
    _manage("collectstatic", "--no-input", "-v", "0")
    _manage("load_demo_data")
    _manage(
        "ensure_superuser",
        "--username",
        DEMO_ADMIN["username"],
        "--email",
        DEMO_ADMIN["email"],
        "--password",
        DEMO_ADMIN["password"],
    )
    for user in DEMO_STAFF:
        _manage("ensure_staff_user", *(f"--{key}={value}" for key, value in user.items()))


def _queues() -> list[str]:
    import django
    from django.conf import settings

    django.setup()
    return settings.ALL_QUEUES


def _run_processes() -> int:
    # Direct debits are collected at LocalPay, standing in for the demo mandates' vendor.
    os.environ.setdefault("LOCALPAY_URL", f"http://{WEB_HOST}:{LOCALPAY_PORT}")
    os.environ.setdefault("PAYMENT_VENDOR_STAND_INS", "STRIPE=localpay")
    commands = {
        "localpay": [
            sys.executable,
            "-m",
            "billing.vendors.localpay_server",
            "--host",
            WEB_HOST,
            "--port",
            str(LOCALPAY_PORT),
        ],
        "web": [
            sys.executable,
            "-m",
            "gunicorn",
            "kraken.wsgi:application",
            "--config",
            "python:kraken.gunicorn",
            "--bind",
            f"{WEB_HOST}:{WEB_PORT}",
        ],
        "worker": [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kraken",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "-Q",
            ",".join(_queues()),
        ],
        "beat": [sys.executable, "-m", "celery", "-A", "kraken", "beat", "--loglevel", "INFO"],
    }
    processes = {
        name: subprocess.Popen(command, start_new_session=True) for name, command in commands.items()
    }

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    base = f"http://{WEB_HOST}:{WEB_PORT}"
    if _wait_until_ready(f"{base}/healthz/", processes):
        print(
            "\nKraken core is running:\n"
            f"  admin        {base}/admin/  (user {DEMO_ADMIN['username']} / {DEMO_ADMIN['password']}, dev only)\n"
            + "".join(f"               {u['group']}: {u['username']} / {u['password']}\n" for u in DEMO_STAFF)
            + f"  GraphQL      {base}/v1/graphql/\n"
            f"  API docs     {base}/api/docs/   (OpenAPI: {base}/api/schema/)\n"
            f"  imports API  {base}/v1/data-import/\n"
            f"  REST API v1  {base}/v1/products/  (customer key: see the demo data lines above)\n"
            f"  CDR          {base}/cds-au/v1/energy/accounts\n"
            f"  payments     LocalPay at {os.environ['LOCALPAY_URL']} (stands in for STRIPE)\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
    try:
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"{name} exited with {process.returncode}; stopping the rest", file=sys.stderr)
                    stopping = True
            time.sleep(0.5)
    finally:
        _terminate(processes)
    return 0


def _wait_until_ready(url: str, processes: dict[str, subprocess.Popen]) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes.values()):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    print(f"web did not answer {url} within {READY_TIMEOUT_SECONDS}s", file=sys.stderr)
    return False


def _terminate(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    print("Stopped web, worker, beat and LocalPay.")


if __name__ == "__main__":
    sys.exit(main())
