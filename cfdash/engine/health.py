"""Per-account health and the backoff that decides when an account is polled next.

Failures back off exponentially with full jitter (so a fleet of dashboards does not stampede a
recovering service), ``Retry-After`` wins when the server gives one, and rejected credentials
stop polling until the user retries — or, at most, once every five minutes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from cfdash.api.errors import AuthError, ClanforgeError, RateLimitedError

__all__ = ["AUTH_RETRY", "BACKOFF_CAP", "AccountHealth", "Backoff", "HealthState"]

HealthState = Literal["waiting", "ok", "backoff", "auth", "paused"]

BACKOFF_CAP = 60.0
AUTH_RETRY = 300.0


@dataclass
class AccountHealth:
    """What the header says about one account."""

    account: str
    state: HealthState = "waiting"
    reason: str = ""
    last_success: float | None = None
    next_poll: float | None = None
    failures: int = 0
    #: Items of the last status list read that could not be read whole: left out (no
    #: readable job id) or shown without some fields. Nothing else says the former exist.
    bad_items: int = 0

    @property
    def summary(self) -> str:
        """A few words: ``ok``, ``credentials rejected``, ``unreachable (retry in 8s)``."""
        if self.state == "ok":
            return "ok"
        if self.state == "waiting":
            return "connecting"
        if self.state == "paused":
            return "paused"
        return self.reason or self.state


class Backoff:
    """Delay before the next poll of one account, given its run of failures."""

    def __init__(
        self,
        interval: float,
        *,
        cap: float = BACKOFF_CAP,
        rng: random.Random | None = None,
    ) -> None:
        self.interval = interval
        self.cap = max(cap, interval)
        self._rng = rng or random.Random()

    def delay(self, failures: int, error: ClanforgeError | None = None) -> float:
        """Seconds to wait; ``failures`` counts consecutive failed polls, this one included."""
        if failures <= 0 or error is None:
            return self.interval
        if isinstance(error, AuthError):
            return AUTH_RETRY
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            return max(error.retry_after, self.interval)
        # Full jitter: uniform in [interval, min(cap, interval * 2**failures)].
        ceiling = min(self.cap, self.interval * (2 ** min(failures, 16)))
        return self._rng.uniform(self.interval, max(self.interval, ceiling))
