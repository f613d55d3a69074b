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
from pymongo.errors import AutoReconnect

from services.plumbing.eventstore import StoreUnavailable
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


class GoneAway:
    """The commits collection as a database that goes away in the midst of an insert: `taken` says whether the
    insert was stored before the answer was lost; `finds` fail too while `answering` is False."""

    def __init__(self, commits: Any, taken: bool) -> None:
        self._commits, self.taken, self.answering = commits, taken, True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._commits, name)

    async def insert_one(self, doc: Any, *args: Any, **kwargs: Any) -> Any:
        if self.taken:
            await self._commits.insert_one(doc, *args, **kwargs)
        self.answering = False
        raise AutoReconnect("connection closed")

    def find(self, *args: Any, **kwargs: Any) -> Any:
        cursor, outer = self._commits.find(*args, **kwargs), self

        class Cursor:
            async def to_list(self, *a: Any) -> list[Any]:
                if not outer.answering:
                    raise AutoReconnect("connection refused")
                return await cursor.to_list(*a)
        return Cursor()


async def _scanned(mongo: Any, settings: Any) -> MongoEventStore:
    store = MongoEventStore(mongo, settings.database("intake"))
    await store.create_indexes()
    assert await store.unpublished(10) == []  # the start's scan is behind it: what follows is the running queue
    return store


@pytest.mark.parametrize("taken", [True, False], ids=["stored", "not stored"])
async def test_an_insert_whose_answer_was_lost_is_published_only_if_it_was_stored(mongo, settings, taken) -> None:
    """Found by tests/faults (FerretDB stopped for 10 s): an insert the database took as it went away answered
    UNAVAILABLE, so the commit was never queued; its command's retry was answered from the stored commit — an
    acknowledged question whose events never reached Kafka while the process lived."""
    store = await _scanned(mongo, settings)
    flowing = await store.append(commit("q-flowing"))
    store._commits = gone = GoneAway(store._commits, taken)  # type: ignore[assignment]
    doubtful = commit("q-doubtful", command_id="cmd-doubtful")
    with pytest.raises(StoreUnavailable):
        await store.append(doubtful)
    # while the database does not answer, the other streams flow and the one in doubt waits
    assert [c.commit_id for c in await store.unpublished(10)] == [flowing.commit_id]
    gone.answering = True
    expected = [flowing.commit_id, doubtful.commit_id] if taken else [flowing.commit_id]
    assert [c.commit_id for c in await store.unpublished(10)] == expected
    store._commits = gone._commits  # type: ignore[assignment]
    again = await store.append(commit("q-doubtful", command_id="cmd-doubtful"))  # the caller's retry
    assert (again.commit_id == doubtful.commit_id) is taken
    assert [c.commit_id for c in await store.unpublished(10)] == [flowing.commit_id, again.commit_id]


async def test_a_retry_answered_by_an_unpublished_commit_not_queued_here_queues_it(mongo, settings) -> None:
    """The earlier attempt's commit was stored without this queue knowing it (its answer lost, the doubt settled
    while it was not there yet): the retry that finds it queues it, first, unless it was published."""
    store = await _scanned(mongo, settings)
    other = MongoEventStore(mongo, settings.database("intake"))
    await other.append(commit("q-seen", command_id="cmd-seen"))
    second = await other.append(commit("q-seen", 2, command_id="cmd-seen-2"))  # a marker, found by by_command
    later = await store.append(commit("q-later"))
    found = await store.by_command("cmd-seen-2", tenant="kortrijk")
    assert found is not None and found.commit_id == second.commit_id
    again = await store.append(commit("q-retried", command_id="cmd-seen"))  # refused by the unique index
    assert [c.commit_id for c in await store.unpublished(10)] == [again.commit_id, second.commit_id,
                                                                  later.commit_id]
    await store.mark_published([again.commit_id, second.commit_id, later.commit_id])
    assert (await store.by_command("cmd-seen-2", tenant="kortrijk")).commit_id == second.commit_id
    assert await store.unpublished(10) == []  # published: not queued again
