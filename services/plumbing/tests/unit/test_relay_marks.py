"""What the broker acknowledged is sent once: when the database cannot take the mark (it is away), the relay marks
the same commits when it is back and never sends them again (found by tests/faults: a 10 s FerretDB outage put
every commit of the batch in flight on Kafka once per retry)."""
from __future__ import annotations

import asyncio
from collections import Counter

from services.plumbing.eventstore import StoreUnavailable
from services.plumbing.eventstore.memory import InMemoryEventStore
from services.plumbing.relay import Relay
from services.plumbing.tests.eventstore_contract import commit
from services.plumbing.tests.fakekafka import FakeBroker

TOPIC = "wegwijs.intake.question.v1"


class MarksFailing(InMemoryEventStore):
    """An event store whose database is away for the next `failures` marks."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def mark_published(self, commit_ids):  # type: ignore[no-untyped-def]
        if self.failures:
            self.failures -= 1
            raise StoreUnavailable("database away")
        await super().mark_published(commit_ids)


async def test_commits_acknowledged_while_the_mark_fails_are_marked_later_and_sent_once() -> None:
    store, broker = MarksFailing(failures=3), FakeBroker()
    relay = Relay(store, broker.producer, lambda e: TOPIC, poll_seconds=0.01)
    for c in (commit("a", 1), commit("b", 1), commit("a", 2)):
        await store.append(c)
    task = asyncio.create_task(relay.run())
    try:
        for _ in range(300):
            if not await store.unpublished(10):
                break
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert not await store.unpublished(10) and store.failures == 0
    assert Counter(e.event_id for _, e in broker.log).most_common(1)[0][1] == 1, "an acknowledged event sent again"
    assert broker.streams() == {"a": [1, 2], "b": [1]}


async def test_a_mark_still_failing_sends_nothing_new() -> None:
    store, broker = MarksFailing(failures=1), FakeBroker()
    relay = Relay(store, broker.producer, lambda e: TOPIC)
    await store.append(commit("a", 1))
    try:
        await relay.publish_pending()
    except StoreUnavailable:
        pass
    await store.append(commit("b", 1))
    store.failures = 1
    try:
        await relay.publish_pending()  # the mark of a's commit fails again: b waits for the database too
    except StoreUnavailable:
        pass
    assert broker.streams() == {"a": [1]}
    while await relay.publish_pending():
        pass
    assert broker.streams() == {"a": [1], "b": [1]}
