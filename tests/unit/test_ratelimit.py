from __future__ import annotations

from pump_assistant.ratelimit import RateLimiter


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_burst_then_refusal_then_refill():
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.check("a").allowed for _ in range(4)] == [True, True, True, False]
    refused = limiter.check("a")
    assert not refused.allowed and refused.retry_after == 1
    clock.now += 1.0
    assert limiter.check("a").allowed
    assert limiter.check("b").allowed  # keys are independent


def test_zero_turns_the_limit_off():
    limiter = RateLimiter(per_minute=0)
    assert all(limiter.check("a").allowed for _ in range(1000))


def test_memory_is_bounded():
    limiter = RateLimiter(per_minute=1, max_keys=100)
    for i in range(1000):
        limiter.check(f"sender-{i}")
    assert len(limiter._buckets) == 100
