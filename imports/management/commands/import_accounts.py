"""`python manage.py import_accounts PAYLOADS.jsonl [--supplier CODE] [--dry-run] [--workers N]`

One account payload (EnergyAccount JSON) per line, through the same rules and operations as the API.
Accounts are written in chunks (one transaction per chunk, every account all or nothing; a chunk the
database refuses is retried account by account). After Ctrl-C, run the same command again:
already-imported accounts are skipped. Failures go to an error report (JSON lines) at the end.

A worker validates each chunk on a second thread while it writes the chunk before. `--workers N`
forks N worker processes (each its own interpreter and database connection: threads of one process
would share one core's worth of Python), fed the file's chunks through a queue.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from imports import operations, queries, tasks
from kernel import clock

# Each chunk pays a dozen round trips and a durable commit (about 10 ms on a busy machine) whatever
# its size: 200 accounts make that a tenth of the work, where 50 made it a quarter. A chunk the
# database refuses is retried account by account, so a bigger one costs more only then.
CHUNK = 200
# A Celery task's share of an --async import: small, as each item holds a short lease.
ASYNC_CHUNK = 50


class Progress:
    def __init__(self, total: int, stream) -> None:
        self.total, self.stream = total, stream
        self.done = self.failed = self.skipped = 0
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.last = 0.0

    def tick(self, *, failed: bool = False, skipped: bool = False, force: bool = False) -> None:
        with self.lock:
            self.done += 1
            self.failed += failed
            self.skipped += skipped
            now = time.monotonic()
            if force or now - self.last > 0.5 or self.done == self.total:
                self.last = now
                self.draw()

    def draw(self) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate else 0
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
            f"{rate:,.0f} accounts/s, {self.failed} errors, {self.skipped} skipped, ETA {eta:,.0f}s "
        )
        self.stream.flush()


class Command(BaseCommand):
    help = "Import account payloads from a JSON-lines file, resumably."

    def add_arguments(self, parser):
        parser.add_argument("payloads", type=Path)
        parser.add_argument("--supplier", help="Import supplier code (default: each line's import_supplier)")
        parser.add_argument("--dry-run", action="store_true", help="Validate and create, then roll back")
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--errors", type=Path, help="Error report path (default: PAYLOADS.errors.jsonl)")
        parser.add_argument(
            "--async",
            dest="run_async",
            action="store_true",
            help="Stage the file as one ImportProcess and let Celery workers import it in chunks",
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            help=f"Accounts written per transaction (default {CHUNK}; with --async, per task: {ASYNC_CHUNK})",
        )

    def handle(self, *args, **options):
        path: Path = options["payloads"]
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        suppliers = queries.suppliers_by_code()
        if options["supplier"] and options["supplier"] not in suppliers:
            raise CommandError(f"Unknown import supplier {options['supplier']}")
        if options["run_async"]:
            return self._start_async(list(_lines(path)), suppliers, options)
        catalogue = queries.build_catalogue()
        done = queries.imported_account_keys()
        total = sum(1 for _ in _lines(path))
        progress = Progress(total, self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr)

        def parts(numbered: list[tuple[int, str]]) -> list[tuple[str, list[tuple[int, dict]]]]:
            """The lines' payloads to import, by supplier code (lines refused or done are counted)."""
            by_supplier: dict[str, list[tuple[int, dict]]] = {}
            for number, line in numbered:
                try:
                    payload = json.loads(line)
                    if not isinstance(payload, dict):
                        raise ValueError("not a JSON object")
                except ValueError as exc:
                    tally.fail(number, line, [{"code": "parse_error", "detail": str(exc)}])
                    continue
                code = options["supplier"] or payload.get("import_supplier")
                if options["supplier"]:
                    payload["import_supplier"] = code
                if code not in suppliers:
                    tally.fail(
                        number,
                        line,
                        [{"code": "import_supplier_not_found", "detail": f"Unknown import supplier {code}"}],
                    )
                    continue
                if (code, payload.get("external_account_number")) in done:
                    tally.passed(skipped=True)
                    continue
                by_supplier.setdefault(code, []).append((number, payload))
            return list(by_supplier.items())

        def count(rows: list[tuple[int, dict]], outcomes: list[operations.Outcome]) -> None:
            for (number, payload), outcome in zip(rows, outcomes, strict=True):
                if outcome.status == operations.FAILED:
                    errors = [
                        {"attr": f.attr, "code": f.code, "detail": f.detail} for f in outcome.failures
                    ] or [{"code": "account_creation_failed", "detail": outcome.error}]
                    tally.fail(number, json.dumps(payload), errors)
                else:
                    tally.passed(skipped=outcome.status == operations.SKIPPED)

        def work(numbered_parts: Iterator[list[tuple[int, str]]]) -> None:
            """One worker: each chunk validated while the one before is written (`import_chunks`)."""
            waiting: deque[list[tuple[int, dict]]] = deque()

            def chunks() -> Iterator[operations.Chunk]:
                for numbered in numbered_parts:
                    for code, rows in parts(numbered):
                        waiting.append(rows)
                        yield operations.Chunk(
                            supplier=suppliers[code],
                            payloads=[payload for _, payload in rows],
                            now=clock.now(),
                        )

            for outcomes in operations.import_chunks(
                chunks(), catalogue=catalogue, dry_run=options["dry_run"]
            ):
                count(waiting.popleft(), outcomes)
                tally.flush()

        tally = _Tally(progress)
        # What is loaded by now (Django, the catalogue, the keys imported) lives as long as the
        # command: kept out of the collector's full passes, which else walk all of it again and again
        # as each chunk's payloads come and go (about a sixth of a worker's time); a worker process
        # forked from here shares it unchanged.
        gc.freeze()
        interrupted = False
        parts_of_file = _parts(enumerate(_lines(path), start=1), max(options["chunk_size"] or CHUNK, 1))
        try:
            if options["workers"] <= 1:
                work(parts_of_file)
            else:
                _run_processes(work, parts_of_file, options["workers"], tally)
        except KeyboardInterrupt:
            interrupted = True
        report = tally.report
        progress.draw()
        progress.stream.write("\n")
        report_path = options["errors"] or path.with_suffix(path.suffix + ".errors.jsonl")
        report_path.write_text(
            "".join(json.dumps(entry) + "\n" for entry in sorted(report, key=lambda e: e["line"]))
        )
        imported = progress.done - progress.failed - progress.skipped
        self.stdout.write(
            f"{'Interrupted: ' if interrupted else ''}{imported} imported, {progress.skipped} skipped, "
            f"{progress.failed} failed; error report: {report_path}"
        )

    def _start_async(self, lines, suppliers, options) -> None:
        code = (
            options["supplier"] or json.loads(lines[0]).get("import_supplier")
            if lines
            else options["supplier"]
        )
        if code not in suppliers:
            raise CommandError(f"Unknown import supplier {code}")
        batch = operations.start_batch(
            supplier=suppliers[code],
            payloads=[json.loads(line) for line in lines],
            now=clock.now(),
            is_dry_run=options["dry_run"],
        )
        ids = queries.batch_process_ids(batch=batch)
        size = max(options["chunk_size"] or ASYNC_CHUNK, 1)
        for start in range(0, len(ids), size):
            tasks.run_batch_chunk.apply_async(
                kwargs={"batch_id": batch.pk, "process_ids": ids[start : start + size]}
            )
        self.stdout.write(f"Import process {batch.pk}: {len(ids)} account(s) queued in chunks of {size}")


