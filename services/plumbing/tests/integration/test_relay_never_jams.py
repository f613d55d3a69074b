"""Against the real Kafka and FerretDB: one record too large for Kafka and one routed to a topic Kafka cannot have,
among a thousand good ones of two municipalities. Every good one arrives in per-stream order, the two are parked
with their errors, and after a fix (a larger limit, the route corrected) `wegwijs relay retry` publishes them and
the commits that waited behind them, in order."""
from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from contracts import topics
from contracts.envelope import Envelope
from services.cli import app
from services.plumbing import kafka
from services.plumbing.eventstore import Commit
from services.plumbing.eventstore.mongo import MongoEventStore
from services.plumbing.relay import Relay
from services.plumbing.settings import Settings
from services.plumbing.tests.eventstore_contract import commit

pytestmark = pytest.mark.integration

SERVICE = "catalogue"
GOOD = "wegwijs.catalogue.service.v1"
PARTNER = "urn:kortrijk:ocmw"  # a catalogue id with ':'
BIG_BYTES = 1_500_000  # above the producer's and the broker's 1 MiB
LARGER = 4 * 1024 * 1024


def with_payload(c: Commit, **extra: Any) -> Commit:
    e = c.events[0]
    return c.model_copy(update={"events": (e.model_copy(update={"payload": {**e.payload, **extra}}),)})


def route(settings: Settings, partner_topic: Callable[[str], str]) -> Callable[[Envelope], str]:
    def topic_of(envelope: Envelope) -> str:
        if "organization_id" in envelope.payload:
            return settings.topic(partner_topic(envelope.payload["organization_id"]))
        return settings.topic(GOOD)
    return topic_of


def old_route(organization_id: str) -> str:
    """The partner topic as a release before contracts.topics made names legal spelled it."""
    return topics.PARTNER_REFERRALS.format(organization_id=organization_id)


@contextlib.asynccontextmanager
async def running(relay: Relay) -> AsyncIterator[Relay]:
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def read(settings: Settings, topic: str, expected: int, timeout: float = 60.0) -> list[Envelope]:
    """Every event on `topic` from the start, once `expected` have arrived (or the timeout passed)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=settings.kafka_bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, fetch_max_bytes=16 * 1024 * 1024,
                                max_partition_fetch_bytes=8 * 1024 * 1024)
    await consumer.start()
    got: list[Envelope] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(got) < expected and asyncio.get_running_loop().time() < deadline:
            for messages in (await consumer.getmany(timeout_ms=500)).values():
                got.extend(Envelope.from_bytes(m.value) for m in messages)
    finally:
        await consumer.stop()
    return got


def versions(events: list[Envelope]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for e in events:
        out.setdefault(e.stream_id, []).append(e.stream_version)
    return out


async def cli(settings: Settings, *args: str) -> Any:
    """`wegwijs relay …` as an operator runs it, against this test's database."""
    env = {**os.environ, "WEGWIJS_DB_PREFIX": settings.db_prefix, "WEGWIJS_MONGO_URL": settings.mongo_url}
    return await asyncio.to_thread(CliRunner().invoke, app, ["relay", *args], env=env)


async def raise_topic_limit(settings: Settings, topic: str, limit: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic,
                                                  configs={"max.message.bytes": str(limit)})])
    finally:
        await admin.close()


