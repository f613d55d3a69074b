"""Hand-made envelopes for projection unit tests, and a fold of a projection over a stream sequence (with its case)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from contracts.envelope import Actor, Envelope, Role
from contracts.events.registry import DomainEvent
from services.plumbing.projection.model import evolve, project

_versions: Counter[str] = Counter()


def env(stream: str, event: DomainEvent, at: str = "2026-03-10T10:00:00+01:00", tenant: str = "kortrijk") -> Envelope:
    """An envelope of `event` as the next version of `stream`."""
    _versions[stream] += 1
    return Envelope(type=event.event_type, schema_version=event.schema_version, stream_id=stream,
                    stream_version=_versions[stream], tenant=tenant, occurred_at=datetime.fromisoformat(at),
                    correlation_id="corr", actor=Actor(staff_id="staff-1", role=Role.FRONT_OFFICE),
                    payload=event.model_dump(mode="json"))


def totals(projection: Any, envelopes: Iterable[Envelope]) -> dict[tuple[tuple[tuple[str, Any], ...], str], int]:
    """Counters per (key, measure) after projecting `envelopes` in order, each stream with its own case."""
    cases: dict[str, Any] = {}
    out: Counter[tuple[tuple[tuple[str, Any], ...], str]] = Counter()
    for e in envelopes:
        case = cases.get(e.stream_id, {})
        for d in project(projection, e, case):
            for name, n in d.inc.items():
                out[(tuple(d.key.items()), name)] += n
        cases[e.stream_id] = evolve(projection, case, e)
    return {k: n for k, n in out.items() if n}


class ViewDocuments:
    """A query's reading of a view (`ProjectionStore.documents`) as the documents given, for testing what a query
    makes of them; which documents a filter selects is the store's part, tested on FerretDB."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs

    async def documents(self, *_: object) -> Any:
        for d in self.docs:
            yield d
