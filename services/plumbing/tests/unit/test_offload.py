"""Work off the event loop: a thread that stops when its call is cancelled, worker processes sharing no GIL."""
from __future__ import annotations

import asyncio
import os
import threading
import time

import pytest

from services.plumbing import offload
from services.plumbing.errors import InvalidArgument


def refuse(field: str) -> None:
    raise InvalidArgument(field, "too many")


async def test_cancelling_the_call_stops_the_threads_work_at_its_next_check() -> None:
    started, ended = threading.Event(), threading.Event()

    def work(stop: offload.Stop) -> None:
        started.set()
        try:
            while True:
                stop.check()
                time.sleep(0.01)
        finally:
            ended.set()
    call = asyncio.ensure_future(offload.run(work))
    await asyncio.to_thread(started.wait, 5)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert await asyncio.to_thread(ended.wait, 2)


async def test_worker_processes_answer_raise_the_callers_errors_and_close() -> None:
    processes = offload.Processes(1)
    try:
        assert await processes.run(os.getpid) != os.getpid()
        with pytest.raises(InvalidArgument) as caught:
            await processes.run(refuse, "document")
        assert (caught.value.field, caught.value.reason) == ("document", "too many")
    finally:
        processes.close()
