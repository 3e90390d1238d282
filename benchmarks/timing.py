"""Latency sampling shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def p50s(*fns: Callable[[], object], runs: int, warmup: int = 5) -> list[float]:
    """p50 (seconds) of each function, sampled in turns (a, b, a, b, ...) so that all see the same
    load on a shared machine."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, times in zip(fns, samples, strict=True):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return [statistics.median(times) for times in samples]
