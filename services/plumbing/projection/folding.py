"""Turning records into view documents, without I/O: decode, drop what a stream has applied, project, fold.

The live runner uses `decode` and `project_fresh` batch by batch; a rebuild keeps a `Folder` per group of streams
for the whole history, in worker processes when it is long (`FoldPool`). A stream's events all carry its id as their
record key (the relay keys them so), so the pool sends every record of a stream to the same worker, in order, and the
workers' streams are disjoint; a view document gets counts from any worker and `merge` adds them up.
"""
from __future__ import annotations

import asyncio
import gc
import multiprocessing
import queue
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from pydantic import ValidationError

from contracts.envelope import Envelope
from contracts.events import UnknownEventType, registry
from services.plumbing.projection.model import (
    Delta, DocUpdate, GroupTally, Positioned, Projection, SeenStream, project_groups, shared_case)
from services.plumbing.projection.store import pack_positions


class Record(NamedTuple):
    """What a rebuild needs of a Kafka record (picklable, unlike aiokafka's)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


Fields = tuple[str, int, int, bytes | None, bytes | None]  # a `Record` as a plain tuple (pickled as a third)


@dataclass(frozen=True)
class Rejected:
    """A record that goes to the dead-letter topic: not an envelope, or an event its projection refused."""

    topic: str
    offset: int
    key: bytes | None
    value: bytes | None
    error: str
    event_id: str | None = None
    type: str | None = None
    correlation_id: str | None = None


def decode(record: Record | Fields) -> Positioned | Rejected:
    """A record (or the plain tuple of its fields) as a positioned event, or what to dead-letter: not an envelope,
    or an event of a type the contracts do not know or of a version newer than they know (read by no view, it would
    otherwise be dropped unseen)."""
    topic, partition, offset, key, value = record
    try:
        envelope = Envelope.from_bytes(value or b"")
    except (ValidationError, ValueError, TypeError) as exc:
        return Rejected(topic, offset, key, value, f"not an event envelope: {exc}")
    if (unknown := _unknown(envelope)) is not None:
        return Rejected(topic, offset, key, value, unknown, envelope.event_id, envelope.type, envelope.correlation_id)
    return Positioned(envelope, topic, partition, offset)


def _unknown(envelope: Envelope) -> str | None:
    """Why the contracts cannot read `envelope`'s event, if they cannot."""
    try:
        known = registry.current(envelope.type).schema_version
    except UnknownEventType as exc:
        return str(exc)
    if envelope.schema_version > known:
        return f"{envelope.type} v{envelope.schema_version} is newer than this code knows (v{known})"
    return None


def project_fresh(projection: Projection, events: Sequence[Positioned], seen: dict[str, SeenStream]
                  ) -> tuple[list[tuple[Positioned, Sequence[Delta]]], int, list[Rejected]]:
    """The deltas of the events not yet applied, each projected with its stream's case, as groups (`project_groups`);
    `seen` moves along (positions and cases) in place. Returns the groups with their events, how many events were
    fresh, and the events the projection refused (their stream's position moves past them, its case is left as it
    was). One pass, a position made once per stream: a rebuild runs this a million times.

    Fresh: the version is above the highest already applied of its stream. Stream positions are stored after the
    views, so a version at or below a stored position is in the views already: a relay's second copy, a redelivery or
    a replay. Events past it but already in some view documents (a crash between the two writes) are kept: the
    views' offset guards absorb those."""
    parts = getattr(projection, "project_parts", None)
    step = getattr(projection, "evolve", None)
    latest: dict[str, list[Any]] = {}  # stream → [version, offset, case] as this batch leaves them
    groups: list[tuple[Positioned, Sequence[Delta]]] = []
    refused: list[Rejected] = []
    fresh = 0
    for ev in events:
        envelope = ev.envelope
        stream, version = envelope.stream_id, envelope.stream_version
        if (mine := latest.get(stream)) is None:
            last = seen.get(stream)
            if last is not None and version <= last.version:
                continue
            mine = latest[stream] = [version, ev.offset, last.case if last is not None else {}]
        elif version <= mine[0]:
            continue
        else:
            mine[0], mine[1] = version, ev.offset
        fresh += 1
        case = mine[2]
        try:
            made = parts(envelope, case) if parts is not None else project_groups(projection, envelope, case)
            if step is not None:
                mine[2] = step(case, envelope)
        except (ValidationError, LookupError, ValueError) as exc:
            refused.append(Rejected(ev.topic, ev.offset, stream.encode(), envelope.to_bytes(), str(exc),
                                    envelope.event_id, envelope.type, envelope.correlation_id))
            continue
        for group in made:
            groups.append((ev, group))
    for stream, (version, offset, case) in latest.items():
        seen[stream] = SeenStream(version, offset, shared_case(case))
    return groups, fresh, refused


def deltas_of(groups: Sequence[tuple[Positioned, Sequence[Delta]]]) -> list[tuple[Positioned, Delta]]:
    return [(ev, delta) for ev, group in groups for delta in group]


class Folded(NamedTuple):
    """What folders made: view documents, their streams' positions as pack fragments (one mapping per folder, see
    `ProjectionStore.remember_packed`), how many streams and fresh events, and the records to dead-letter."""

    updates: dict[tuple[str, str], DocUpdate]
    packs: list[dict[tuple[int, str], bytes]]
    streams: int
    applied: int
    rejected: list[Rejected]
    cpu: tuple[float, ...] = ()  # CPU seconds each folder's process spent folding (for the benchmark)


