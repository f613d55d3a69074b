"""A cache over the query model for bulk work (HSDS import): one read per kind instead of one per record."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.catalogue.application.views import Views
from services.catalogue.domain.entity import Kind

KINDS: tuple[Kind, ...] = ("organization", "location", "service")


class CachedViews:
    """Every document of one municipality, loaded once; writes go through to the real views and the cache."""

    def __init__(self, views: Views, tenant: str, docs: dict[tuple[str, str], dict[str, Any]]) -> None:
        self._views, self._tenant, self._docs = views, tenant, docs

    @classmethod
    async def of(cls, views: Views, tenant: str) -> CachedViews:
        docs = {(kind, d["_id"]): d for kind in KINDS for d in await views.find(kind, tenant)}
        return cls(views, tenant, docs)

    async def put(self, doc: dict[str, Any]) -> None:
        await self._views.put(doc)
        if doc["tenant"] != self._tenant:
            return
        key = (doc["kind"], doc["_id"])
        if key not in self._docs or self._docs[key]["version"] <= doc["version"]:
            self._docs[key] = doc

    async def get(self, kind: Kind, tenant: str, entity_id: str) -> dict[str, Any] | None:
        if tenant != self._tenant:
            return await self._views.get(kind, tenant, entity_id)
        return self._docs.get((kind, entity_id))

    async def many(self, kind: Kind, tenant: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        if tenant != self._tenant:
            return await self._views.many(kind, tenant, ids)
        return [self._docs[(kind, i)] for i in sorted(set(ids)) if (kind, i) in self._docs]

    async def find(self, kind: Kind, tenant: str, **query: Any) -> list[dict[str, Any]]:
        return await self._views.find(kind, tenant, **query)
