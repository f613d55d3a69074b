"""What the suite reads back after each experiment: the views through InsightsService, the event store of intake,
the records on Kafka (dead letters included), and a clean rebuild of every view."""
from __future__ import annotations

import asyncio
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import grpc
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from pymongo import AsyncMongoClient

from contracts.envelope import Envelope, new_event_id
from contracts.topics import dead_letter
from contracts.events.intake import QuestionRegistered
from contracts.proto import insights_pb2, insights_pb2_grpc
from services.insights.bootstrap import bootstrap
from services.insights.domain.questions_per_theme import VIEW
from services.insights.domain.views import all_views
from services.insights.tests.synthetic import Sums, view_sums
from services.plumbing import kafka
from services.plumbing.settings import Settings
from tests.faults.load import ALL, Cell

REGISTERED = QuestionRegistered.event_type
REBUILD_BOUND = 120.0  # seconds: a clean rebuild of a few thousand events takes a few


class Views:
    """QuestionsPerTheme of each municipality, as its policy team sees it (threshold 1: every count shown)."""

    def __init__(self, stub: insights_pb2_grpc.InsightsServiceStub, tokens: dict[str, str]) -> None:
        self.stub, self.tokens = stub, tokens

    async def cells(self, months: Iterable[str]) -> Counter[Cell] | None:
        """Every (municipality, theme, month) count, and each month's questions counted once as theme "*", or None
        while insights does not answer."""
        out: Counter[Cell] = Counter()
        try:
            for tenant in self.tokens:
                out.update({(tenant, r.theme, r.month): r.questions for r in (await self._ask(tenant)).rows})
                for month in months:
                    out[(tenant, ALL, month)] = (await self._ask(tenant, month)).total
        except grpc.aio.AioRpcError:
            return None
        return +out

    async def _ask(self, tenant: str, month: str = "") -> Any:
        request = insights_pb2.QuestionsPerThemeRequest(tenant=tenant, from_month=month, to_month=month)
        reply = await self.stub.QuestionsPerTheme(request, timeout=3,
                                                  metadata=(("authorization", f"Bearer {self.tokens[tenant]}"),))
        assert reply.threshold == 1, "the suite runs insights with WEGWIJS_SUPPRESSION_THRESHOLD=1"
        return reply


def insights_inputs(settings: Settings) -> list[str]:
    """The topics insights projects from."""
    return [settings.topic(t) for t in all_views().topics]


def registered(record: ConsumerRecord) -> bool:
    """Whether a record carries a QuestionRegistered (what `OnKafka` counts)."""
    try:
        return Envelope.from_bytes(record.value).type == REGISTERED
    except ValueError:
        return False


def poison(template: Envelope) -> dict[str, tuple[bytes, bytes]]:
    """Per kind, a (key, value) record insights must dead-letter: garbage, and `template` (a real QuestionRegistered)
    turned into an unknown type, an invalid payload and a future schema version, each as a stream of its own (what a
    wrongly counted one would add shows in the views)."""
    def like(kind: str, **changes: Any) -> tuple[bytes, bytes]:
        stream = f"poison-{kind}-{uuid.uuid4().hex[:8]}"  # keyed by its stream, as the relay keys every record
        event = template.model_copy(update={"event_id": new_event_id(), "stream_id": stream, **changes})
        return stream.encode(), event.to_bytes()

    return {"garbage bytes": (f"poison-garbage-{uuid.uuid4().hex[:8]}".encode(), b"\xff\xfe{not an envelope\x00"),
            "unknown type": like("type", type="QuestionTeleported"),
            "invalid payload": like("payload", payload={**template.payload, "themes": "housing", "channel": 7}),
            "future schema version": like("version", schema_version=template.schema_version + 98)}


async def dead_letters(settings: Settings, topic: str) -> dict[bytes, list[str]]:
    """Per record key, the errors its copies on `topic`'s dead-letter topic carry."""
    out: dict[bytes, list[str]] = defaultdict(list)
    for record in await read_all(settings, [dead_letter(topic)]):
        out[record.key or b""].append(dict(record.headers).get("error", b"").decode(errors="replace"))
    return out