class Folder:
    """A rebuild's state for some partitions: the streams' positions and cases, the view documents summed so far."""

    def __init__(self, projection: Projection) -> None:
        self.projection = projection
        self.updates: dict[tuple[str, str], DocUpdate] = {}
        self.seen: dict[str, SeenStream] = {}
        self.applied = 0
        self.rejected: list[Rejected] = []
        self.tally = GroupTally()
        self.started = time.process_time()

    def add(self, records: Sequence[Record | Fields]) -> None:
        events = []
        for record in records:
            decoded = decode(record)
            if isinstance(decoded, Rejected):
                self.rejected.append(decoded)
            else:
                events.append(decoded)
        groups, fresh, refused = project_fresh(self.projection, events, self.seen)
        self.tally.add(groups, self.updates)
        self.rejected.extend(refused)
        self.applied += fresh

    def finish(self) -> Folded:
        """The result, the positions encoded here (in the worker process, not in the parent)."""
        self.tally.into(self.updates)
        return Folded(self.updates, [pack_positions(self.seen)], len(self.seen), self.applied, self.rejected,
                      (time.process_time() - self.started,))


def merge(parts: Sequence[Folded]) -> Folded:
    """The folders' results as one: counters of the same view document added, its guard the highest offset. Facts
    are a thing's own, written by its own stream, so they come from one folder."""
    merged = Folded({}, [], 0, 0, [])
    updates = merged.updates
    for part in parts:
        for at, upd in part.updates.items():
            if (mine := updates.get(at)) is None:
                updates[at] = upd
                continue
            for name, amount in upd.inc.items():
                mine.inc[name] = mine.inc.get(name, 0) + amount
            for name, value in upd.facts.items():
                mine.facts.setdefault(name, value)
            mine.offset = max(mine.offset, upd.offset)
        merged.packs.extend(part.packs)
        merged.rejected.extend(part.rejected)
    return merged._replace(streams=sum(p.streams for p in parts), applied=sum(p.applied for p in parts),
                           cpu=tuple(c for p in parts for c in p.cpu))


def _serve(inbox: Any, outbox: Any, projection: Projection) -> None:
    """A worker process: fold every batch it is sent until None, then send back what it folded (or its failure).

    Without the cyclic garbage collector: what a fold keeps (a case per stream) only grows until the process ends, and
    each full collection walks all of it (measured: 152 → 86 µs per event, bench/project_cpu.py)."""
    gc.disable()
    folder = Folder(projection)
    try:
        while (records := inbox.get()) is not None:
            folder.add(records)
        outbox.put(folder.finish())
    except BaseException as exc:  # noqa: BLE001 — reported to the parent, which raises it there
        outbox.put(RuntimeError(f"fold worker failed: {exc!r}"))


class FoldPool:
    """`workers` processes, each folding the streams whose record key hashes to it (crc32 modulo the workers), so the
    work is shared evenly however few partitions the topics have; a record without a key goes by its partition."""

    QUEUED_BATCHES = 16  # the consumer reads ahead while the workers start (≈ 2 s of imports)

    def __init__(self, projection: Projection, workers: int) -> None:
        ctx = multiprocessing.get_context("spawn")  # never fork a process with an event loop and client threads
        self.outbox = ctx.Queue()
        self.inboxes = [ctx.Queue(self.QUEUED_BATCHES) for _ in range(workers)]
        self.processes = [ctx.Process(target=_serve, args=(inbox, self.outbox, projection), daemon=True)
                          for inbox in self.inboxes]
        self.by_partition: dict[tuple[str, int], int] = {}
        for p in self.processes:
            p.start()

    async def add(self, records: Sequence[Fields]) -> None:
        """Send a batch to the workers, each its streams' records in order (waits while a worker has
        `QUEUED_BATCHES` waiting). Plain tuples pickle several times faster than `Record`s."""
        shares: list[list[tuple[Any, ...]]] = [[] for _ in self.inboxes]
        workers, by_partition = len(self.inboxes), self.by_partition
        for record in records:
            topic, partition, _, key, _ = record
            if key is None:
                if (worker := by_partition.get((topic, partition))) is None:
                    worker = by_partition[(topic, partition)] = zlib.crc32(f"{topic}:{partition}".encode()) % workers
            else:
                worker = zlib.crc32(key) % workers
            shares[worker].append(record)
        for inbox, share in zip(self.inboxes, shares):
            if share:
                await asyncio.to_thread(self._put, inbox, share)

    def _put(self, inbox: Any, item: Any) -> None:
        while True:
            try:
                return inbox.put(item, timeout=1.0)
            except queue.Full:
                self._check_alive()

    async def result(self) -> Folded:
        for inbox in self.inboxes:
            await asyncio.to_thread(self._put, inbox, None)
        parts = [await asyncio.to_thread(self._get) for _ in self.processes]
        for p in self.processes:
            p.join(timeout=10)
        return merge(parts)

    def _get(self) -> Folded:
        while True:
            try:
                part = self.outbox.get(timeout=1.0)
            except queue.Empty:
                self._check_alive()
                continue
            if isinstance(part, BaseException):
                raise part
            return part

    def _check_alive(self) -> None:
        dead = [p.exitcode for p in self.processes if p.exitcode not in (None, 0)]
        if dead:
            raise RuntimeError(f"a fold worker died (exit codes {dead})")

    def close(self) -> None:
        for p in self.processes:
            if p.is_alive():
                p.terminate()
