"""A retried creation is answered even when finding its first commit takes longer than the caller's deadline.

Found by tests/faults: after a database outage or an intake kill, a retried RegisterQuestion whose first attempt
was stored had to scan the commits (FerretDB answers no filter but `_id` from an index): about 3 s on 4,000 commits
of a loaded machine, twice per RegisterQuestion (its client and its question), so every retry hit its 5 s deadline,
was cut, and the next one scanned again — the command could never be acknowledged. The scan now runs to its end when
the call is cut, restores the marker, and the next retry is answered from it.
"""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.plumbing.eventstore.mongo import MongoEventStore
from services.plumbing.tests.eventstore_contract import commit

pytestmark = pytest.mark.integration
SCAN = 0.5  # seconds a scan of the commits takes here


class SlowScans:
    """The commits collection, its filtered finds (the scans) slowed down by SCAN seconds; `started` is set by each."""

    def __init__(self, commits: Any) -> None:
        self._commits, self.scans, self.started = commits, 0, asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._commits, name)

    def find(self, *args: Any, **kwargs: Any) -> Any:
        cursor, outer = self._commits.find(*args, **kwargs), self
        outer.scans += 1

        class Slow:
            async def to_list(self, *a: Any) -> list[Any]:
                outer.started.set()
                await asyncio.sleep(SCAN)
                return await cursor.to_list(*a)
        return Slow()


async def test_a_retry_cut_while_scanning_leaves_the_marker_for_the_next_one(mongo, settings) -> None:
    store = MongoEventStore(mongo, settings.database("intake"))
    await store.create_indexes()
    first = await store.append(commit("q-first", command_id="cmd-slow"))  # a creation: no command marker
    store._commits = slow = SlowScans(store._commits)  # type: ignore[assignment]
    retry = asyncio.create_task(store.append(commit("q-retry", command_id="cmd-slow")))
    await slow.started.wait()
    retry.cancel()  # the caller's deadline, in the midst of the scan
    with pytest.raises(asyncio.CancelledError):
        await retry
    async with asyncio.timeout(30):
        while getattr(store, "_scans", None):  # the scan goes on after the call was cut
            await asyncio.sleep(0.05)
    again = await store.append(commit("q-retry", command_id="cmd-slow"))
    assert again.commit_id == first.commit_id
    assert slow.scans == 1  # answered from the restored marker, not by another scan the next deadline would cut
