"""MongoDB query model: one collection per entity kind in the catalogue's own database, indexed for search.

Only plain find() and upserts: what FerretDB 1.x and MongoDB both support. On FerretDB (SQLite) only `_id`
lookups use an index; other filters scan the collection, which is small here (one document per record).
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
        for kind in COLLECTIONS:
            coll = self._coll(kind)
            await coll.create_index([("tenant", ASCENDING), ("status", ASCENDING)], name="tenant_status")
            await coll.create_index([("tenant", ASCENDING), ("themes_all", ASCENDING)], name="tenant_themes")
            await coll.create_index([("tenant", ASCENDING), ("languages", ASCENDING)], name="tenant_languages")

    async def put(self, doc: dict[str, Any]) -> None:
        # Filters by _id only: FerretDB 1.x pushes nothing else down to SQLite, so a filter on the version too would
        # scan the collection. The version check keeps a slow writer from replacing a newer state with an older one.
        coll = self._coll(doc["kind"])
        stored = await coll.find_one({"_id": doc["_id"]}, {"version": 1})
        if stored is None or stored["version"] <= doc["version"]:
            await coll.replace_one({"_id": doc["_id"]}, doc, upsert=True)

    async def get(self, kind: Kind, entity_id: str) -> dict[str, Any] | None:
        return await self._coll(kind).find_one({"_id": entity_id})

    async def many(self, kind: Kind, ids: Sequence[str]) -> list[dict[str, Any]]:
        if not ids:
            return []
        return await self._coll(kind).find({"_id": {"$in": list(set(ids))}}).sort("_id", ASCENDING).to_list()

    async def find(self, kind: Kind, tenant: str, *, statuses: Sequence[str] | None = None,
                   themes: Sequence[str] | None = None, language: str | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"tenant": tenant}
        if statuses is not None:
            query["status"] = {"$in": list(statuses)}
        if themes is not None:
            query["themes_all"] = {"$in": list(themes)}
        if language is not None:
            query["languages"] = language
        return await self._coll(kind).find(query).sort("_id", ASCENDING).to_list()
