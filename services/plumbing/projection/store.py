"""MongoDB side of the projection runner: guarded view updates and stream positions, one bulk write each per batch.

A view may be packed (`packed`): its documents — the cells of the view, each with a `tenant` and a `month` — are then
kept together per tenant and year, from every source partition, in one stored document `{_id: "<tenant>|<year>",
tenant, year, z: <zlib of the JSON {"c": {cell id: cell}, "g": {source: guard offset}}>, _v: <writes>}`. FerretDB
1.x decodes every document of a collection for any filter but an `_id` equality (≈ 100 µs per small document) and
its cost grows with the values and bytes it decodes: a municipality's half year of a view as 650 documents of their
own read in ≈ 100 ms, as 18 documents of JSON text (per month and source) ≈ 11 ms, compressed ≈ 5 ms; one document
per tenant and year also keeps a view's collection small as years of history pile up. `documents` gives the cells
back as documents, whichever way a view is stored.
"""
from __future__ import annotations

import asyncio
import json
import operator
import zlib
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from bson import Binary
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.errors import BulkWriteError, PyMongoError
from pymongo.asynchronous.database import AsyncDatabase

from services.plumbing.errors import FailedPrecondition
from services.plumbing.projection.model import DocUpdate, SeenStream

SEEN = "_seen_"  # + shard number: the stream positions
CHANGES = "_changes"
DUPLICATE_KEY = 11000
# FerretDB 1.24 (SQLite) holds one connection per update of a bulk until the bulk ends, with at most 100 per database:
# a bulk of 100 or more updates waits forever for a connection. Bulks of updates are cut into chunks below that.
UPDATES_PER_BULK = 64
# FerretDB 1.x uses no index to find a document, not even for `_id`: a lookup reads every document of its collection,
# about 2.5 ns per stored byte (measured on 1.24/SQLite). So the stream positions (one per stream ever seen, a million
# after a million questions) are spread over SHARDS collections by a hash of the stream id, and a rebuild stores them
# packed, PACKS per shard (found by a second hash), instead of one document per stream.
SHARDS = 64
PACKS = 32
PACK = "~pack:"
SHARDS_IN_FLIGHT = 8
INSERT_CHUNK = 10_000
PACKED = "z"  # a packed document's field holding its cells and guards, compressed JSON
# How the store lays views out (documents, packs, stream positions): a generation records it with each view's
# version, so a release that changes it finds every view stale (`Generations`). Raise it with such a change.
LAYOUT = "store.v2"  # v2: views with tenant and month packed per tenant and year (623d407)
VERSION = "_v"  # a packed document's count of writes: each write is on condition that it is still the one read


class ConcurrentWrite(PyMongoError):
    """A packed document changed between this batch's read of it and its write: another runner wrote the partition
    (a rebalance). The batch fails as when the database is away, and is read again from the committed offsets."""


def shard_of(stream_id: str) -> tuple[int, str]:
    """The shard of a stream's position and the id of the pack a rebuild puts it in."""
    h = zlib.crc32(stream_id.encode())
    return h % SHARDS, f"{PACK}{(h // SHARDS) % PACKS}"


