"""Start a real Celery worker process against the test database and the test Redis.

Tests that prove exactly-once behaviour must not use eager mode: they commit rows (use the
`transactional_db` fixture), start a worker with `running_worker()`, publish tasks through the real
broker, and may SIGKILL the worker mid-run and start another.

    with running_worker(queues=["billing"]) as worker:
        ...
        worker.kill()          # SIGKILL, as a crashed host would
    with running_worker(queues=["billing"]):
        ...                    # redelivered work finishes here
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Max, QuerySet

PROJECT_DIR = Path(__file__).resolve().parent.parent
READY_MARKER = "ready."
START_TIMEOUT_SECONDS = 60
# A sweep runs this long after the leases' end, so it finds them expired.
SWEEP_LEEWAY = dt.timedelta(seconds=1)


class WorkerProcess:
    def __init__(self, process: subprocess.Popen, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    def kill(self) -> None:
        """SIGKILL the worker and its pool children: nothing is acknowledged or cleaned up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def worker_environment() -> dict[str, str]:
    """The environment a child process needs to see this test run's database and Redis."""
    database = connection.settings_dict
    host = database.get("HOST") or ""
    from urllib.parse import quote

    host_part = quote(host, safe="") if host.startswith("/") else host
    port = f":{database['PORT']}" if database.get("PORT") else ""
    password = f":{quote(database['PASSWORD'], safe='')}" if database.get("PASSWORD") else ""
    user = database.get("USER") or "postgres"
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{user}{password}@{host_part}{port}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "kraken.settings",
        "PYTHONUNBUFFERED": "1",
    }


def purge_queues(queues: list[str]) -> None:
    """Drop anything an earlier test left on the broker for these queues, and the broker's
    bookkeeping of unacknowledged messages, inside this test run's namespace only (never the keys
    of a `make run` stack or of another test run on the same Redis)."""
    prefix = settings.REDIS_KEY_PREFIX
    if not prefix:
        raise RuntimeError("Tests run in their own Redis namespace (tests/settings.py); refusing to purge")
    client = redis.Redis.from_url(settings.REDIS_URL)
    for queue in queues:
        client.delete(prefix + queue)
    for key in client.scan_iter(f"{prefix}unacked*"):
        client.delete(key)


@contextlib.contextmanager
def running_worker(
    *,
    queues: list[str],
    concurrency: int = 1,
    tmp_dir: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[WorkerProcess]:
    command = [
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        str(concurrency),
        "--pool",
        "prefork",
        "-Q",
        ",".join(queues),
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
        "-n",
        f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
    ]
    with _running(command, name="worker", ready=READY_MARKER, tmp_dir=tmp_dir, extra_env=extra_env) as worker:
        yield worker


@contextlib.contextmanager
def running_beat(
    *, tmp_dir: Path | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[WorkerProcess]:
    """Celery beat with the database scheduler (django-celery-beat), reading this test database's
    periodic tasks and publishing in this test run's Redis namespace, as `make run`'s beat does."""
    command = ["beat", "--loglevel", "INFO", "-S", "django_celery_beat.schedulers:DatabaseScheduler"]
    with _running(command, name="beat", ready="beat: Starting", tmp_dir=tmp_dir, extra_env=extra_env) as beat:
        yield beat


@contextlib.contextmanager
def _running(
    arguments: list[str],
    *,
    name: str,
    ready: str,
    tmp_dir: Path | None,
    extra_env: dict[str, str] | None,
) -> Iterator[WorkerProcess]:
    log_dir = tmp_dir or PROJECT_DIR / ".local" / "test-workers"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}-{os.getpid()}-{time.monotonic_ns()}.log"
    command = [sys.executable, "-m", "celery", "-A", "kraken", *arguments]
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env={**worker_environment(), **(extra_env or {})},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = WorkerProcess(process, log_path)
    try:
        _wait_for_ready(worker, ready)
        yield worker
    finally:
        worker.stop()


def sweep_as_leases_run_out(*, periodic_task: str, held: Iterable[QuerySet]) -> None:
    """Set the beat row named `periodic_task` (a lease sweep) as if it had last run one of its
    intervals before the leases on the claimed rows of `held` run out (on the database's clock,
    which sets them; its now if none is held), plus SWEEP_LEEWAY, so a beat started after this
    (`running_beat`) sends it then and every interval after, on its own schedule. A test whose
    worker is killed sweeps at the real schedule's luckiest moment rather than an unknown one, up
    to an interval (30 s) later, which a test waiting on it would spend idle."""
    from django_celery_beat.models import PeriodicTask

    ends = [rows.exclude(claimed_by="").aggregate(end=Max("lease_until"))["end"] for rows in held]
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        ends.append(cursor.fetchone()[0])
    at = max(end for end in ends if end is not None) + SWEEP_LEEWAY
    task = PeriodicTask.objects.select_related("interval").get(name=periodic_task)
    PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=at - task.interval.schedule.run_every)


def _wait_for_ready(worker: WorkerProcess, marker: str = READY_MARKER) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if marker in worker.log():
            return
        if worker.process.poll() is not None:
            raise RuntimeError(f"Celery process exited early:\n{worker.log()}")
        time.sleep(0.2)
    worker.kill()
    raise RuntimeError(f"Celery process not ready in {START_TIMEOUT_SECONDS}s:\n{worker.log()}")


def wait_for(condition, *, timeout: float = 60, interval: float = 0.2, message: str = "condition") -> None:
    """Poll `condition()` until truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")
