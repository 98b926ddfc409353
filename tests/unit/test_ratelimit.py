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


def test_without_redis_url_the_limit_is_per_process():
    from pump_assistant.ratelimit import SharedRateLimiter, rate_limiter

    limiter = rate_limiter(3, "rest_sender", "")
    assert isinstance(limiter, RateLimiter) and not isinstance(limiter, SharedRateLimiter)


def test_a_shared_limit_whose_redis_is_away_falls_back_to_its_own_buckets():
    from pump_assistant.ratelimit import rate_limiter

    limiter = rate_limiter(2, "rest_sender", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    decisions = [limiter.check("+15552220000").allowed for _ in range(3)]
    assert decisions == [True, True, False]
