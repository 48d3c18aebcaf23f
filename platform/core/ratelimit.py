"""A rate limit: a fixed-window counter per key (a student and mode, an address, a user),
shared by every web process through the cache (Redis in production). Submissions, sign-ups,
password resets, answer previews and bundle downloads use it."""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def rate_limit_hit(
    key: str, *, limit: int, window: int, clock: Callable[[], float] = time.time
) -> int | None:
    """Count one hit in a fixed window; None if allowed, else the seconds until the next window.

    The counter lives in the Django cache (Redis in production), so it is shared by every web
    process. A fixed window may let up to twice the limit through across a window boundary,
    which is fine for keeping the grader from being used as an oracle.
    """
    now = clock()
    bucket = int(now // window)
    cache_key = f"ratelimit:{key}:{bucket}"
    try:
        count = _count_hit(cache_key, ttl=window + 1)
    except Exception:
        # Fail open: while Redis restarts, a submission is saved (and graded once the broker
        # is back, by the sweeper) rather than refused with an error.
        logger.warning("rate limit unavailable (cache down); letting %s through", key)
        return None
    if count <= limit:
        return None
    return max(1, math.ceil((bucket + 1) * window - now))


def _count_hit(cache_key: str, *, ttl: int) -> int:
    """Add one to the window's counter and return it (atomic)."""
    backend = caches["default"]  # the backend itself: `cache` is a proxy to it
    if isinstance(backend, RedisCache):
        # One round trip (INCR creates the key at 1) instead of the three that the cache API's
        # add + incr cost on Redis: this runs on every submission of a deadline rush. The
        # window's key expires from its first hit; were that EXPIRE lost (a crash in between),
        # the key would only outlive its own window, which no later hit uses again.
        key = backend.make_and_validate_key(cache_key)
        client = _redis_client(_location(backend))
        count = int(client.incr(key))
        if count == 1:
            client.expire(key, ttl)
        return count
    cache.add(cache_key, 0, timeout=ttl)
    try:
        return cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=ttl)
        return 1


def _location(backend: RedisCache) -> str:
    """The (first, the writer's) address of the default cache, from the settings."""
    location = settings.CACHES["default"]["LOCATION"]
    if isinstance(location, list | tuple):
        location = location[0]
    return str(location).replace(",", ";").split(";")[0]


@functools.lru_cache(maxsize=8)
def _redis_client(location: str) -> redis.Redis:
    """One client per Redis address, with its own connection pool (thread-safe), kept for the
    process: Django's cache builds a new client object for every call, which costs more CPU
    than the round trip itself."""
    options = settings.CACHES["default"].get("OPTIONS", {})
    # The cache's own time-outs: a Redis that hangs must not hang a submission.
    timeouts = {name: value for name, value in options.items() if name.startswith("socket_")}
    return redis.Redis.from_url(location, **timeouts)
