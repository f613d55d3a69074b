"""The pure part of projecting: what a projection returns, deduplication by stream version, folding into updates."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from contracts.envelope import Envelope


@dataclass(frozen=True)
class Positioned:
    """An event with the place it was read from."""

    envelope: Envelope
    topic: str
    partition: int
    offset: int

    @property
    def source(self) -> str:
        return f"{self.topic}:{self.partition}"


@dataclass(frozen=True)
class Delta:
    """Add `inc` to the counters of the document of `view` identified by `key` (field → value)."""

    view: str
    key: Mapping[str, Any]
    inc: Mapping[str, int]


class Projection(Protocol):
    """A read model: which topics it reads and which counter deltas an event makes. Pure: no I/O."""

    topics: Sequence[str]
    views: Sequence[str]

    def project(self, envelope: Envelope) -> Iterable[Delta]: ...


class Composite:
    """Several projections run as one: one consumer, one batch, one write per touched document of any view."""

    def __init__(self, *parts: Projection) -> None:
        self.parts = parts
        self.topics = tuple(dict.fromkeys(t for p in parts for t in p.topics))
        self.views = tuple(v for p in parts for v in p.views)

    def project(self, envelope: Envelope) -> Iterable[Delta]:
        for part in self.parts:
            yield from part.project(envelope)


@dataclass(frozen=True)
class SeenStream:
    """The highest version applied of a stream, and the offset where that version was first read."""

    version: int
    offset: int


def fresh_events(events: Sequence[Positioned], seen: dict[str, SeenStream]) -> list[Positioned]:
    """The events that are not copies of already-applied versions. Updates `seen` in place.

    A copy is an event whose stream version is below the highest seen, or equal to it but read at a later offset.
    Reading the very same record again (a redelivery) is not a copy: the view guards absorb those.
    """
    fresh = []
    for ev in events:
        last = seen.get(ev.envelope.stream_id)
        version = ev.envelope.stream_version
        if last is not None and (version < last.version or (version == last.version and ev.offset > last.offset)):
            continue
        if last is None or version > last.version:
            seen[ev.envelope.stream_id] = SeenStream(version, ev.offset)
        fresh.append(ev)
    return fresh


@dataclass
class DocUpdate:
    """One view document's change in one batch: summed counters and the new guard offset."""

    view: str
    doc_id: str
    key: Mapping[str, Any]
    inc: dict[str, int] = field(default_factory=dict)
    offset: int = -1


def doc_id(key: Mapping[str, Any], source: str) -> str:
    return "|".join(str(v) for v in key.values()) + "@" + source


def fold(deltas: Iterable[tuple[Positioned, Delta]], guards: Mapping[tuple[str, str], int]) -> list[DocUpdate]:
    """Sum the deltas per view document, skipping events at or below the document's guard offset."""
    updates: dict[tuple[str, str], DocUpdate] = {}
    for ev, delta in deltas:
        did = doc_id(delta.key, ev.source)
        if ev.offset <= guards.get((delta.view, did), -1):
            continue
        upd = updates.setdefault((delta.view, did), DocUpdate(delta.view, did, delta.key))
        for name, amount in delta.inc.items():
            upd.inc[name] = upd.inc.get(name, 0) + amount
        upd.offset = max(upd.offset, ev.offset)
    return list(updates.values())
