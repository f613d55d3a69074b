"""The relay never jams: a commit Kafka refuses for good is parked, its stream waits, every other stream flows;
an outage parks nothing; an operator's retry or resolve lets the stream flow again, in order."""
from __future__ import annotations

import asyncio
import contextlib

import pytest
from aiokafka.errors import KafkaConnectionError
from prometheus_client import REGISTRY

from contracts.envelope import Envelope
from services.plumbing.eventstore import Commit, StoreUnavailable
from services.plumbing.eventstore.memory import InMemoryEventStore
from services.plumbing.relay import Relay
from services.plumbing.tests.eventstore_contract import commit
from services.plumbing.tests.fakekafka import FakeBroker

TOPIC = "wegwijs.intake.question.v1"
BIG = 2_000_000


def sized(stream: str, version: int, blob: int = 0) -> Commit:
    c = commit(stream, version)
    if not blob:
        return c
    e = c.events[0]
    return c.model_copy(update={"events": (e.model_copy(update={"payload": {**e.payload, "blob": "x" * blob}}),)})


def routes(bad: dict[str, str] | None = None):
    def topic_of(envelope: Envelope) -> str:
        return (bad or {}).get(envelope.stream_id, TOPIC)
    return topic_of


def parked_total(name: str) -> float:
    return REGISTRY.get_sample_value("wegwijs_relay_parked_total", {"service": name}) or 0.0


async def drain(relay: Relay) -> None:
    while await relay.publish_pending():
        pass


@pytest.fixture
def store() -> InMemoryEventStore:
    return InMemoryEventStore(max_record_bytes=None)  # as an old release wrote: no door check


async def append(store: InMemoryEventStore, *commits: Commit) -> list[Commit]:
    return [await store.append(c) for c in commits]


async def test_a_too_large_commit_is_parked_its_stream_waits_and_every_other_stream_flows(store, request) -> None:
    broker = FakeBroker()
    relay = Relay(store, broker.producer, routes(), name=request.node.name)
    a1, *_ = await append(store, sized("a", 1, BIG), sized("b", 1), sized("a", 2), sized("b", 2), sized("c", 1))
    await drain(relay)
    assert broker.streams() == {"b": [1, 2], "c": [1]}
    [parked] = await store.parked()
    assert parked.commit_id == a1.commit_id and parked.error.startswith("MessageSizeTooLargeError")
    assert [c.first_version for c in await store.waiting("a")] == [1, 2]
    await append(store, sized("a", 3), sized("b", 3))
    await drain(relay)
    assert broker.streams() == {"b": [1, 2, 3], "c": [1]}, "a later commit of the parked stream waits too"
    assert parked_total(request.node.name) == 1


async def test_an_illegal_topic_is_parked_before_it_reaches_the_broker(store, request) -> None:
    broker = FakeBroker()
    relay = Relay(store, broker.producer, routes({"p": "wegwijs.partner.urn:org:1.referrals.v1"}),
                  name=request.node.name)
    await append(store, sized("p", 1), sized("q", 1), sized("p", 2))
    await drain(relay)
    assert broker.streams() == {"q": [1]} and "wegwijs.partner.urn:org:1.referrals.v1" not in broker.topics
    assert (await store.parked())[0].error.startswith("InvalidTopicError")


async def test_a_route_that_raises_is_parked(store, request) -> None:
    def topic_of(envelope: Envelope) -> str:
        return envelope.payload["organization_id"] if envelope.stream_id == "r" else TOPIC
    relay = Relay(store, FakeBroker().producer, topic_of, name=request.node.name)
    await append(store, sized("r", 1), sized("s", 1))
    await drain(relay)
    assert (await store.parked())[0].error.startswith("Unroutable")


async def test_a_refusal_by_the_broker_parks_only_the_refused_commit_and_keeps_order(store, request) -> None:
    broker = FakeBroker(producer_limit=BIG * 2, broker_limit=100_000)
    relay = Relay(store, broker.producer, routes(), name=request.node.name)
    streams = [f"s{i}" for i in range(12)]
    await append(store, sized("big", 1, 200_000), *[sized(s, 1) for s in streams], sized("big", 2),
                 *[sized(s, 2) for s in streams])
    await drain(relay)
    assert broker.streams() == {s: [1, 2] for s in streams}, "the refused batch's partition neighbours go alone"
    [parked] = await store.parked()
    assert parked.stream_id == "big" and parked.error.startswith("MessageSizeTooLargeError")
    assert parked_total(request.node.name) == 1


async def test_an_outage_parks_nothing_and_everything_is_published_once_back(store, request) -> None:
    broker = FakeBroker(down=True)
    relay = Relay(store, broker.producer, routes(), name=request.node.name)
    await append(store, sized("a", 1), sized("b", 1), sized("a", 2))
    with pytest.raises(KafkaConnectionError):
        await relay.publish_pending()
    assert await store.parked() == [] and len(await store.unpublished(10)) == 3
    broker.down = False
    await drain(relay)
    assert broker.streams() == {"a": [1, 2], "b": [1]} and parked_total(request.node.name) == 0


