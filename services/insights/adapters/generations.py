"""Generations of the views: a rebuild projects into fresh collections `g{N}_…`, then `_meta.active` switches to it.

Generation numbers are drawn from a counter and never reused, so a generation's consumer group
(`{topic_prefix}insights-g{N}`) is always fresh when its rebuild starts, even after a rebuild that crashed half-way.
"""
from __future__ import annotations

import re
import time
from collections.abc import Collection, Mapping
from typing import Any

from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.plumbing.projection.store import LAYOUT, ProjectionStore

META = "_meta"
FIRST = 1


def prefix(generation: int) -> str:
    return f"g{generation}_"


class Generations:
    """Which generation of views is live; queries read it through `current()` (cached for `cache_seconds`).

    `_meta.active` also records the version of each view the generation was built with (`Composite.versions`): the
    first generation's when the live process starts it, a rebuild's when it switches. A release whose projection
    counts a view otherwise (or adds one) finds an older version there: queries of those views answer
    FAILED_PRECONDITION (`StaleViews`) until `wegwijs-insights rebuild` switches to views built by this release; the
    other views keep answering."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str, cache_seconds: float = 1.0,
                 packed: Collection[str] = (), versions: Mapping[str, str] | None = None) -> None:
        self.client, self.database = client, database
        self.packed = packed
        # Each view's projection version with the store's layout: a change of either makes the view stale.
        self.versions = {view: f"{version} {LAYOUT}" for view, version in (versions or {}).items()}
        self.meta = client[database][META]
        self.cache_seconds = cache_seconds
        self._cached: tuple[float, int, frozenset[str], bool] | None = None

    def store(self, generation: int, stale: Collection[str] = ()) -> ProjectionStore:
        return ProjectionStore(self.client, self.database, prefix(generation), self.packed, stale)

    async def active(self, fresh: bool = False) -> int:
        return (await self._read(fresh))[0]

    async def _read(self, fresh: bool = False) -> tuple[int, frozenset[str], bool]:
        """The active generation, its views built otherwise than by this release, and whether this release built it
        (every view it records as this release would, and no other)."""
        now = time.monotonic()
        if not fresh and self._cached is not None and now - self._cached[0] < self.cache_seconds:
            return self._cached[1:]
        doc = await self._upsert("active", {"$setOnInsert": {"generation": FIRST, "views": self.versions}})
        built = doc.get("views") or {}
        stale = frozenset(v for v, version in self.versions.items() if built.get(v) != version)
        self._cached = (now, doc["generation"], stale, built == self.versions)
        return self._cached[1:]

    async def built_here(self) -> tuple[int, bool]:
        """The active generation (read now) and whether this release built it: a live process projects only into
        such a generation — into one with a view this release does not know, or counts otherwise, it would leave
        counts no check finds."""
        generation, _, ours = await self._read(fresh=True)
        return generation, ours

    async def stale(self) -> frozenset[str]:
        """The views of the active generation built by another version than this release's (a rebuild makes them
        current)."""
        return (await self._read(fresh=True))[1]

    async def current(self) -> ProjectionStore:
        """The active generation's views, for queries (those built by another release refuse to be read)."""
        generation, stale, _ = await self._read()
        return self.store(generation, stale)

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
        """Switch to `generation`, built by this release (its views' versions recorded with it)."""
        await self.meta.update_one({"_id": "active"}, {"$set": {"generation": generation, "views": self.versions}},
                                   upsert=True)
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
