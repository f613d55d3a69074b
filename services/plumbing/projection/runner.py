"""Batch consumer runner: Kafka → projection → guarded view writes → offset commit (at-least-once, effect once)."""
from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Mapping, Sequence

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from pymongo.errors import PyMongoError

from contracts.topics import dead_letter
from services.plumbing.log import bind_correlation_id
from services.plumbing.projection.folding import (
    FoldPool, Folder, Record, Rejected, decode, deltas_of, project_fresh)
from services.plumbing.projection.model import Delta, Positioned, Projection, SeenStream, doc_id, fold
from services.plumbing.projection.store import ProjectionStore

log = structlog.get_logger(__name__)
FOLD_IN_WORKERS_FROM = 50_000  # records; below, starting worker processes costs more than it saves


class ProjectionRunner:
    def __init__(self, projection: Projection, store: ProjectionStore, consumer: AIOKafkaConsumer,
                 dead_letters: Callable[[], AIOKafkaProducer], batch_size: int = 2000, poll_ms: int = 100,
                 fold_workers: int = 1, linger_ms: int = 0) -> None:
        self.projection, self.store, self.consumer = projection, store, consumer
        self.linger_ms = linger_ms
        self.fold_workers, self.fold_in_workers_from = fold_workers, FOLD_IN_WORKERS_FROM
        self._dlq_factory, self._dlq = dead_letters, None
        self.batch_size, self.poll_ms = batch_size, poll_ms
        self.applied = 0
        self.fold_cpu: tuple[float, ...] = ()  # CPU seconds of each folder of the last rebuild
        self.positions: dict[TopicPartition, int] = {}  # next offset to read, per partition handled so far

    async def run(self) -> None:
        await self.consumer.start()
        backoff = 0.2
        try:
            while True:
                try:
                    await self.step(self.linger_ms)
                    backoff = 0.2
                except (PyMongoError, KafkaError) as exc:  # views or broker briefly away: replay from the commit
                    log.warning("projection.batch_failed", error=str(exc), retry_in=backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    await self.rewind()
        finally:
            await self._stop()

    async def step(self, linger_ms: int = 0) -> int:
        """Consume one batch; returns how many records it held. `linger_ms`: a batch short of the batch size waits
        this long for more records to join it (a batch's writes cost about the same for 10 records as for 100: each
        view's documents of the batch's months, each shard of the stream positions touched)."""
        batches = await self.consumer.getmany(timeout_ms=self.poll_ms, max_records=self.batch_size)
        if linger_ms and batches and (have := sum(map(len, batches.values()))) < self.batch_size:
            await asyncio.sleep(linger_ms / 1000)
            for tp, rs in (await self.consumer.getmany(timeout_ms=0, max_records=self.batch_size - have)).items():
                batches[tp] = [*batches.get(tp, []), *rs]
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
            await self._stop()

    async def _stop(self) -> None:
        """The consumer, and the dead-letter producer if poison made one (a rebuild dead-letters too)."""
        await self.consumer.stop()
        if self._dlq is not None:
            dlq, self._dlq = self._dlq, None
            await dlq.stop()

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
        """The rebuild path: fold every event into documents in memory (in worker processes when the history is long),
        insert them, then commit the offsets."""
        workers = self.fold_workers if total >= self.fold_in_workers_from else 1
        pool = FoldPool(self.projection, workers) if workers > 1 else None
        folder = Folder(self.projection)
        consumed = 0
        try:
            while any(self.positions.get(tp, starts[tp]) < end for tp, end in ends.items()):
                batches = await self.consumer.getmany(timeout_ms=self.poll_ms, max_records=self.batch_size)
                records = [(r.topic, r.partition, r.offset, r.key, r.value) for rs in batches.values() for r in rs]
                if pool is not None:
                    await pool.add(records)
                elif records:
                    folder.add(records)
                    gc.freeze()  # what is folded stays to the end: spare it every later collection's walk
                    await asyncio.sleep(0)  # let the consumer's heartbeat run between batches
                consumed += len(records)
                self.positions.update({tp: rs[-1].offset + 1 for tp, rs in batches.items() if rs})
                progress(min(consumed, total), total)
            folded = await pool.result() if pool is not None else folder.finish()
        finally:
            gc.unfreeze()
            if pool is not None:
                pool.close()
        for rejected in folded.rejected:
            await self._dead_letter(rejected)
        log.info("projection.folded", records=consumed, documents=len(folded.updates), streams=folded.streams,
                 workers=workers, fold_cpu_s=[round(c, 1) for c in folded.cpu])
        await self.store.apply(list(folded.updates.values()))
        await self.store.changed()
        await self.store.remember_packed(folded.packs)
        if self.positions:
            await self.consumer.commit(dict(self.positions))
        self.applied += folded.applied
        self.fold_cpu = folded.cpu
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
        guards = await self.store.guards({(d.view, doc_id(d.key, ev.source)): d.key for ev, d in deltas})
        await self.store.apply(fold(deltas, guards), guards.keys())
        if fresh:  # even if the guards absorbed it all: a replay after a crash before this line must still count
            await self.store.changed()
        await self.store.remember({s: p for s, p in seen.items() if before.get(s) != p},
                                  {s for s, p in before.items() if p.own_document})
        self.applied += fresh

    async def _project_fresh(self, events: Sequence[Positioned],
                             seen: dict[str, SeenStream]) -> tuple[list[tuple[Positioned, Delta]], int]:
        """`project_fresh`, the refused events sent to the dead-letter topic."""
        groups, fresh, refused = project_fresh(self.projection, events, seen)
        for rejected in refused:
            await self._dead_letter(rejected)
        return deltas_of(groups), fresh

    async def _decode(self, record: ConsumerRecord) -> Positioned | None:
        decoded = decode(Record(record.topic, record.partition, record.offset, record.key, record.value))
        if isinstance(decoded, Rejected):
            await self._dead_letter(decoded)
            return None
        return decoded

    async def _dead_letter(self, rejected: Rejected) -> None:
        if rejected.event_id is not None:
            bind_correlation_id(rejected.correlation_id)
            log.error("projection.poison_event", event_id=rejected.event_id, type=rejected.type, error=rejected.error)
        else:
            log.error("projection.poison_message", topic=rejected.topic, offset=rejected.offset,
                      error=rejected.error[:300])
        if self._dlq is None:
            self._dlq = self._dlq_factory()
            await self._dlq.start()
        await self._dlq.send_and_wait(dead_letter(rejected.topic), rejected.value, key=rejected.key,
                                      headers=[("error", rejected.error[:1000].encode())])
