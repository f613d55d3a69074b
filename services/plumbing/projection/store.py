"""MongoDB side of the projection runner: guarded view updates and stream positions, one bulk write each per batch."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pymongo import AsyncMongoClient, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from services.plumbing.projection.model import DocUpdate, SeenStream

SEEN = "_seen_streams"


class ProjectionStore:
    """The views of one generation live in one database; `prefix` names the collections of that generation."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str, prefix: str = "") -> None:
        self.db: AsyncDatabase[dict[str, Any]] = client[database]
        self.prefix = prefix

    def collection(self, view: str) -> Any:
        return self.db[self.prefix + view]

    async def seen(self, stream_ids: Iterable[str]) -> dict[str, SeenStream]:
        docs = await self.collection(SEEN).find({"_id": {"$in": list(set(stream_ids))}}).to_list()
        return {d["_id"]: SeenStream(d["v"], d["o"]) for d in docs}

    async def remember(self, changed: Mapping[str, SeenStream]) -> None:
        if changed:
            await self.collection(SEEN).bulk_write(
                [UpdateOne({"_id": s}, {"$set": {"v": p.version, "o": p.offset}}, upsert=True)
                 for s, p in changed.items()], ordered=False)

    async def guards(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        by_view: dict[str, list[str]] = defaultdict(list)
        for view, did in wanted:
            by_view[view].append(did)
        found: dict[tuple[str, str], int] = {}
        for view, ids in by_view.items():
            async for d in self.collection(view).find({"_id": {"$in": ids}}, {"_offset": 1}):
                found[(view, d["_id"])] = d["_offset"]
        return found

    async def apply(self, updates: Sequence[DocUpdate]) -> None:
        """One bulk write per view: counters incremented and guard moved in the same document update."""
        by_view: dict[str, list[UpdateOne]] = defaultdict(list)
        for u in updates:
            by_view[u.view].append(UpdateOne(
                {"_id": u.doc_id},
                {"$inc": u.inc, "$set": {"_offset": u.offset}, "$setOnInsert": dict(u.key)},
                upsert=True))
        for view, ops in by_view.items():
            await self.collection(view).bulk_write(ops, ordered=False)