async def test_a_missing_topic_is_parked_only_when_the_broker_answers_without_it(store, request) -> None:
    broker = FakeBroker(auto_create=False, topics={TOPIC})
    relay = Relay(store, broker.producer, routes({"m": "wegwijs.missing.v1"}), name=request.node.name)
    await append(store, sized("m", 1), sized("n", 1))
    real_fetch = broker.producer().client.__class__.fetch_all_metadata

    async def unreachable(self):  # the broker took the send, but cannot be asked for its topics now
        raise KafkaConnectionError("metadata unreachable")
    broker.producer().client.__class__.fetch_all_metadata = unreachable
    try:
        with pytest.raises(Exception, match="UnknownTopicOrPartition"):
            await relay.publish_pending()
        assert await store.parked() == [], "no answer from the broker: an outage, not a refusal"
    finally:
        broker.producer().client.__class__.fetch_all_metadata = real_fetch
    await drain(relay)
    assert broker.streams() == {"n": [1]}
    assert (await store.parked())[0].error.startswith("UnknownTopicOrPartitionError")


async def test_a_retry_after_the_fix_publishes_the_parked_commit_then_the_waiting_ones_in_order(store, request
                                                                                                ) -> None:
    broker = FakeBroker()
    relay = Relay(store, broker.producer, routes(), name=request.node.name)
    await append(store, sized("a", 1, BIG), sized("a", 2), sized("b", 1))
    await drain(relay)
    await store.ask_retry("a")
    await relay.follow_operators(now=True)
    assert [p.retry_asked for p in await store.parked()] == [None], "refused again: parked anew, the request done"
    broker.producer_limit = broker.broker_limit = BIG * 2  # the fix: a larger limit, the broker's and the relay's
    await store.ask_retry("a")
    await relay.follow_operators(now=True)
    await append(store, sized("a", 3))
    await drain(relay)
    assert broker.streams() == {"b": [1], "a": [1, 2, 3]} and await store.parked() == []


async def test_a_retry_refused_again_parks_with_the_new_error(store, request) -> None:
    broker = FakeBroker()
    relay = Relay(store, broker.producer, routes(), name=request.node.name)
    await append(store, sized("a", 1), sized("a", 2, BIG))
    broker.down = True
    with contextlib.suppress(KafkaConnectionError):
        await relay.publish_pending()
    broker.down = False
    await drain(relay)
    assert broker.streams() == {"a": [1]}
    first = (await store.parked())[0]
    await store.ask_retry("a")
    await relay.follow_operators(now=True)
    again = (await store.parked())[0]
    assert again.commit_id == first.commit_id and again.retry_asked is None and again.since >= first.since


async def test_a_resolve_gives_up_on_the_parked_commit_and_its_stream_flows(store, request) -> None:
    broker = FakeBroker()
    relay = Relay(store, broker.producer, routes(), name=request.node.name)
    await append(store, sized("a", 1, BIG), sized("a", 2), sized("b", 1))
    await drain(relay)
    await store.resolve("a", "the record was replaced by a smaller one", "ops-1")
    await relay.follow_operators(now=True)
    await drain(relay)
    assert broker.streams() == {"b": [1], "a": [2]}, "version 1 is never published: consumers see a gap"


async def test_the_running_relay_goes_on_past_a_parked_commit(store, request) -> None:
    broker = FakeBroker()
    relay = Relay(store, broker.producer, routes(), poll_seconds=0.05, name=request.node.name)
    task = asyncio.create_task(relay.run())
    try:
        await append(store, sized("a", 1, BIG), *[sized(f"g{i}", 1) for i in range(50)])
        relay.notify()
        for _ in range(100):
            if len(broker.log) == 50:
                break
            await asyncio.sleep(0.02)
        assert len(broker.log) == 50 and len(await store.parked()) == 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_database_that_is_down_while_the_relay_reads_parked_commits_stops_nothing_for_good(store, request
                                                                                                   ) -> None:
    broker, failures = FakeBroker(), [StoreUnavailable("database down")] * 3
    real_parked = store.parked

    async def flaky_parked():
        if failures:
            raise failures.pop()
        return await real_parked()
    store.parked = flaky_parked
    relay = Relay(store, broker.producer, routes(), poll_seconds=0.01, name=request.node.name)
    await append(store, sized("a", 1))
    task = asyncio.create_task(relay.run())
    try:
        for _ in range(200):
            if broker.log:
                break
            await asyncio.sleep(0.02)
        assert broker.streams() == {"a": [1]} and not failures
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
