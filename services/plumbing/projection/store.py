"""MongoDB side of the projection runner: guarded view updates and stream positions, one bulk write each per batch."""
from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from pymongo import AsyncMongoClient, UpdateOne
from pymongo.errors import BulkWriteError
from pymongo.asynchronous.database import AsyncDatabase

from services.plumbing.projection.model import DocUpdate, SeenStream

SEEN = "_seen_streams"
CHANGES = "_changes"
DUPLICATE_KEY = 11000
# FerretDB 1.24 (SQLite) holds one connection per update of a bulk until the bulk ends, with at most 100 per database:
# a bulk of 100 or more updates waits forever for a connection. Bulks of updates are cut into chunks below that.
UPDATES_PER_BULK = 64
LOOKUPS_IN_FLIGHT = 16
SCANNED_PER_LOOKUP = 16  # measured on FerretDB 1.24/SQLite: a 1,000-id $in over 30k documents vs 1,000 lookups
INSERT_CHUNK = 10_000


class ProjectionStore:
    """The views of one generation live in one database; `prefix` names the collections of that generation."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str, prefix: str = "") -> None:
        self.db: AsyncDatabase[dict[str, Any]] = client[database]
        self.prefix = prefix

    async def current(self) -> ProjectionStore:
        """The store queries should read now: this one (a generation-aware source may pick another)."""
        return self

    def collection(self, view: str) -> Any:
        return self.db[self.prefix + view]

    async def changes(self) -> int:
        """How many batches may have changed the views so far (0 before the first): an answer read from the views
        while this was n is current for as long as it stays n."""
        doc = await self.collection(CHANGES).find_one({"_id": CHANGES})
        return int(doc["n"]) if doc else 0

    async def changed(self) -> None:
        """Count a batch that may have changed the views: after writing them, before storing the stream positions."""
        await self.collection(CHANGES).update_one({"_id": CHANGES}, {"$inc": {"n": 1}}, upsert=True)

    async def empty(self, views: Iterable[str]) -> bool:
        """No document in any of `views` nor in the stream positions (a generation nothing was written to)."""
        for name in (*views, SEEN):
            if await self.collection(name).find_one({}, {"_id": 1}) is not None:
                return False
        return True

    async def seen(self, stream_ids: Iterable[str], at_most: int | None = None) -> dict[str, SeenStream]:
        """Stored positions of these streams. `at_most`: how many positions can be stored at all (the records read
        so far bound it), unknown if None.

        FerretDB 1.x finds an `_id` equality by its index but reads every document for `$in`, and there is one
        position per stream ever seen: `$in` while the collection is small, one `_id` at a time once reading it all
        would cost more than the lookups (one lookup costs about what a scan of `SCANNED_PER_LOOKUP` documents does).
        """
        ids, col = list(set(stream_ids)), self.collection(SEEN)
        if at_most is not None and at_most <= SCANNED_PER_LOOKUP * len(ids):
            found = await col.find({"_id": {"$in": ids}}).to_list()
        else:
            found = []
            for start in range(0, len(ids), LOOKUPS_IN_FLIGHT):
                found += await asyncio.gather(*(col.find_one({"_id": s})
                                                for s in ids[start:start + LOOKUPS_IN_FLIGHT]))
        return {d["_id"]: SeenStream(d["v"], d["o"], d.get("c", {})) for d in found if d is not None}

    async def remember(self, changed: Mapping[str, SeenStream], known: Collection[str] = ()) -> None:
        """Store new stream positions: inserts for streams not `known` (much cheaper than upserts), updates else."""
        new = [{"_id": s, "v": p.version, "o": p.offset, "c": dict(p.case)} for s, p in changed.items() if s not in known]
        for start in range(0, len(new), INSERT_CHUNK):
            chunk = new[start:start + INSERT_CHUNK]
            try:
                await self.collection(SEEN).insert_many(chunk, ordered=False)
            except BulkWriteError as exc:  # written by an earlier attempt of this batch: update those instead
                if any(e["code"] != DUPLICATE_KEY for e in exc.details["writeErrors"]):
                    raise
                known = {*known, *(chunk[e["index"]]["_id"] for e in exc.details["writeErrors"])}
        updates = [UpdateOne({"_id": s}, {"$set": {"v": p.version, "o": p.offset, "c": dict(p.case)}})
                   for s, p in changed.items() if s in known]
        await _bulk(self.collection(SEEN), updates)

    async def guards(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        by_view: dict[str, list[str]] = defaultdict(list)
        for view, did in wanted:
            by_view[view].append(did)
        found: dict[tuple[str, str], int] = {}
        for view, ids in by_view.items():
            async for d in self.collection(view).find({"_id": {"$in": ids}}, {"_offset": 1}):
                found[(view, d["_id"])] = d["_offset"]
        return found

    async def apply(self, updates: Sequence[DocUpdate], existing: Collection[tuple[str, str]] = ()) -> None:
        """Per view, one insert of the new documents and one bulk update of the `existing` ones: counters incremented
        and guard moved in the same single-document write. (Inserts instead of upserts: far cheaper on FerretDB.)
        Facts are written by the insert only, so an existing document keeps the ones it was created with."""
        by_view: dict[str, list[DocUpdate]] = defaultdict(list)
        for u in updates:
            by_view[u.view].append(u)
        for view, ups in by_view.items():
            new = [u for u in ups if (view, u.doc_id) not in existing]
            retry = await self._insert(view, new)
            await _bulk(self.collection(view),
                        [_update(u) for u in ups if (view, u.doc_id) in existing or u.doc_id in retry])

    async def _insert(self, view: str, new: Sequence[DocUpdate]) -> set[str]:
        """Insert new documents; returns the ids that turned out to exist already (they need an update)."""
        if not new:
            return set()
        try:
            await self.collection(view).insert_many(
                [{**u.facts, "_id": u.doc_id, **u.key, **u.inc, "_offset": u.offset} for u in new], ordered=False)
        except BulkWriteError as exc:
            if any(e["code"] != DUPLICATE_KEY for e in exc.details["writeErrors"]):
                raise
            return {new[e["index"]].doc_id for e in exc.details["writeErrors"]}
        return set()


async def _bulk(collection: Any, updates: Sequence[UpdateOne]) -> None:
    """Unordered bulk updates, `UPDATES_PER_BULK` at a time (see there why)."""
    for start in range(0, len(updates), UPDATES_PER_BULK):
        await collection.bulk_write(updates[start:start + UPDATES_PER_BULK], ordered=False)


def _update(u: DocUpdate) -> UpdateOne:
    return UpdateOne({"_id": u.doc_id}, {"$inc": u.inc, "$set": {"_offset": u.offset}})
