"""The per-user rate limit against a real redis-server (its one-round-trip path).

The unit tests run on the per-process cache; production counts in Redis, shared by every web
process, with INCR + EXPIRE in one pipeline. This checks that path: the limit, the window's
expiry on the key, and that the count is shared by two separate cache clients (two web
processes).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import caches

from core.ratelimit import rate_limit_hit

pytestmark = pytest.mark.e2e


@pytest.fixture
def redis_cache(redis_url: str, settings: Any) -> Iterator[redis.Redis]:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "rl-test",
        },
    }
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    caches["default"].close()


def test_the_limit_is_counted_in_redis_and_its_window_expires(
    redis_cache: redis.Redis,
) -> None:
    redis_cache.config_resetstat()
    clock = iter([1000.0, 1000.5, 1001.0, 1059.0, 1061.0]).__next__
    assert rate_limit_hit("graded:7", limit=2, window=60, clock=clock) is None
    assert rate_limit_hit("graded:7", limit=2, window=60, clock=clock) is None
    # The third in the window [960, 1020) is refused until the window ends: 19 s later.
    assert rate_limit_hit("graded:7", limit=2, window=60, clock=clock) == 19

    (key,) = redis_cache.keys("*ratelimit:graded:7:*")
    assert int(redis_cache.get(key)) == 3
    assert 0 < redis_cache.ttl(key) <= 61  # cleaned up by Redis after the window
    # One INCR per hit and one EXPIRE per window, nothing else (the cache API's add + exists +
    # incr is 3 round trips per hit).
    calls = {k: v["calls"] for k, v in redis_cache.info("commandstats").items()}
    assert (calls.get("cmdstat_incrby"), calls.get("cmdstat_expire")) == (3, 1), calls
    assert "cmdstat_exists" not in calls and "cmdstat_set" not in calls, calls

    # Next window: counting starts again; the other user was never affected.
    assert rate_limit_hit("graded:7", limit=2, window=60, clock=clock) is None
    assert rate_limit_hit("graded:8", limit=2, window=60, clock=clock) is None


def test_two_web_processes_share_one_count(redis_cache: redis.Redis) -> None:
    clock = lambda: 5000.0  # noqa: E731  (window [4980, 5040))
    assert rate_limit_hit("practice:1", limit=2, window=60, clock=clock) is None
    (key,) = redis_cache.keys("*ratelimit:practice:1:*")
    redis_cache.incr(key)  # another web process counts one hit of the same student
    assert rate_limit_hit("practice:1", limit=2, window=60, clock=clock) == 40
