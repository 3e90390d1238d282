"""Kraken's points allowance: each viewer may spend `GRAPHQL_RATE_LIMIT_POINTS_PER_HOUR` points
(default 50,000) per clock hour; a request costs its query complexity (`limits.measure`, at least
one point). A request that would go over the allowance is refused before it runs (KT-CT-1199) and
costs nothing.

Usage lives in Redis (the default Django cache, `settings.REDIS_URL`), one counter per viewer and
hour that expires with the hour, so every web process shares it. Anonymous requests (logging in)
are not counted: there is no viewer to count them against.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from django.conf import settings
from django.core.cache import caches

WINDOW_SECONDS = 3600


@dataclasses.dataclass(frozen=True)
class Usage:
    limit: int
    used: int
    ttl: int  # seconds until the allowance resets

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def is_blocked(self) -> bool:
        return self.used >= self.limit


class RateLimited(Exception):
    """The request would take the viewer over the hourly allowance."""

    def __init__(self, usage: Usage):
        super().__init__(f"{usage.used} of {usage.limit} points used")
        self.usage = usage


def allowance() -> int:
    return getattr(settings, "GRAPHQL_RATE_LIMIT_POINTS_PER_HOUR", 50_000)


def _key(user_id: int, now: datetime) -> tuple[str, int]:
    seconds = int(now.timestamp())
    window = seconds // WINDOW_SECONDS
    prefix = getattr(settings, "GRAPHQL_RATE_LIMIT_KEY_PREFIX", "graphql-points")
    return f"{prefix}:{user_id}:{window}", (window + 1) * WINDOW_SECONDS - seconds


def _redis(key: str):
    """The raw redis-py client behind the default cache, or None for another cache backend."""
    backend = getattr(caches["default"], "_cache", None)
    get_client = getattr(backend, "get_client", None)
    return get_client(key, write=True) if get_client is not None else None


def spend(*, user_id: int, points: int, now: datetime) -> Usage:
    """Charge `points` to the viewer's allowance for the hour of `now`.

    Raises RateLimited (and charges nothing) when the allowance would be exceeded.
    """
    key, ttl = _key(user_id, now)
    cache = caches["default"]
    limit = allowance()
    full_key = cache.make_and_validate_key(key)
    client = _redis(full_key)
    if client is not None:
        # One round trip: add the points and (re)set the expiry to the end of the hour.
        pipe = client.pipeline(transaction=True)
        pipe.incrby(full_key, points)
        pipe.expire(full_key, ttl + 1)
        used, _ = pipe.execute()
        if used > limit:
            client.decrby(full_key, points)
    else:
        cache.add(key, 0, timeout=ttl + 1)
        used = cache.incr(key, points)
        if used > limit:
            cache.decr(key, points)
    if used > limit:
        raise RateLimited(Usage(limit=limit, used=used - points, ttl=ttl))
    return Usage(limit=limit, used=used, ttl=ttl)


def usage(*, user_id: int, now: datetime) -> Usage:
    """The viewer's points used in the hour of `now` (including the current request's)."""
    key, ttl = _key(user_id, now)
    used = caches["default"].get(key, 0)
    return Usage(limit=allowance(), used=int(used), ttl=ttl)
