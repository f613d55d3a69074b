"""CPU-heavy work off the event loop, stoppable: health, other calls, the relay and consumers keep running meanwhile.

`run` uses a worker thread (cheap, for work of milliseconds); `Processes` worker processes (for work long enough that
a thread holding the GIL would be felt by the loop, such as parsing an HSDS import).

The work runs in a worker thread and is handed a `Stop` it checks between items: when the awaiting call is
cancelled (client deadline, cancellation, SIGTERM's drain ending) the thread ends at its next check instead of
running on, so a process can always stop.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.pool
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


class Processes:
    """Worker processes for CPU-heavy pure functions: unlike a thread, they share no GIL with the event loop, so a
    long `json.loads` or schema validation cannot delay health or other calls. Started on first use (spawn: the
    service's own process forks nothing); `close` ends them at once (SIGTERM), whatever they are doing. A cancelled
    call's work runs to its end in its worker (it is bounded by the caller's limits); its answer is dropped."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: multiprocessing.pool.Pool | None = None

    async def run(self, work: Callable[..., T], *args: object) -> T:
        if self._pool is None:
            self._pool = multiprocessing.get_context("spawn").Pool(self.workers)
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[T] = loop.create_future()

        def settle(value: object = None, error: BaseException | None = None) -> None:
            if answer.done():
                return
            if error is not None:
                answer.set_exception(error)
            else:
                answer.set_result(value)  # type: ignore[arg-type]

        self._pool.apply_async(work, args, callback=lambda v: loop.call_soon_threadsafe(settle, v),
                               error_callback=lambda e: loop.call_soon_threadsafe(settle, None, e))
        return await answer

    async def warm(self, work: Callable[..., object], *args: object) -> None:
        """Start the workers and have each import what `work(*args)` needs, before the first real call."""
        await asyncio.gather(*(self.run(work, *args) for _ in range(self.workers)), return_exceptions=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None
