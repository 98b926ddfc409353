"""Staff sign-in throttling: failed sign-ins counted per account and per client address.

After ``max_failures`` failed sign-ins for one account (``max_failures_per_ip``
from one address) within ``window_seconds``, every sign-in for that account
(from that address) is refused for ``lockout_seconds``, the right password
included; the password is not even checked while locked. A successful sign-in
clears the account's count. An address's count is not cleared by a success (a
guesser with one valid account could otherwise reset it) and simply expires
with its window.

With ``REDIS_URL`` set the counts and locks live in Redis, so every web service
instance sees the same ones and exactly one instance reports each lockout;
without it (or while Redis is unreachable) they live in the process, bounded in
memory like :class:`pump_assistant.ratelimit.RateLimiter`'s buckets.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from pump_assistant.ratelimit import Decision

logger = logging.getLogger(__name__)

LOCKED_MESSAGE = (
    "Too many failed sign-ins. Sign-in is locked for {minutes}; try again later "
    "or ask a colleague with an administrator account to check your account."
)
USERNAME_KEY_CHARS = 64  # no account name is longer (storage.staff)


@dataclass(frozen=True)
class Lockout:
    """A lock that a failed sign-in has just set (written to the audit log)."""

    kind: str  # "account" | "ip"
    subject: str  # the username or the address
    failures: int
    seconds: int


def locked_message(retry_after: int) -> str:
    minutes = max(1, math.ceil(retry_after / 60))
    return LOCKED_MESSAGE.format(minutes=f"{minutes} minute{'s' if minutes != 1 else ''}")


class MemoryCounts:
    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 50_000):
        self._clock = clock
        self._max_keys = max_keys
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._locks: OrderedDict[str, float] = OrderedDict()

    def locked_for(self, key: str) -> int:
        until = self._locks.get(key)
        if until is None:
            return 0
        left = until - self._clock()
        if left <= 0:
            del self._locks[key]
            return 0
        return max(1, math.ceil(left))

    def add_failure(self, key: str, limit: int, window: int, lockout: int) -> int | None:
        """Count one failure; returns the count when it has just locked the key, else None."""
        now = self._clock()
        count, started = self._failures.pop(key, (0, now))
        if now - started >= window:
            count, started = 0, now
        count += 1
        if count >= limit:
            self._locks.pop(key, None)
            self._locks[key] = now + lockout
            self._trim(self._locks)
            return count
        self._failures[key] = (count, started)
        self._trim(self._failures)
        return None

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)

    def _trim(self, table: OrderedDict) -> None:
        while len(table) > self._max_keys:
            table.popitem(last=False)


class RedisCounts:
    """The same operations on Redis; a lock is taken with SET NX, so one instance reports it."""

    def __init__(self, client, prefix: str = "pump:login"):
        self._redis = client
        self._prefix = prefix

    def _keys(self, key: str) -> tuple[str, str]:
        return f"{self._prefix}:failures:{key}", f"{self._prefix}:lock:{key}"

    def locked_for(self, key: str) -> int:
        ttl = self._redis.ttl(self._keys(key)[1])
        return int(ttl) if ttl and ttl > 0 else 0

    def add_failure(self, key: str, limit: int, window: int, lockout: int) -> int | None:
        failures, lock = self._keys(key)
        pipe = self._redis.pipeline(transaction=True)
        pipe.set(failures, 0, ex=window, nx=True)  # the window starts at the first failure
        pipe.incr(failures)  # INCR keeps the key's expiry
        count = int(pipe.execute()[1])
        if count < limit:
            return None
        self._redis.delete(failures)
        return count if self._redis.set(lock, count, ex=lockout, nx=True) else None

    def clear(self, key: str) -> None:
        self._redis.delete(self._keys(key)[0])


class LoginThrottle:
    def __init__(
        self,
        *,
        max_failures: int = 5,
        max_failures_per_ip: int = 20,
        window_seconds: int = 900,
        lockout_seconds: int = 900,
        redis_client=None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_failures = max_failures
        self.max_failures_per_ip = max_failures_per_ip
        self.window_seconds = max(1, int(window_seconds))
        self.lockout_seconds = max(1, int(lockout_seconds))
        self._memory = MemoryCounts(clock)
        self._redis = RedisCounts(redis_client) if redis_client is not None else None

    @classmethod
    def from_settings(cls, settings) -> LoginThrottle:
        client = None
        if settings.redis_url:
            import redis

            # Short timeouts: a slow Redis must not hold up sign-in (the process's own counts take over).
            client = redis.Redis.from_url(settings.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
        return cls(
            max_failures=settings.login_max_failures,
            max_failures_per_ip=settings.login_max_failures_per_ip,
            window_seconds=settings.login_failure_window_seconds,
            lockout_seconds=settings.login_lockout_seconds,
            redis_client=client,
        )

    # -- keys --------------------------------------------------------------
    @staticmethod
    def _account(username: str) -> str:
        return "account:" + username.strip().lower()[:USERNAME_KEY_CHARS]

    @staticmethod
    def _ip(address: str) -> str:
        return "ip:" + (address or "unknown")

    def _limits(self, username: str, address: str) -> list[tuple[str, str, str, int]]:
        limits = []
        if self.max_failures > 0:
            limits.append(
                ("account", username.strip().lower()[:USERNAME_KEY_CHARS], self._account(username), self.max_failures)
            )
        if self.max_failures_per_ip > 0:
            limits.append(("ip", address or "unknown", self._ip(address), self.max_failures_per_ip))
        return limits

    def _call(self, operation: str, *args):
        if self._redis is not None:
            try:
                return getattr(self._redis, operation)(*args)
            except Exception as exc:  # redis.RedisError, OSError: count in this process meanwhile
                logger.warning("sign-in throttle: Redis unavailable (%s); counting in this process", type(exc).__name__)
        return getattr(self._memory, operation)(*args)

    # -- the three moments of a sign-in -------------------------------------
    def check(self, username: str, address: str) -> Decision:
        """Before the password is checked: refused while the account or the address is locked."""
        waits = [self._call("locked_for", key) for _, _, key, _ in self._limits(username, address)]
        wait = max(waits, default=0)
        return Decision(False, retry_after=wait) if wait > 0 else Decision(True)

    def failed(self, username: str, address: str) -> list[Lockout]:
        """A wrong password: count it; returns the locks this failure has just set."""
        locked = []
        for kind, subject, key, limit in self._limits(username, address):
            count = self._call("add_failure", key, limit, self.window_seconds, self.lockout_seconds)
            if count is not None:
                locked.append(Lockout(kind, subject, count, self.lockout_seconds))
        return locked

    def succeeded(self, username: str) -> None:
        self._call("clear", self._account(username))
