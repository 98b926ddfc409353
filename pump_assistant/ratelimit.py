"""Token-bucket rate limits for the public endpoints (per sender, per IP address).

Without ``REDIS_URL`` the buckets live in the process. With it, every instance
(several Rasa instances, several web services) draws from the same bucket in
Redis, so N instances still allow the limit once, not N times: the same token
bucket, updated atomically by a Lua script. If Redis cannot be reached the
instance falls back to its own buckets rather than refusing or waving everyone
through.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Decision:
    allowed: bool
    retry_after: int = 0


class RateLimiter:
    """At most ``per_minute`` requests per key per minute, with bursts up to ``burst``.

    ``per_minute <= 0`` turns the limit off. Memory is bounded: the least recently
    seen keys are forgotten first (a forgotten key simply starts with a full bucket).
    """

    def __init__(
        self,
        per_minute: int,
        burst: int | None = None,
        max_keys: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.per_minute = per_minute
        self.capacity = float(burst if burst is not None else max(per_minute, 1))
        self._rate = per_minute / 60.0
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def check(self, key: str) -> Decision:
        if not self.enabled:
            return Decision(True)
        now = self._clock()
        tokens, last = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self._rate)
        if tokens >= 1.0:
            self._remember(key, tokens - 1.0, now)
            return Decision(True)
        self._remember(key, tokens, now)
        return Decision(False, retry_after=max(1, math.ceil((1.0 - tokens) / self._rate)))

    def _remember(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)


# KEYS[1] the bucket; ARGV: capacity, tokens per second, now (seconds), key lifetime (seconds).
# Returns {allowed (0/1), seconds to wait}.
_BUCKET_SCRIPT = """
local capacity, rate, now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]), tonumber(state[2])
if tokens == nil then tokens, at = capacity, now end
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local allowed, wait = 0, 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], ttl)
return {allowed, wait}
"""


class SharedRateLimiter(RateLimiter):
    """The same token bucket, kept in Redis so every instance shares it."""

    def __init__(
        self,
        per_minute: int,
        client,
        name: str,
        burst: int | None = None,
        clock: Callable[[], float] = time.time,
        **kwargs,
    ):
        super().__init__(per_minute, burst, clock=time.monotonic, **kwargs)
        self._client = client
        self._prefix = f"pump:ratelimit:{name}:"
        self._wall_clock = clock
        self._script = client.register_script(_BUCKET_SCRIPT)
        # A full bucket refills in capacity / rate seconds; after that an idle key can go.
        self._ttl = max(60, math.ceil(self.capacity / self._rate)) if self.per_minute > 0 else 60

    def check(self, key: str) -> Decision:
        if not self.enabled:
            return Decision(True)
        try:
            allowed, wait = self._script(
                keys=[self._prefix + key], args=[self.capacity, self._rate, self._wall_clock(), self._ttl]
            )
        except Exception:  # Redis away: this instance's own buckets, until it is back
            return super().check(key)
        return Decision(True) if int(allowed) else Decision(False, retry_after=max(1, int(wait)))


def rate_limiter(per_minute: int, name: str, redis_url: str = "", burst: int | None = None) -> RateLimiter:
    """The limiter for one endpoint's keys: shared in Redis when ``redis_url`` is set, else per process."""
    if not redis_url or per_minute <= 0:
        return RateLimiter(per_minute, burst)
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return SharedRateLimiter(per_minute, client, name, burst)


TOO_MANY_MESSAGE = "Too many messages in a short time. Please wait a moment and try again."
