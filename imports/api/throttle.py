"""The optional limit on simultaneous `process` calls (IMPORTS_MAX_CONCURRENT_PROCESSES), counted in
Redis so it holds across web processes. Each slot expires on its own if a process dies holding it."""

from __future__ import annotations

import contextlib

import redis
from django.conf import settings

KEY = "imports:process-slots"
SLOT_TTL_SECONDS = 300


class TooManyProcesses(Exception):
    pass


def slot_key() -> str:
    """The Redis key counting running process calls, in this stack's namespace."""
    return settings.REDIS_KEY_PREFIX + KEY


@contextlib.contextmanager
def process_slot():
    """Raises TooManyProcesses when the configured number of process calls is already running."""
    limit = getattr(settings, "IMPORTS_MAX_CONCURRENT_PROCESSES", None)
    if not limit:
        yield
        return
    client = redis.Redis.from_url(settings.REDIS_URL)
    key = slot_key()
    taken = client.incr(key)
    client.expire(key, SLOT_TTL_SECONDS)
    try:
        if taken > limit:
            raise TooManyProcesses(f"At most {limit} accounts may be processed at once; retry shortly.")
        yield
    finally:
        client.decr(key)
