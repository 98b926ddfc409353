"""Rate limits shared by every instance through the real Redis on loopback."""
from __future__ import annotations

import uuid

import pytest

from pump_assistant.ratelimit import RateLimiter, SharedRateLimiter, rate_limiter

pytestmark = pytest.mark.services

REDIS_URL = "redis://127.0.0.1:6379/0"


def test_two_instances_draw_from_one_bucket():
    name = f"test-{uuid.uuid4().hex[:8]}"
    first, second = rate_limiter(6, name, REDIS_URL), rate_limiter(6, name, REDIS_URL)
    assert isinstance(first, SharedRateLimiter)
    sender = "+15552220000"
    decisions = [(first if i % 2 else second).check(sender).allowed for i in range(8)]
    assert decisions == [True] * 6 + [False] * 2  # the limit once for the deployment, not once per instance
    refused = first.check(sender)
    assert not refused.allowed and 1 <= refused.retry_after <= 10
    assert second.check("+15552220001").allowed  # another sender has its own bucket


def test_the_shared_bucket_refills_at_the_same_rate_as_the_local_one():
    now = [1_000_000.0]
    name = f"test-{uuid.uuid4().hex[:8]}"
    import redis

    shared = SharedRateLimiter(60, redis.Redis.from_url(REDIS_URL), name, burst=2, clock=lambda: now[0])
    local = RateLimiter(60, burst=2, clock=lambda: now[0])
    pattern = []
    for step in range(6):
        pattern.append((shared.check("k").allowed, local.check("k").allowed))
        now[0] += 0.5  # one token a second
    assert [s for s, _ in pattern] == [l for _, l in pattern]
