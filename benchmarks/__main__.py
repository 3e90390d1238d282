"""`make bench`: run every `benchmarks/bench_*.py` (or those named: `make bench BENCH_ARGS=imports`).

Each module exposes `main() -> None` and prints its figures as ratios against a baseline measured
in the same run, because these machines are noisy.
"""

import importlib
import os
import pkgutil
import sys
import time
import uuid

import django


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kraken.settings")
    # Its own queues and Redis keys, so a benchmark beside `make run` never takes the stack's tasks.
    os.environ["KRAKEN_INSTANCE"] = f"bench-{uuid.uuid4().hex[:12]}"
    django.setup()
    import benchmarks

    names = sorted(
        module.name.removeprefix("bench_")
        for module in pkgutil.iter_modules(benchmarks.__path__)
        if module.name.startswith("bench_")
    )
    chosen = [name for name in names if not argv or name in argv]
    for name in chosen:
        print(f"\n=== benchmark: {name} ===", flush=True)
        started = time.monotonic()
        importlib.import_module(f"benchmarks.bench_{name}").main()
        print(f"=== {name} took {time.monotonic() - started:.1f}s ===", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
