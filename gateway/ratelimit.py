"""Fixed-window rate limits in Redis: one counter a key and window, gone when the window ends.

Fixed windows allow up to twice the limit across a window boundary; for flood protection that
is good enough, and it costs one round trip (INCR + EXPIRE in a pipeline) per request.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError

from gateway.channels import Limit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends (0 when allowed)


def hit(redis: Redis, name: str, limit: Limit, now: float | None = None) -> Verdict:
    """Count one event for `name` and say whether it is within `limit`.

    When Redis cannot be reached the event is allowed: the limit protects the service, and
    refusing every citizen because the counter store is down would be the bigger harm.
    """
    now = time.time() if now is None else now
    window = int(now) // limit.seconds
    key = f"rl:{name}:{window}"
    try:
        pipe = redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, limit.seconds + 1)
        count = int(pipe.execute()[0])
    except RedisError as exc:
        log.warning("rate limit %s not checked, Redis unavailable: %s", name, exc)
        return Verdict(True, 0, 0)
    if count > limit.count:
        return Verdict(False, count, max(1, (window + 1) * limit.seconds - int(now)))
    return Verdict(True, count, 0)


def peek(redis: Redis, name: str, limit: Limit, now: float | None = None) -> int:
    """The count so far in the current window, without adding to it (0 when Redis is down)."""
    now = time.time() if now is None else now
    try:
        return int(redis.get(f"rl:{name}:{int(now) // limit.seconds}") or 0)
    except RedisError:
        return 0