async def test_two_refused_records_among_a_thousand_park_alone_and_a_retry_after_the_fix_publishes_them(
        mongo, settings) -> None:
    name = f"{SERVICE}-{settings.db_prefix}"
    database = settings.database(SERVICE)
    old_release = MongoEventStore(mongo, database, max_record_bytes=None)  # no door check, as an old release
    await kafka.ensure_topics(settings, [settings.topic(GOOD)])
    good_streams = [(f"svc-{t}-{i}", t) for i in range(50) for t in ("brugge", "kortrijk")]
    for version in range(1, 11):  # 100 streams x 10 commits = 1,000 good commits, streams interleaved
        for stream, tenant in good_streams:
            await old_release.append(commit(stream, version, tenant=tenant))
            if version == 1 and stream == "svc-kortrijk-10":
                await old_release.append(with_payload(commit("svc-big", 1, tenant="kortrijk"),
                                                      hsds_extra={"notes": "x" * BIG_BYTES}))
                await old_release.append(with_payload(commit("ref-1", 1, tenant="kortrijk"),
                                                      organization_id=PARTNER))
        if version in (2, 3):
            await old_release.append(commit("svc-big", version, tenant="kortrijk"))
        if version == 2:
            await old_release.append(with_payload(commit("ref-1", 2, tenant="kortrijk"), organization_id=PARTNER))

    store = MongoEventStore(mongo, database, settings.kafka_max_message_bytes)  # the service, restarted
    relay = Relay(store, lambda: kafka.producer(settings, "relay-test"), route(settings, old_route),
                  poll_seconds=0.2, name=name)
    async with running(relay):
        arrived = await read(settings, settings.topic(GOOD), 1000)
        for _ in range(50):
            if len(await store.parked()) == 2:
                break
            await asyncio.sleep(0.2)
    assert len(arrived) == 1000
    assert versions(arrived) == {stream: list(range(1, 11)) for stream, _ in good_streams}, "per-stream order"
    parked = {p.stream_id: p for p in await store.parked()}
    assert set(parked) == {"svc-big", "ref-1"}
    assert parked["svc-big"].error.startswith("MessageSizeTooLargeError") and parked["svc-big"].first_version == 1
    assert parked["ref-1"].error.startswith("InvalidTopicError") and "urn:kortrijk:ocmw" in parked["ref-1"].error
    assert REGISTRY.get_sample_value("wegwijs_relay_parked_total", {"service": name}) == 2
    listed = await cli(settings, "parked", SERVICE)
    assert listed.exit_code == 0 and "svc-big" in listed.output and "ref-1" in listed.output
    assert "MessageSizeTooLarge" in listed.output and "InvalidTopicError" in listed.output

    # The fix: the broker's and the relay's limit raised; the partner route made legal by contracts.topics.
    await raise_topic_limit(settings, settings.topic(GOOD), LARGER)
    fixed = settings.model_copy(update={"kafka_max_message_bytes": LARGER})
    relay = Relay(MongoEventStore(mongo, database, fixed.kafka_max_message_bytes),
                  lambda: kafka.producer(fixed, "relay-test"), route(fixed, topics.partner_referrals),
                  poll_seconds=0.2, name=name)
    async with running(relay):
        big = await cli(settings, "retry", SERVICE, "svc-big", "--wait", "60")
        partner = await cli(settings, "retry", SERVICE, "ref-1", "--wait", "60")
        assert (big.exit_code, partner.exit_code) == (0, 0), big.output + partner.output
        assert "published" in big.output
        after = await read(settings, settings.topic(GOOD), 1003)
        on_partner_topic = await read(settings, settings.topic(topics.partner_referrals(PARTNER)), 2)
    assert versions(after)["svc-big"] == [1, 2, 3]
    [big_event] = [e for e in after if e.stream_id == "svc-big" and e.stream_version == 1]
    assert len(big_event.payload["hsds_extra"]["notes"]) == BIG_BYTES
    assert [e.stream_version for e in on_partner_topic] == [1, 2]
    assert await store.parked() == [] and (await cli(settings, "parked", SERVICE)).output.startswith("nothing")


async def test_resolve_gives_up_on_a_parked_commit_and_its_stream_flows(mongo, settings) -> None:
    database = settings.database(SERVICE)
    old_release = MongoEventStore(mongo, database, max_record_bytes=None)
    await old_release.append(with_payload(commit("svc-r", 1), hsds_extra={"notes": "x" * BIG_BYTES}))
    await old_release.append(commit("svc-r", 2))
    store = MongoEventStore(mongo, database)
    relay = Relay(store, lambda: kafka.producer(settings, "relay-test"), route(settings, topics.partner_referrals),
                  poll_seconds=0.2, name=f"{SERVICE}-{settings.db_prefix}")
    async with running(relay):
        for _ in range(100):
            if await store.parked():
                break
            await asyncio.sleep(0.1)
        refused = await cli(settings, "resolve", SERVICE, "svc-r", "--reason", "", "--by", "ops-1")
        assert refused.exit_code == 2 and "--reason" in refused.output
        resolved = await cli(settings, "resolve", SERVICE, "svc-r", "--reason", "record replaced", "--by", "ops-1")
        assert resolved.exit_code == 0, resolved.output
        arrived = await read(settings, settings.topic(GOOD), 1, timeout=30)
    assert versions(arrived) == {"svc-r": [2]}, "version 1 is never published: consumers see a gap"
    marker = await mongo[database]["published"].find_one({"resolved.by": "ops-1"})
    assert marker["resolved"]["reason"] == "record replaced"
    unknown = await cli(settings, "retry", SERVICE, "svc-none")
    assert unknown.exit_code == 2 and "no parked commit" in unknown.output