class _Tally:
    """Where a worker counts each line: the progress bar and the error report, or, in a worker
    process, a list sent to the command's process after each chunk (`flush`)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.report: list[dict] = []
        self.outbox = None  # a worker process's queue to the command's process
        self.pending: list[tuple] = []

    def fail(self, number: int, line: str, errors: list[dict]) -> None:
        self.add_failure({"line": number, "external_account_number": _external(line), "errors": errors})

    def add_failure(self, entry: dict) -> None:
        if self.outbox is not None:
            self.pending.append(("failed", entry))
            return
        self.report.append(entry)
        self.progress.tick(failed=True)

    def passed(self, *, skipped: bool) -> None:
        if self.outbox is not None:
            self.pending.append(("passed", skipped))
            return
        self.progress.tick(skipped=skipped)

    def flush(self) -> None:
        if self.outbox is not None and self.pending:
            self.outbox.put(self.pending)
            self.pending = []


def _run_processes(work, parts: Iterator[list[tuple[int, str]]], workers: int, tally: _Tally) -> None:
    """`work` in `workers` processes forked from this one (each its own interpreter, GIL and
    database connection), fed the parts through a queue as the file is read (at most two per
    worker waiting). Each part is written in its own transactions, as with one worker, so a run
    killed at any point resumes where it stopped. A worker whose command process is gone stops
    after its chunk."""
    context = multiprocessing.get_context("fork")
    tasks = context.Queue(maxsize=2 * workers)
    results = context.Queue()
    connections.close_all()  # each worker opens its own
    parent = os.getpid()

    def worker() -> None:
        tally.outbox = results
        try:

            def numbered_parts():
                while True:
                    try:
                        part = tasks.get(timeout=1)
                    except queue.Empty:
                        if os.getppid() != parent:
                            return
                        continue
                    if part is None:
                        return
                    yield part

            work(numbered_parts())
            tally.flush()
            results.put([("done", None)])
        except BaseException as exc:
            results.put([("error", f"{type(exc).__name__}: {exc}")])
            raise
        finally:
            connections.close_all()

    processes = [context.Process(target=worker, daemon=True) for _ in range(workers)]
    for process in processes:
        process.start()
    running = workers

    def drain(*, block: bool) -> None:
        nonlocal running
        while running:
            try:
                events = results.get(timeout=1) if block else results.get_nowait()
            except queue.Empty:
                if block and not any(process.is_alive() for process in processes):
                    raise CommandError("A worker process stopped unexpectedly") from None
                if not block:
                    return
                continue
            for kind, value in events:
                if kind == "done":
                    running -= 1
                elif kind == "error":
                    raise CommandError(f"A worker process failed: {value}")
                elif kind == "failed":
                    tally.add_failure(value)
                else:
                    tally.passed(skipped=value)

    try:
        for part in parts:
            while True:
                try:
                    tasks.put(part, timeout=0.2)
                    break
                except queue.Full:
                    drain(block=False)
            drain(block=False)
        for _ in processes:
            tasks.put(None)
        drain(block=True)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()


def _lines(path: Path) -> Iterator[str]:
    """The file's non-blank lines, read as they are needed."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield line.rstrip("\r\n")


def _parts(numbered: Iterator[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    part: list[tuple[int, str]] = []
    for item in numbered:
        part.append(item)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part


def _external(line: str) -> str:
    try:
        return json.loads(line).get("external_account_number", "")
    except (ValueError, AttributeError):
        return ""
