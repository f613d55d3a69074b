"""The catalogue's own query model: one current-state document per entity, written right after each append.

It is derived data: rebuilding it is replaying every stream of the event store through `document()`.
A crash between the append and the write leaves a view one change behind; the next command on that entity
(or a replay) repairs it, because the view is always written from the replayed state.
Ids are per municipality: a document is found by (kind, tenant, id), and names the stream its entity lives in.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from contracts import taxonomy
from services.catalogue.domain.entity import RECORDS, Entity, Kind, Link


class Views(Protocol):
    async def put(self, doc: dict[str, Any]) -> None:
        """Replace the document of (doc["kind"], doc["_id"]) unless the stored one has a higher version."""
        ...

    async def get(self, kind: Kind, tenant: str, entity_id: str) -> dict[str, Any] | None:
        """The document of `entity_id` in `tenant` (ids are per municipality: another municipality's is None)."""
        ...

    async def many(self, kind: Kind, tenant: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        """The documents of `tenant` with these ids (unknown ids are left out), in id order."""
        ...

    async def find(self, kind: Kind, tenant: str, *, statuses: Sequence[str] | None = None,
                   themes: Sequence[str] | None = None, language: str | None = None) -> list[dict[str, Any]]:
        """Documents of a tenant, optionally with a status in `statuses`, any of `themes` among their themes or
        those themes' ancestors, and `language` among their languages; in id order."""
        ...


def themes_with_ancestors(codes: Sequence[str]) -> list[str]:
    found: dict[str, None] = {}
    for code in codes:
        parts = code.split(".")
        for i in range(1, len(parts) + 1):
            found[".".join(parts[:i])] = None
    return [c for c in found if c in taxonomy.themes()]


def document(state: Entity) -> dict[str, Any]:
    record = state.record
    return {
        "_id": state.entity_id, "kind": state.kind, "tenant": state.tenant, "stream": state.stream_id,
        "version": state.version,
        "status": record.status, "record": record.model_dump(mode="json"),
        "themes_all": themes_with_ancestors(getattr(record, "themes", ())),
        "languages": list(getattr(record, "languages", ())),
        "links": [{"service_at_location_id": x.service_at_location_id, "location_id": x.location_id,
                   "description": x.description, "hsds_extra": dict(x.hsds_extra)} for x in state.links],
    }


def entity_of(doc: dict[str, Any]) -> Entity:
    """The entity as of the view's version: a snapshot, so deciding needs no replay of the stream."""
    return Entity(doc["kind"], doc["_id"], doc["tenant"], doc["version"], record_of(doc), links_of(doc),
                  doc["stream"])


def record_of(doc: dict[str, Any]) -> Any:
    return RECORDS[doc["kind"]].model_validate(doc["record"])


def links_of(doc: dict[str, Any]) -> tuple[Link, ...]:
    return tuple(Link(x["service_at_location_id"], x["location_id"], x.get("description"),
                      tuple(sorted(x.get("hsds_extra", {}).items()))) for x in doc.get("links", ()))
