"""Keeping the dashboard up when our own code fails on something the network sent.

Handlers of engine messages and the once-a-second tick run on data from outside; a bug there
should cost one update and show a notice, not end a dashboard that has been up for days.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["contained"]

log = logging.getLogger("cfdash.tui")

F = TypeVar("F", bound=Callable[..., Any])


def contained(handler: F) -> F:
    """Log and notify an exception from ``handler`` (a widget method) instead of raising it."""

    @functools.wraps(handler)
    def wrapper(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return handler(self, *args, **kwargs)
        except Exception as error:
            log.exception("%s failed", handler.__qualname__)
            self.notify(
                f"{type(error).__name__} in {handler.__name__}; the dashboard carries on.",
                title="Unexpected error (details in the log)",
                severity="error",
                timeout=20,
            )
            return None

    return wrapper  # type: ignore[return-value]
