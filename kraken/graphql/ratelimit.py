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

from kernel import ratelimit

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
    prefix = getattr(settings, "GRAPHQL_RATE_LIMIT_KEY_PREFIX", "graphql-points")
    return ratelimit.window(key=f"{prefix}:{user_id}", seconds=WINDOW_SECONDS, now=now)


def spend(*, user_id: int, points: int, now: datetime) -> Usage:
    """Charge `points` to the viewer's allowance for the hour of `now`.

    Raises RateLimited (and charges nothing) when the allowance would be exceeded.
    """
    key, ttl = _key(user_id, now)
    limit = allowance()
    used = ratelimit.add(key=key, amount=points, ttl=ttl)
    if used > limit:
        ratelimit.subtract(key=key, amount=points)
        raise RateLimited(Usage(limit=limit, used=used - points, ttl=ttl))
    return Usage(limit=limit, used=used, ttl=ttl)


def usage(*, user_id: int, now: datetime) -> Usage:
    """The viewer's points used in the hour of `now` (including the current request's)."""
    key, ttl = _key(user_id, now)
    used = caches["default"].get(key, 0)
    return Usage(limit=allowance(), used=int(used), ttl=ttl)
