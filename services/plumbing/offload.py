"""CPU-heavy work off the event loop, stoppable: health, other calls, the relay and consumers keep running meanwhile.

The work runs in a worker thread and is handed a `Stop` it checks between items: when the awaiting call is
cancelled (client deadline, cancellation, SIGTERM's drain ending) the thread ends at its next check instead of
running on, so a process can always stop.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Stopped(Exception):
    """The work was stopped before it finished (its caller went away)."""


class Stop:
    """Set by the awaiting side; checked by the work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def check(self) -> None:
        if self._event.is_set():
            raise Stopped("stopped: the call was cancelled or its deadline passed")


NEVER = Stop()  # for callers running the work directly (tests, the CLI)


async def run(work: Callable[[Stop], T]) -> T:
    """`work(stop)` in a worker thread; cancelling this await stops the work at its next `stop.check()`."""
    stop = Stop()
    try:
        return await asyncio.to_thread(work, stop)
    except asyncio.CancelledError:
        stop.set()
        raise
