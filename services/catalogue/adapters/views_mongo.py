"""MongoDB query model: one collection per entity kind in the catalogue's own database, indexed for search.

Only plain find() and upserts: what FerretDB 1.x and MongoDB both support. On FerretDB (SQLite) only `_id`
lookups use an index; other filters scan the collection, which is small here (one document per record).

Ids are per municipality: a document is stored under `_id` = `<tenant>|<id>` (`|` never occurs in a municipality's
code) with the entity's id in `id`, and handed out with `_id` = the entity's id, as the query model's callers read it.
A document stored before (under the bare id, no `id` field) is moved under its new key by `create_indexes`.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from services.catalogue.domain.entity import Kind

COLLECTIONS: dict[str, str] = {"organization": "organizations", "service": "services", "location": "locations"}


class MongoViews:
    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._db = client[database]

    def _coll(self, kind: str) -> AsyncCollection[dict[str, Any]]:
        return self._db[COLLECTIONS[kind]]

    async def create_indexes(self) -> None:
        await self.move_legacy_documents()
        for kind in COLLECTIONS:
            coll = self._coll(kind)
            await coll.create_index([("tenant", ASCENDING), ("status", ASCENDING)], name="tenant_status")
            await coll.create_index([("tenant", ASCENDING), ("themes_all", ASCENDING)], name="tenant_themes")
            await coll.create_index([("tenant", ASCENDING), ("languages", ASCENDING)], name="tenant_languages")

    async def move_legacy_documents(self) -> int:
        """Documents written before ids were per municipality, moved under (tenant, id); their entity's stream is
        the bare id it had. Idempotent; returns how many moved."""
        moved = 0
        for kind in COLLECTIONS:
            async for doc in self._coll(kind).find({"id": {"$exists": False}}):
                await self.put({**doc, "stream": doc.get("stream") or doc["_id"]})
                await self._coll(kind).delete_one({"_id": doc["_id"]})
                moved += 1
        return moved

    async def put(self, doc: dict[str, Any]) -> None:
        # Filters by _id only: FerretDB 1.x pushes nothing else down to SQLite, so a filter on the version too would
        # scan the collection. The version check keeps a slow writer from replacing a newer state with an older one.
        coll, key = self._coll(doc["kind"]), _key(doc["tenant"], doc["_id"])
        stored = await coll.find_one({"_id": key}, {"version": 1})
        if stored is None or stored["version"] <= doc["version"]:
            await coll.replace_one({"_id": key}, {**doc, "_id": key, "id": doc["_id"]}, upsert=True)

    async def get(self, kind: Kind, tenant: str, entity_id: str) -> dict[str, Any] | None:
        return _out(await self._coll(kind).find_one({"_id": _key(tenant, entity_id)}))

    async def many(self, kind: Kind, tenant: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        if not ids:
            return []
        keys = [_key(tenant, i) for i in sorted(set(ids))]
        return [_out(d) for d in await self._coll(kind).find({"_id": {"$in": keys}}).sort("_id", ASCENDING).to_list()]

    async def find(self, kind: Kind, tenant: str, *, statuses: Sequence[str] | None = None,
                   themes: Sequence[str] | None = None, language: str | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"tenant": tenant}
        if statuses is not None:
            query["status"] = {"$in": list(statuses)}
        if themes is not None:
            query["themes_all"] = {"$in": list(themes)}
        if language is not None:
            query["languages"] = language
        return [_out(d) for d in await self._coll(kind).find(query).sort("_id", ASCENDING).to_list()]


def _key(tenant: str, entity_id: str) -> str:
    return f"{tenant}|{entity_id}"


def _out(doc: dict[str, Any] | None) -> Any:
    """The document as the query model's callers read it: `_id` is the entity's id."""
    if doc is None:
        return None
    entity_id = doc.pop("id")
    return {**doc, "_id": entity_id}
