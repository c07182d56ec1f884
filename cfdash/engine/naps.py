"""How the engine's loops wait: an injected sleep that a refresh can cut short.

The sleep is a parameter, as ``Watcher``'s is, so tests step a fake one on the simulator's fake
clock and check a schedule exactly instead of counting requests over wall time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

__all__ = ["Sleep", "nap"]

#: ``asyncio.sleep`` or a stand-in: called with the seconds to wait.
Sleep = Callable[[float], Awaitable[object]]


async def nap(sleep: Sleep, delay: float, wake: asyncio.Event) -> None:
    """Wait ``delay`` seconds with ``sleep``, or less if ``wake`` is set meanwhile."""
    sleeping = asyncio.ensure_future(sleep(delay))
    woken = asyncio.ensure_future(wake.wait())
    try:
        await asyncio.wait((sleeping, woken), return_when=asyncio.FIRST_COMPLETED)
    finally:
        sleeping.cancel()
        woken.cancel()
    if sleeping.done() and not sleeping.cancelled():
        sleeping.result()  # a sleep that failed says so rather than spinning the loop
