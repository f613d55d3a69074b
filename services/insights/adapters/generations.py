"""Generations of the views: a rebuild projects into fresh collections `g{N}_…`, then `_meta.active` switches to it.

Generation numbers are drawn from a counter and never reused, so a generation's consumer group
(`{topic_prefix}insights-g{N}`) is always fresh when its rebuild starts, even after a rebuild that crashed half-way.
"""
from __future__ import annotations

import re
import time
from collections.abc import Collection
from typing import Any

from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.plumbing.projection.store import ProjectionStore

META = "_meta"
FIRST = 1


def prefix(generation: int) -> str:
    return f"g{generation}_"


class Generations:
    """Which generation of views is live; queries read it through `current()` (cached for `cache_seconds`)."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str, cache_seconds: float = 1.0,
                 packed: Collection[str] = ()) -> None:
        self.client, self.database = client, database
        self.packed = packed
        self.meta = client[database][META]
        self.cache_seconds = cache_seconds
        self._cached: tuple[float, int] | None = None

    def store(self, generation: int) -> ProjectionStore:
        return ProjectionStore(self.client, self.database, prefix(generation), self.packed)

    async def active(self, fresh: bool = False) -> int:
        now = time.monotonic()
        if not fresh and self._cached is not None and now - self._cached[0] < self.cache_seconds:
            return self._cached[1]
        doc = await self._upsert("active", {"$setOnInsert": {"generation": FIRST}})
        self._cached = (now, doc["generation"])
        return doc["generation"]

    async def current(self) -> ProjectionStore:
        return self.store(await self.active())

    async def new(self) -> int:
        """A generation number never used before."""
        active = await self.active(fresh=True)
        await self._upsert("counter", {"$max": {"last": active}})
        doc = await self.meta.find_one_and_update(
            {"_id": "counter"}, {"$inc": {"last": 1}}, return_document=ReturnDocument.AFTER)
        return int(doc["last"])

    async def _upsert(self, doc_id: str, update: dict[str, Any]) -> dict[str, Any]:
        try:
            return await self.meta.find_one_and_update({"_id": doc_id}, update, upsert=True,
                                                       return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:  # a concurrent first upsert won; ours now updates the existing document
            return await self.meta.find_one_and_update({"_id": doc_id}, update, return_document=ReturnDocument.AFTER)

    async def activate(self, generation: int) -> None:
        await self.meta.update_one({"_id": "active"}, {"$set": {"generation": generation}}, upsert=True)
        self._cached = None

    async def drop(self, generation: int) -> None:
        db = self.client[self.database]
        for name in await db.list_collection_names():
            if name.startswith(prefix(generation)):
                await db.drop_collection(name)

    async def drop_all_but(self, generation: int) -> None:
        """Drop every other generation: the one replaced, and any a crashed rebuild left half-written."""
        db = self.client[self.database]
        for name in await db.list_collection_names():
            if re.match(r"g\d+_", name) and not name.startswith(prefix(generation)):
                await db.drop_collection(name)
