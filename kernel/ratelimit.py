"""Fixed-window counters in Redis (the default Django cache), shared by every web process: one key
per caller and window, which expires with the window."""

from __future__ import annotations

import weakref
from datetime import datetime

from django.core.cache import caches

# A redis-py client for each cache backend's writes: Django's Redis cache builds a new client for
# every call (copying some 170 response callbacks into it), while a client is thread-safe and only
# borrows connections from the backend's pool, which stays the same for writes.
_write_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def window(*, key: str, seconds: int, now: datetime) -> tuple[str, int]:
    """The cache key counting `key` in the window of `now`, and the seconds until it ends."""
    elapsed = int(now.timestamp())
    number = elapsed // seconds
    return f"{key}:{number}", (number + 1) * seconds - elapsed


def add(*, key: str, amount: int, ttl: int) -> int:
    """Add `amount` to the counter `key` (created at 0, expiring in `ttl` seconds) and return its new
    value, in one round trip on Redis."""
    cache = caches["default"]
    full_key = cache.make_and_validate_key(key)
    backend = getattr(cache, "_cache", None)
    get_client = getattr(backend, "get_client", None)
    if get_client is not None:
        client = _write_clients.get(backend)
        if client is None:
            client = _write_clients[backend] = get_client(full_key, write=True)
        pipe = client.pipeline(transaction=True)
        pipe.incrby(full_key, amount)
        pipe.expire(full_key, ttl + 1)
        value, _ = pipe.execute()
        return int(value)
    cache.add(key, 0, timeout=ttl + 1)
    return cache.incr(key, amount)


def subtract(*, key: str, amount: int) -> None:
    """Take back `amount` from the counter `key` (a refused request costs nothing)."""
    caches["default"].decr(key, amount)
