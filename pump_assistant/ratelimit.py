"""Token-bucket rate limits for the public endpoints (per sender, per IP address).

Counters live in the process: with several Rasa instances behind a sticky load
balancer each instance enforces the limit for the clients routed to it, which
is what the limit is for (one runaway client must not starve the others).
"""
from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable


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


TOO_MANY_MESSAGE = "Too many messages in a short time. Please wait a moment and try again."
