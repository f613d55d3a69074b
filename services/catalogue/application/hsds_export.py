"""HSDS export: everything a municipality's catalogue holds, with the ids each record had in HSDS."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.catalogue.application.handlers import Deps
from services.catalogue.application.views import links_of, record_of
from services.catalogue.domain.entity import Link


@dataclass(frozen=True)
class Catalogue:
    organizations: list[tuple[str, Any]] = field(default_factory=list)
    locations: list[tuple[str, Any]] = field(default_factory=list)
    services: list[tuple[str, Any, tuple[Link, ...]]] = field(default_factory=list)
    hsds_ids: dict[str, str] = field(default_factory=dict)  # our id → the id in HSDS documents


async def catalogue(tenant: str, deps: Deps) -> Catalogue:
    docs = {kind: await deps.views.find(kind, tenant) for kind in ("organization", "location", "service")}
    result = Catalogue(
        organizations=[(d["_id"], record_of(d)) for d in docs["organization"]],
        locations=[(d["_id"], record_of(d)) for d in docs["location"]],
        services=[(d["_id"], record_of(d), links_of(d)) for d in docs["service"]])
    for d in (d for kind_docs in docs.values() for d in kind_docs):
        result.hsds_ids[d["_id"]] = d["record"].get("hsds_id") or d["_id"]
    return result