class ProjectionStore:
    """The views of one generation live in one database; `prefix` names the collections of that generation."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str, prefix: str = "",
                 packed: Collection[str] = (), stale: Collection[str] = ()) -> None:
        self.db: AsyncDatabase[dict[str, Any]] = client[database]
        self.prefix = prefix
        self.packed = frozenset(packed)
        self.stale = frozenset(stale)  # views this generation holds by other rules than this release's: not read
        # Packed documents `guards` read, (view, id) → (write count, cells and guards), for the `apply` after it: one
        # read per batch. A copy another writer has since overtaken only fails the conditional write (ConcurrentWrite).
        self._read: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}

    async def current(self) -> ProjectionStore:
        """The store queries should read now: this one (a generation-aware source may pick another)."""
        return self

    def collection(self, view: str) -> Any:
        if self.stale and view in self.stale:
            raise StaleViews(f"view {view!r} of the active generation was built by another release of insights (it "
                             "counts otherwise now, or did not exist); run `wegwijs-insights rebuild`")
        return self.db[self.prefix + view]

    async def documents(self, view: str, match: Mapping[str, Any] | None = None,
                        fields: Iterable[str] | None = None) -> AsyncIterator[dict[str, Any]]:
        """The view's documents (cells of a packed view, summed over source partitions) whose fields match `match` (a
        MongoDB filter; on a packed view only equalities and the comparisons in `COMPARE`), without `_id` and
        `_offset`; `fields`: only these (others may come along from packed cells)."""
        match = dict(match or {})
        if view not in self.packed:
            wanted = dict.fromkeys(fields, 1) if fields is not None else {"_offset": 0}
            async for d in self.collection(view).find(match, {"_id": 0, **wanted}):
                yield d
            return
        accept = _matcher(view, match)
        # With any document of an older release's layout (which the filter by year would not find): `StaleLayout`.
        wanted = {"$or": [_pack_filter(match), {PACKED: {"$exists": False}}]}
        async for d in self.collection(view).find(wanted, {PACKED: 1}):
            for cell in _unpack_cells(d)["c"].values():
                if accept(cell):
                    yield cell

    async def changes(self) -> int:
        """How many batches may have changed the views so far (0 before the first): an answer read from the views
        while this was n is current for as long as it stays n."""
        doc = await self.collection(CHANGES).find_one({"_id": CHANGES})
        return int(doc["n"]) if doc else 0

    async def changed(self) -> None:
        """Count a batch that may have changed the views: after writing them, before storing the stream positions."""
        await self.collection(CHANGES).update_one({"_id": CHANGES}, {"$inc": {"n": 1}}, upsert=True)

    async def empty(self, views: Iterable[str]) -> bool:
        """No document in any of `views` and no batch counted (a generation nothing was written to; stream positions
        are only ever stored after a counted batch)."""
        for name in (*views, CHANGES):
            if await self.collection(name).find_one({}, {"_id": 1}) is not None:
                return False
        return True

    def positions(self, shard: int) -> Any:
        return self.collection(f"{SEEN}{shard:02d}")

    async def seen(self, stream_ids: Iterable[str]) -> dict[str, SeenStream]:
        """Stored positions of these streams: one read per shard they fall in, of their own documents and the packs
        they may be in (a stream's own document, written after the rebuild, wins over its pack entry)."""
        wanted: dict[int, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
        for s in stream_ids:
            shard, pack = shard_of(s)
            ids, packs = wanted[shard]
            ids.add(s)
            packs.add(pack)
        found: dict[str, SeenStream] = {}

        async def read(shard: int, ids: set[str], packs: set[str]) -> None:
            own = {}
            # one `$in` of the ids and packs: read from the `_id` index (MongoDB; the FerretDB of deploy/local/stack,
            # patched); FerretDB as released decodes the whole collection for it
            docs = await self.positions(shard).find({"_id": {"$in": [*ids, *packs]}}).to_list()
            for d in docs:
                if d["_id"].startswith(PACK):
                    found.update({s: SeenStream(*p) for s, p in _unpack(d).items() if s in ids})
                else:
                    own[d["_id"]] = SeenStream(d["v"], d["o"], d.get("c", {}), own_document=True)
            found.update(own)

        shards = list(wanted.items())
        for start in range(0, len(shards), SHARDS_IN_FLIGHT):
            await asyncio.gather(*(read(shard, *w) for shard, w in shards[start:start + SHARDS_IN_FLIGHT]))
        return found

    async def remember(self, changed: Mapping[str, SeenStream], known: Collection[str] = ()) -> None:
        """Store new stream positions, each in a document of its own: inserts for streams not `known` to have one
        (much cheaper than upserts), updates else."""
        by_shard: dict[int, dict[str, SeenStream]] = defaultdict(dict)
        for s, p in changed.items():
            by_shard[shard_of(s)[0]][s] = p
        for shard, positions in sorted(by_shard.items()):
            await self._remember(self.positions(shard), positions, known)

    async def _remember(self, col: Any, changed: Mapping[str, SeenStream], known: Collection[str]) -> None:
        new = [{"_id": s, "v": p.version, "o": p.offset, "c": dict(p.case)} for s, p in changed.items() if s not in known]
        for start in range(0, len(new), INSERT_CHUNK):
            chunk = new[start:start + INSERT_CHUNK]
            try:
                await col.insert_many(chunk, ordered=False)
            except BulkWriteError as exc:  # written by an earlier attempt of this batch: update those instead
                if any(e["code"] != DUPLICATE_KEY for e in exc.details["writeErrors"]):
                    raise
                known = {*known, *(chunk[e["index"]]["_id"] for e in exc.details["writeErrors"])}
        updates = [UpdateOne({"_id": s}, {"$set": {"v": p.version, "o": p.offset, "c": dict(p.case)}})
                   for s, p in changed.items() if s in known]
        await _bulk(col, updates)

    async def remember_packed(self, parts: Iterable[Mapping[tuple[int, str], bytes]]) -> None:
        """Store the positions of a rebuild into a fresh generation (no position stored yet): PACKS documents per
        shard instead of one per stream, each holding the fragments `pack_positions` made of its streams (one per
        folder: a worker process each)."""
        packs: dict[int, dict[str, list[Binary]]] = defaultdict(lambda: defaultdict(list))
        for part in parts:
            for (shard, pack), fragment in part.items():
                packs[shard][pack].append(Binary(fragment))
        for shard, docs in sorted(packs.items()):
            await self.positions(shard).insert_many([{"_id": pack, "z": z} for pack, z in docs.items()])

    async def count_positions(self) -> int:
        """How many streams have a stored position (for tests and benchmarks: reads every shard)."""
        streams: set[str] = set()
        for shard in range(SHARDS):
            async for d in self.positions(shard).find({}):
                streams.update(_unpack(d)) if d["_id"].startswith(PACK) else streams.add(d["_id"])
        return len(streams)

    async def guards(self, wanted: Mapping[tuple[str, str], Mapping[str, Any]]) -> dict[tuple[str, str], int]:
        """The guard offsets of the view documents (view, document id → its key) that exist (of a packed view: whose
        packed document holds a guard for the document's source)."""
        by_view: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for (view, did), key in wanted.items():
            by_view[view][self.stored_id(view, key, did)].append(did)
        found: dict[tuple[str, str], int] = {}
        self._read = {}
        for view, ids in by_view.items():
            if view in self.packed:
                async for d in self.collection(view).find({"_id": {"$in": list(ids)}}):
                    body = _unpack_cells(d)
                    self._read[(view, d["_id"])] = (d[VERSION], body)
                    guards = body["g"]
                    found.update({(view, did): guards[src] for did in ids[d["_id"]]
                                  if (src := _split(did)[1]) in guards})
                continue
            async for d in self.collection(view).find({"_id": {"$in": list(ids)}}, {"_offset": 1}):
                found.update({(view, did): d["_offset"] for did in ids[d["_id"]]})
        return found

    async def apply(self, updates: Sequence[DocUpdate], existing: Collection[tuple[str, str]] = ()) -> None:
        """Per view, one insert of the new documents and one bulk update of the `existing` ones: counters incremented
        and guard moved in the same single-document write. (Inserts instead of upserts: far cheaper on FerretDB.)
        Facts are written by the insert only, so an existing document keeps the ones it was created with."""
        by_view: dict[str, list[DocUpdate]] = defaultdict(list)
        for u in updates:
            by_view[u.view].append(u)
        read, self._read = self._read, {}
        for view, ups in by_view.items():
            if view in self.packed:
                await self._apply_packed(view, ups, read)
                continue
            new = [u for u in ups if (view, u.doc_id) not in existing]
            retry = await self._insert(view, new)
            await _bulk(self.collection(view),
                        [_update(u) for u in ups if (view, u.doc_id) in existing or u.doc_id in retry])

    def stored_id(self, view: str, key: Mapping[str, Any], doc_id: str) -> str:
        """The id of the stored document holding view document `doc_id`: its own, or that of its pack."""
        return f"{key['tenant']}|{key['month'][:4]}" if view in self.packed else doc_id

    async def _apply_packed(self, view: str, updates: Sequence[DocUpdate],
                            read: Mapping[tuple[str, str], tuple[int, dict[str, Any]]]) -> None:
        """Each packed document the updates fall in (as `guards` read it, else read now), its cells changed and the
        guards of their sources moved up, written back whole (one single-document write: cells and guards together)
        on condition that no other write came between (`_v`)."""
        packs: dict[str, list[DocUpdate]] = defaultdict(list)
        for u in updates:
            packs[self.stored_id(view, u.key, u.doc_id)].append(u)
        col = self.collection(view)
        stored = {pid: read[(view, pid)] for pid in packs if (view, pid) in read}
        if unread := [pid for pid in packs if pid not in stored]:
            stored.update({d["_id"]: (d[VERSION], _unpack_cells(d))
                           async for d in col.find({"_id": {"$in": unread}})})
        if len(stored) < len(packs) and (old := await col.find_one({PACKED: {"$exists": False}})) is not None:
            _unpack_cells(old)  # an older release's documents: no packed document may be added to them
        new, changed = [], []
        for pid, ups in packs.items():
            version, body = stored.get(pid, (0, {"c": {}, "g": {}}))
            cells, guards = body["c"], body["g"]
            for u in ups:
                cid, source = _split(u.doc_id)
                if (cell := cells.get(cid)) is None:
                    cells[cid] = {**u.facts, **u.key, **u.inc}
                else:
                    for name, n in u.inc.items():
                        cell[name] = cell.get(name, 0) + n
                if u.offset > guards.get(source, -1):
                    guards[source] = u.offset
            packed = Binary(zlib.compress(json.dumps(body, separators=(",", ":"), sort_keys=True).encode(), 1))
            if not version:
                key = ups[0].key
                new.append({"_id": pid, "tenant": key["tenant"], "year": key["month"][:4], PACKED: packed, VERSION: 1})
            else:
                changed.append(UpdateOne({"_id": pid, VERSION: version},
                                         {"$set": {PACKED: packed, VERSION: version + 1}}))
        if new:
            try:
                await col.insert_many(new, ordered=False)
            except BulkWriteError as exc:
                if any(e["code"] != DUPLICATE_KEY for e in exc.details["writeErrors"]):
                    raise
                raise ConcurrentWrite(f"{view}: a packed document was inserted by another writer") from exc
        for start in range(0, len(changed), UPDATES_PER_BULK):
            chunk = changed[start:start + UPDATES_PER_BULK]
            if (await col.bulk_write(chunk, ordered=False)).matched_count < len(chunk):
                raise ConcurrentWrite(f"{view}: a packed document was written by another writer since it was read")

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


def pack_positions(positions: Mapping[str, SeenStream]) -> dict[tuple[int, str], bytes]:
    """Positions as fragments of packs, by (shard, pack id): the JSON of {stream: [version, offset, case]}, compressed.
    One compressed value per pack and folder: FerretDB's cost of a write or a scan grows with the number of BSON values
    and bytes (packs as arrays of documents took longer to insert than one document per stream). Streams share equal
    cases (`shared_case`), so each shared case is encoded once."""
    packs: dict[int, list[str]] = {}
    cases: dict[int, str] = {}
    dumps, quote = json.JSONEncoder(separators=(",", ":")).encode, json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
    crc, where = zlib.crc32, SHARDS * PACKS  # `shard_of` as one number: shard + SHARDS * pack
    for s, p in positions.items():
        if (case := cases.get(id(p.case))) is None:
            case = cases[id(p.case)] = dumps(p.case)
        entry = f"{quote(s)}:[{p.version},{p.offset},{case}]"
        if (entries := packs.get(at := crc(s.encode()) % where)) is None:
            packs[at] = [entry]
        else:
            entries.append(entry)
    return {(at % SHARDS, f"{PACK}{at // SHARDS}"): zlib.compress(("{" + ",".join(entries) + "}").encode(), 1)
            for at, entries in packs.items()}


class StaleViews(FailedPrecondition):
    """A query of a view the active generation was built without, or by an older version of its projection
    (`Projection.version`): its counts would be partial or counted by other rules. Rebuild; other views answer."""


class StaleLayout(FailedPrecondition):
    """A packed view's collection holds documents of the layout before views were packed (a generation written by an
    older release): rebuild it. A query gets FAILED_PRECONDITION saying so; the live runner stops, logging it."""


def _unpack_cells(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A packed document's {"c": cells by id, "g": guard offsets by source}."""
    if PACKED not in doc:
        raise StaleLayout(f"view document {doc.get('_id')!r} is not packed: its generation was written by an older "
                          "release; run `wegwijs-insights rebuild`")
    return json.loads(zlib.decompress(doc[PACKED]))  # type: ignore[no-any-return]


def _split(doc_id: str) -> tuple[str, str]:
    """A view document's id (`model.doc_id`) as its cell id in a pack and its source partition."""
    cell, _, source = doc_id.rpartition("@")
    return cell, source


COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "$gte": operator.ge, "$gt": operator.gt, "$lte": operator.le, "$lt": operator.lt, "$in": lambda v, c: v in c}


def _matcher(view: str, match: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    """`match` (equalities, and the comparisons in COMPARE) as a test of a packed view's cells."""
    tests: list[tuple[str, Callable[[Any, Any], bool], Any]] = []
    for name, cond in match.items():
        if not isinstance(cond, dict):
            tests.append((name, operator.eq, cond))
            continue
        for op, value in cond.items():
            if op not in COMPARE:
                raise ValueError(f"{view} is packed: {name} {op} cannot be asked of it")
            tests.append((name, COMPARE[op], value))
    return lambda cell: all(f in cell and test(cell[f], value) for f, test, value in tests)


def _pack_filter(match: Mapping[str, Any]) -> dict[str, Any]:
    """What the database can filter of a packed view's documents: the tenant, and the years of a month condition (a
    bound within a year keeps that year: its cells are tested one by one after)."""
    found: dict[str, Any] = {}
    if isinstance(tenant := match.get("tenant"), str):
        found["tenant"] = tenant
    month = match.get("month")
    if isinstance(month, str):
        found["year"] = month[:4]
    elif isinstance(month, dict):
        bounds = {"$gte": "$gte", "$gt": "$gte", "$lte": "$lte", "$lt": "$lte"}
        if years := {bounds[op]: str(v)[:4] for op, v in month.items() if op in bounds}:
            found["year"] = years
    return found


def _unpack(doc: Mapping[str, Any]) -> dict[str, list[Any]]:
    entries: dict[str, list[Any]] = {}
    for fragment in doc["z"]:
        entries.update(json.loads(zlib.decompress(fragment)))
    return entries


async def _bulk(collection: Any, updates: Sequence[UpdateOne]) -> None:
    """Unordered bulk updates, `UPDATES_PER_BULK` at a time (see there why)."""
    for start in range(0, len(updates), UPDATES_PER_BULK):
        await collection.bulk_write(updates[start:start + UPDATES_PER_BULK], ordered=False)


def _update(u: DocUpdate) -> UpdateOne:
    return UpdateOne({"_id": u.doc_id}, {"$inc": u.inc, "$set": {"_offset": u.offset}})
