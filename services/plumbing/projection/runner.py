"""Batch consumer runner: Kafka → projection → guarded view writes → offset commit (at-least-once, effect once)."""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from pydantic import ValidationError
from pymongo.errors import PyMongoError

from contracts.envelope import Envelope
from contracts.topics import dead_letter
from services.plumbing.log import bind_correlation_id
from services.plumbing.projection.model import (
    Case, Delta, DocUpdate, Positioned, Projection, SeenStream, doc_id, evolve, fold, fold_into, fresh_events, project)
from services.plumbing.projection.store import ProjectionStore

log = structlog.get_logger(__name__)
YIELD_EVERY = 500


class ProjectionRunner:
    def __init__(self, projection: Projection, store: ProjectionStore, consumer: AIOKafkaConsumer,
                 dead_letters: Callable[[], AIOKafkaProducer], batch_size: int = 2000, poll_ms: int = 100) -> None:
        self.projection, self.store, self.consumer = projection, store, consumer
        self._dlq_factory, self._dlq = dead_letters, None
        self.batch_size, self.poll_ms = batch_size, poll_ms
        self.applied = 0
        self.positions: dict[TopicPartition, int] = {}  # next offset to read, per partition handled so far

    async def run(self) -> None:
        await self.consumer.start()
        backoff = 0.2
        try:
            while True:
                try:
                    await self.step()
                    backoff = 0.2
                except (PyMongoError, KafkaError) as exc:  # views or broker briefly away: replay from the commit
                    log.warning("projection.batch_failed", error=str(exc), retry_in=backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    await self.rewind()
        finally:
            await self.consumer.stop()
            if self._dlq is not None:
                await self._dlq.stop()

    async def step(self) -> int:
        """Consume one batch; returns how many records it held."""
        batches = await self.consumer.getmany(timeout_ms=self.poll_ms, max_records=self.batch_size)
        records = [r for rs in batches.values() for r in rs]
        if not records:
            return 0
        await self.handle(records)
        self.positions.update({tp: rs[-1].offset + 1 for tp, rs in batches.items()})
        try:
            await self.consumer.commit({tp: rs[-1].offset + 1 for tp, rs in batches.items()})
        except CommitFailedError as exc:  # partitions moved to another instance; it replays, the guards absorb it
            log.warning("projection.commit_failed", error=str(exc))
        return len(records)

    async def catch_up(self, progress: Callable[[int, int], None] = lambda done, total: None, fold: bool = True) -> int:
        """Consume from the group's position up to the end offsets seen at start, then stop (a rebuild).

        Into a fresh generation (no committed offset, empty views) every event is folded in memory and written once
        at the end — views and packed stream positions by inserts, then the offsets; otherwise batch by batch as live. A
        crash before the end leaves no committed offset, so a second catch-up reads from the beginning again and,
        finding views already written, takes the guarded batch path: the offset guards absorb what is in them.
        `progress(consumed, total)` is called after every batch; returns the number of records consumed. `fold=False`
        always takes the batch path (what the live runner does; the fault test crashes it there).
        """
        await self.consumer.start()
        try:
            ends = await self._end_offsets()
            starts = await self._starts(ends)
            total, consumed = sum(ends[tp] - starts[tp] for tp in ends), 0
            progress(0, total)
            if fold and await self._fresh(ends):
                return await self._fold_all(ends, starts, total, progress)
            while any(self.positions.get(tp, starts[tp]) < end for tp, end in ends.items()):
                consumed += await self.step()
                progress(min(consumed, total), total)
            return consumed
        finally:
            await self.consumer.stop()

    async def _starts(self, ends: Mapping[TopicPartition, int]) -> dict[TopicPartition, int]:
        """Per partition, the group's committed offset, or the beginning where it has none (or it was deleted)."""
        beginnings = await self.consumer.beginning_offsets(list(ends))
        return {tp: max(await self.consumer.committed(tp) or 0, beginnings[tp]) for tp in ends}

    async def _fresh(self, ends: Mapping[TopicPartition, int]) -> bool:
        for tp in ends:
            if await self.consumer.committed(tp) is not None:
                return False
        return await self.store.empty(self.projection.views)

    async def _fold_all(self, ends: Mapping[TopicPartition, int], starts: Mapping[TopicPartition, int], total: int,
                        progress: Callable[[int, int], None]) -> int:
        """The rebuild path: fold every event into documents in memory, insert them, then commit the offsets."""
        seen: dict[str, SeenStream] = {}
        updates: dict[tuple[str, str], DocUpdate] = {}
        consumed = 0
        while any(self.positions.get(tp, starts[tp]) < end for tp, end in ends.items()):
            batches = await self.consumer.getmany(timeout_ms=self.poll_ms, max_records=self.batch_size)
            records = [r for rs in batches.values() for r in rs]
            events = [p for r in records if (p := await self._decode(r)) is not None]
            deltas, fresh = await self._project_fresh(events, seen)
            fold_into(updates, deltas)
            self.applied += fresh
            self.positions.update({tp: rs[-1].offset + 1 for tp, rs in batches.items() if rs})
            consumed += len(records)
            progress(min(consumed, total), total)
        log.info("projection.folded", records=consumed, documents=len(updates), streams=len(seen))
        await self.store.apply(list(updates.values()))
        await self.store.changed()
        await self.store.remember_packed(seen)
        if self.positions:
            await self.consumer.commit(dict(self.positions))
        return consumed

    async def _end_offsets(self) -> Mapping[TopicPartition, int]:
        topics = sorted(self.consumer.subscription())
        for _ in range(100):  # the subscription's metadata arrives shortly after start
            if all(self.consumer.partitions_for_topic(t) for t in topics):
                break
            await asyncio.sleep(0.1)
        parts = [TopicPartition(t, p) for t in topics for p in sorted(self.consumer.partitions_for_topic(t) or ())]
        return await self.consumer.end_offsets(parts)

    async def rewind(self) -> None:
        """Move back to the last committed offsets, so a failed batch is read again."""
        for tp in self.consumer.assignment():
            committed = await self.consumer.committed(tp)
            if committed is None:
                await self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, committed)

    async def handle(self, records: Sequence[ConsumerRecord]) -> None:
        events = [p for r in records if (p := await self._decode(r)) is not None]
        seen = await self.store.seen(e.envelope.stream_id for e in events)
        before = dict(seen)
        deltas, fresh = await self._project_fresh(events, seen)
        guards = await self.store.guards({(d.view, doc_id(d.key, ev.source)) for ev, d in deltas})
        await self.store.apply(fold(deltas, guards), guards.keys())
        if fresh:  # even if the guards absorbed it all: a replay after a crash before this line must still count
            await self.store.changed()
        await self.store.remember({s: p for s, p in seen.items() if before.get(s) != p},
                                  {s for s, p in before.items() if p.own_document})
        self.applied += fresh

    async def _project_fresh(self, events: Sequence[Positioned],
                             seen: dict[str, SeenStream]) -> tuple[list[tuple[Positioned, Delta]], int]:
        """The deltas of the events not yet applied, each projected with its stream's case; `seen` moves along
        (positions and cases) in place. Returns the deltas and how many events were fresh."""
        fresh = fresh_events(events, seen)
        cases: dict[str, Case] = {}
        deltas: list[tuple[Positioned, Delta]] = []
        for i, ev in enumerate(fresh):
            if i % YIELD_EVERY == YIELD_EVERY - 1:  # let the consumer's heartbeat run during a long batch
                await asyncio.sleep(0)
            stream = ev.envelope.stream_id
            case = cases[stream] if stream in cases else seen[stream].case
            deltas.extend((ev, d) for d in await self._project(ev, case))
            cases[stream] = evolve(self.projection, case, ev.envelope)
        for stream, case in cases.items():
            p = seen[stream]
            seen[stream] = SeenStream(p.version, p.offset, case)
        return deltas, len(fresh)

    async def _decode(self, record: ConsumerRecord) -> Positioned | None:
        try:
            envelope = Envelope.from_bytes(record.value)
        except (ValidationError, ValueError, TypeError) as exc:
            await self._dead_letter(record, f"not an event envelope: {exc}")
            return None
        return Positioned(envelope, record.topic, record.partition, record.offset)

    async def _project(self, ev: Positioned, case: Case) -> list[Delta]:
        bind_correlation_id(ev.envelope.correlation_id)
        try:
            return list(project(self.projection, ev.envelope, case))
        except (ValidationError, LookupError, ValueError) as exc:
            await self._dead_letter_event(ev, str(exc))
            return []

    async def _dead_letter_event(self, ev: Positioned, error: str) -> None:
        log.error("projection.poison_event", event_id=ev.envelope.event_id, type=ev.envelope.type, error=error)
        await self._send_dlq(ev.topic, ev.envelope.stream_id.encode(), ev.envelope.to_bytes(), error)

    async def _dead_letter(self, record: ConsumerRecord, error: str) -> None:
        log.error("projection.poison_message", topic=record.topic, offset=record.offset, error=error[:300])
        await self._send_dlq(record.topic, record.key, record.value, error)

    async def _send_dlq(self, topic: str, key: bytes | None, value: bytes | None, error: str) -> None:
        if self._dlq is None:
            self._dlq = self._dlq_factory()
            await self._dlq.start()
        await self._dlq.send_and_wait(dead_letter(topic), value, key=key, headers=[("error", error[:1000].encode())])