def month_total(cells: Counter[Cell], month: str, theme: str = ALL) -> int:
    return sum(n for (_, t, m), n in cells.items() if t == theme and m == month)


async def stored_questions(mongo: AsyncMongoClient[dict[str, Any]], database: str) -> dict[str, list[str]]:
    """Per `tenant|command_id`, the question streams its stored commits registered (one, if stored exactly once)."""
    out: dict[str, list[str]] = defaultdict(list)
    async for doc in mongo[database]["commits"].find({}, {"command_id": 1, "tenant": 1, "events": 1}):
        for event in doc["events"]:
            if event["type"] == REGISTERED:
                out[f"{event['tenant']}|{doc['command_id']}"].append(event["stream_id"])
    return out


async def read_all(settings: Settings, topics: list[str]) -> list[ConsumerRecord]:
    """Every record of `topics` from the beginning to the end offsets of now (no consumer group)."""
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", isolation_level="read_committed",
                                **kafka.security(settings))
    await consumer.start()
    try:
        async with asyncio.timeout(60):
            while not consumer.assignment():  # without a group, every partition of the topics, once their
                await asyncio.sleep(0.05)  # metadata arrived
            ends = await consumer.end_offsets(list(consumer.assignment()))
            records: list[ConsumerRecord] = []
            while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
                for batch in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                    records.extend(batch)
        return records
    finally:
        await consumer.stop()


@dataclass(frozen=True)
class OnKafka:
    """The QuestionRegistered events on the question topic: copies per event id, and event ids per stream."""

    copies: Counter[str]
    events_of: dict[str, set[str]]

    @classmethod
    def of(cls, records: list[ConsumerRecord]) -> OnKafka:
        copies: Counter[str] = Counter()
        events_of: dict[str, set[str]] = defaultdict(set)
        for record in records:
            try:
                envelope = Envelope.from_bytes(record.value)
            except ValueError:
                continue  # poison the suite produced itself
            if envelope.type == REGISTERED:
                copies[envelope.event_id] += 1
                events_of[envelope.stream_id].add(envelope.event_id)
        return cls(copies, events_of)

    def extra_copies(self) -> int:
        return sum(n - 1 for n in self.copies.values())


async def produce(settings: Settings, records: list[tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]]) -> None:
    """Produce (topic, key, value, headers) records, each once."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True, acks="all",
                                **kafka.security(settings))
    await producer.start()
    try:
        sent = [await producer.send(topic, value, key=key, headers=headers) for topic, key, value, headers in records]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


@dataclass(frozen=True)
class Rebuilt:
    live: Sums  # every view of the active generation
    clean: Sums  # the same views, projected from the whole history into a fresh generation

    def cells(self) -> Counter[Cell]:
        """The clean rebuild's QuestionsPerTheme counts, as `Views.cells` gives the live ones."""
        out: Counter[Cell] = Counter()
        for (view, key, name), n in self.clean.items():
            if view == VIEW and name == "questions":
                fields = dict(key)
                out[(fields["tenant"], fields["theme"], fields["month"])] += n
        return out


async def rebuild(settings: Settings) -> Rebuilt:
    """A clean rebuild into a fresh generation (not activated, dropped after), beside the live views."""
    app = await bootstrap(settings)
    try:
        live_generation = await app.generations.active(fresh=True)
        clean_generation = await app.generations.new()
        try:
            async with asyncio.timeout(REBUILD_BOUND):
                await app.runner(clean_generation).catch_up()
            clean = await view_sums(app.generations.store(clean_generation), app.projection)
            live = await view_sums(app.generations.store(live_generation), app.projection)
        finally:
            await app.generations.drop(clean_generation)
        return Rebuilt(live, clean)
    finally:
        await app.mongo.close()
