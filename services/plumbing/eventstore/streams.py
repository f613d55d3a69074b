"""Streams of ids a municipality names: ids are per municipality, so the stream is scoped by tenant.

`scoped(prefix, tenant, id)` is the stream of a new entity. An entity recorded before its service scoped its streams
keeps the stream it has, named by the bare id; `resolve` finds it there when that stream is the same municipality's
and of the expected kind, so no history is rewritten or split (an event is never moved to another stream).
"""
from __future__ import annotations

from collections.abc import Callable

from contracts.envelope import Envelope
from services.plumbing.eventstore.ports import EventStore


def scoped(prefix: str, tenant: str, entity_id: str) -> str:
    """`prefix:tenant:id`; a municipality's code holds no `:`, so two municipalities' streams never meet."""
    return f"{prefix}:{tenant}:{entity_id}"


async def resolve(store: EventStore, prefix: str, tenant: str, entity_id: str,
                  of_kind: Callable[[Envelope], bool]) -> tuple[str, list[Envelope]]:
    """The stream of `entity_id` in `tenant` and its events (none: a new entity, to start at the scoped stream)."""
    stream = scoped(prefix, tenant, entity_id)
    if events := await store.load(stream):
        return stream, events
    if (first := await store.first(entity_id)) is not None and first.tenant == tenant and of_kind(first):
        return entity_id, await store.load(entity_id)
    return stream, []
