"""MongoDB event store: one document per commit in the service's own database.

Every hot read is a lookup by `_id`, the one filter FerretDB's SQLite backend answers from an index:
- a commit's `_id` is `<stream_id>|<first_version>` (zero-padded), so the primary key itself is the optimistic
  concurrency check, and a stream loads by probing its commits in version order;
- a command id counts once per municipality (the unique index on `commits` is on `tenant` + `command_id`): the same
  id used in another municipality is a command of its own, never answered from there;
- a retried command on an existing stream is found through `commands` (`_id` = `<tenant>|<command id>`), written
  right after its commit; a command that starts a stream writes no marker (one insert less for every creation): its retry, like
  the retry of a command whose marker was lost in a crash, is refused by the unique index on `commits`
  and answered from the first commit, found by a scan on that rare path;
- a commit is never changed, so the events a process loaded or appended are kept for its most recently used streams
  (`CACHED_STREAMS`): a load of a stream read before reads only the commits after them (one probe when none,
  another process's appends included), a `cached` load (a command's first attempt) reads nothing, and nor does
  `first` of such a stream; an append refused on the stream's version drops what was kept of it;
- an append refused by a unique key is told apart with reads by `_id`: the command's marker (a retry), the commit
  holding the version (the command's own first attempt whose answer was lost, or another command: a conflict),
  and only when neither says, a scan for the command id used on another stream;
- the relay's queue of unpublished commits is kept in memory for the commits this process appended, after one scan
  at start for what an earlier process left unpublished; an insert the database went away during may have been
  taken or not: the commit is queued as in doubt and kept only if the database has it when it answers again, before
  the relay sends anything, and a retried command answered by an earlier commit queues that one if it is unpublished
  (its first attempt may have been stored by an insert whose answer was lost);
- publication is recorded by inserting a marker into `published` (`_id` = the commit's), never by updating the
  commit: FerretDB's updates read the whole collection, inserts do not;
- a commit Kafka refused for good is recorded in `parked` (`_id` = its stream: one parked commit per stream, as the
  stream's later commits wait behind it), a small collection read again at every `parked()`; an operator's resolve
  writes the commit's `published` marker with a `resolved` field (never published, never to be).
No transactions and no change streams: one commit is one document.
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.errors import BulkWriteError, ConnectionFailure, DuplicateKeyError, ServerSelectionTimeoutError

from contracts.envelope import Envelope, utcnow
from services.plumbing import records
from services.plumbing.eventstore.ports import Commit, ConcurrencyError, Parked, StoreUnavailable

COMMITS, COMMANDS, PUBLISHED, PARKED = "commits", "commands", "published", "parked"
UNSCOPED_INDEX = "command_unique"  # the index of before command ids were per municipality: dropped
DUPLICATE_KEY = 11000
CACHED_STREAMS = 4096  # streams whose events a process keeps (a few MB): the ones its commands touch next


def commit_key(stream_id: str, first_version: int) -> str:
    return f"{stream_id}|{first_version:010d}"


def command_key(tenant: str, command_id: str) -> str:
    """The `_id` of a command marker: a command id is the caller's within its municipality."""
    return f"{tenant}|{command_id}"


class MongoEventStore:
    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str,
                 max_record_bytes: int | None = records.MAX_MESSAGE_BYTES) -> None:
        self._commits = client[database][COMMITS]
        self._commands = client[database][COMMANDS]
        self._published = client[database][PUBLISHED]
        self._parked = client[database][PARKED]
        self._max_record_bytes = max_record_bytes
        self._pending: dict[str, Commit] = {}
        self._doubtful: set[str] = set()  # queued commits whose insert the database may not have taken
        self._waiting: dict[str, str] = {}  # stream id → its parked commit's id: the stream's commits wait
        self._scanned = False
        self._scans: dict[tuple[str | None, str], asyncio.Task[Commit | None]] = {}  # running scans
        self._known = _Streams(CACHED_STREAMS)

    async def create_indexes(self) -> None:
        if UNSCOPED_INDEX in await self._commits.index_information():
            await self._commits.drop_index(UNSCOPED_INDEX)
        await self._commits.create_index([("tenant", 1), ("command_id", 1)], unique=True, name="command_per_tenant")

    async def append(self, commit: Commit) -> Commit:
        records.check(commit.events, self._max_record_bytes)
        try:
            await _guard(self._commits.insert_one(_to_doc(commit)))
        except StoreUnavailable:
            self._pending[commit.commit_id] = commit  # in its place in the queue, if the database took it
            self._doubtful.add(commit.commit_id)
            raise
        except DuplicateKeyError:
            self._known.forget(commit.stream_id)  # behind what is stored: read again by the next load
            if (earlier := await self._earlier(commit)) is not None:
                return earlier
            raise ConcurrencyError(f"stream {commit.stream_id} already has version {commit.first_version}") from None
        self._pending[commit.commit_id] = commit
        self._known.appended(commit)
        if commit.first_version > 1:  # a retried creation is refused by the unique command_id index instead
            await self._remember_command(commit)
        return commit

    async def by_command(self, command_id: str, thorough: bool = False, *, tenant: str) -> Commit | None:
        marker = await _guard(self._commands.find_one({"_id": command_key(tenant, command_id)}))
        if marker is None:
            earlier = await self._scan_once(command_id, tenant) if thorough else None
        else:
            doc = await _guard(self._commits.find_one({"_id": marker["commit"]}))
            earlier = _from_doc(doc) if doc else None
        return await self._queued(earlier) if earlier is not None else None

    async def load(self, stream_id: str, cached: bool = False) -> list[Envelope]:
        events = self._known.get(stream_id)
        if cached and events:
            return events
        while (doc := await _guard(self._commits.find_one({"_id": commit_key(stream_id, len(events) + 1)}))):
            events.extend(_from_doc(doc).events)
        if events:
            self._known.put(stream_id, events)
        return list(events)

    async def first(self, stream_id: str) -> Envelope | None:
        if known := self._known.get(stream_id):
            return known[0]
        doc = await _guard(self._commits.find_one({"_id": commit_key(stream_id, 1)}))
        return _from_doc(doc).events[0] if doc and doc["events"] else None

    async def unpublished(self, limit: int) -> Sequence[Commit]:
        if not self._scanned:
            await self._scan_unpublished()
        held = self._waiting.keys()
        if self._doubtful:
            try:
                await self._settle_doubts()
            except StoreUnavailable:  # settled when the database answers; meanwhile their streams wait
                held = held | {self._pending[cid].stream_id for cid in self._doubtful if cid in self._pending}
        return list(islice((c for c in self._pending.values() if c.stream_id not in held), limit))

    async def mark_published(self, commit_ids: Sequence[str]) -> None:
        keys = [commit_key(c.stream_id, c.first_version) for cid in commit_ids if (c := self._pending.get(cid))]
        if keys:
            try:
                await _guard(self._published.insert_many([{"_id": k} for k in keys], ordered=False))
            except BulkWriteError as exc:  # marked by an earlier attempt: already what we want
                if any(e["code"] != DUPLICATE_KEY for e in exc.details["writeErrors"]):
                    raise
        for cid in commit_ids:
            self._pending.pop(cid, None)

    async def park(self, commit: Commit, error: str) -> Parked:
        parked = Parked(stream_id=commit.stream_id, commit_id=commit.commit_id, first_version=commit.first_version,
                        tenant=commit.tenant, error=error, since=utcnow())
        await _guard(self._parked.replace_one({"_id": commit.stream_id}, parked.model_dump(), upsert=True))
        self._waiting[commit.stream_id] = commit.commit_id
        return parked

    async def parked(self) -> Sequence[Parked]:
        found = [_parked(d) for d in await _guard(self._parked.find({}).to_list())]
        now = {p.stream_id: p.commit_id for p in found}
        if freed := [s for s in self._waiting if s not in now]:
            await self._forget_done(set(freed))
        self._waiting = now
        return sorted(found, key=lambda p: p.since)

    async def waiting(self, stream_id: str) -> Sequence[Commit]:
        doc = await _guard(self._parked.find_one({"_id": stream_id}))
        if doc is None:
            return []
        found, version = [], doc["first_version"]
        while (commit_doc := await _guard(self._commits.find_one({"_id": commit_key(stream_id, version)}))):
            found.append(_from_doc(commit_doc))
            version += max(len(found[-1].events), 1)
        done = {d["_id"] async for d in self._published.find(
            {"_id": {"$in": [commit_key(c.stream_id, c.first_version) for c in found]}}, {"_id": 1})}
        left = [c for c in found if commit_key(c.stream_id, c.first_version) not in done]
        self._pending |= {c.commit_id: c for c in left if c.commit_id not in self._pending}
        return left

    async def ask_retry(self, stream_id: str) -> Parked | None:
        doc = await _guard(self._parked.find_one_and_update(
            {"_id": stream_id}, {"$set": {"retry_asked": utcnow()}}, return_document=ReturnDocument.AFTER))
        return _parked(doc) if doc else None

    async def unpark(self, stream_id: str) -> None:
        await _guard(self._parked.delete_one({"_id": stream_id}))
        self._waiting.pop(stream_id, None)

    async def resolve(self, stream_id: str, reason: str, by: str) -> Parked | None:
        doc = await _guard(self._parked.find_one({"_id": stream_id}))
        if doc is None:
            return None
        parked = _parked(doc)
        marker = {"_id": commit_key(stream_id, parked.first_version),
                  "resolved": {"reason": reason, "by": by, "at": utcnow(), "error": parked.error}}
        try:
            await _guard(self._published.insert_one(marker))
        except DuplicateKeyError:  # published (or resolved) meanwhile: the stream may flow all the same
            pass
        await _guard(self._parked.delete_one({"_id": stream_id}))
        self._waiting.pop(stream_id, None)
        self._pending.pop(parked.commit_id, None)
        return parked

    async def _earlier(self, commit: Commit) -> Commit | None:
        """The commit an earlier attempt of `commit`'s command made (queued if unpublished), after a unique key
        refused `commit`; None: the stream's version is another command's (a conflict)."""
        if (marked := await self.by_command(commit.command_id, tenant=commit.tenant)) is not None:
            return marked  # queued by by_command
        doc = await _guard(self._commits.find_one({"_id": commit_key(commit.stream_id, commit.first_version)}))
        if doc is None:  # the version is free: the command id was refused, used on another stream
            found = await self._scan_once(commit.command_id, commit.tenant)
            return await self._queued(found) if found is not None else None
        taken = _from_doc(doc)
        if (taken.command_id, taken.tenant) != (commit.command_id, commit.tenant):
            return None
        return await self._queued(taken)

    async def _settle_doubts(self) -> None:
        """Keep in the queue the commits in doubt the database has (by their id: the version may be another
        process's commit), drop the others."""
        doubtful = {commit_key(c.stream_id, c.first_version): cid for cid in self._doubtful
                    if (c := self._pending.get(cid))}
        docs = await _guard(self._commits.find({"_id": {"$in": list(doubtful)}}, {"commit_id": 1}).to_list())
        stored = {d["_id"]: d.get("commit_id") for d in docs}
        for key, cid in doubtful.items():
            if stored.get(key) != cid:
                self._pending.pop(cid, None)
        self._doubtful.clear()

    async def _queued(self, earlier: Commit) -> Commit:
        """The commit a retried command is answered with, queued first if it is unpublished and not queued: its
        first attempt's insert may have been taken by a database that went away before it answered."""
        if earlier.commit_id in self._pending or not self._scanned:  # the first scan will find it if need be
            return earlier
        if await _guard(self._published.find_one({"_id": commit_key(earlier.stream_id, earlier.first_version)})):
            return earlier
        self._pending = {earlier.commit_id: earlier} | self._pending
        return earlier

    async def _forget_done(self, streams: set[str]) -> None:
        """Drop from the queue the commits of `streams` another process published or resolved."""
        mine = {commit_key(c.stream_id, c.first_version): cid for cid, c in self._pending.items()
                if c.stream_id in streams}
        async for d in self._published.find({"_id": {"$in": list(mine)}}, {"_id": 1}):
            self._pending.pop(mine[d["_id"]], None)

    async def _scan_unpublished(self) -> None:
        """Once per process: the commits without a publication marker, oldest first, ahead of newer appends; the
        streams with a parked commit."""
        marked = {d["_id"] async for d in self._published.find({}, {"_id": 1})}
        left = [_from_doc(d) async for d in self._commits.find({}) if d["_id"] not in marked]
        left.sort(key=lambda c: c.commit_id)
        self._pending = {c.commit_id: c for c in left} | self._pending
        self._waiting = {d["_id"]: d["commit_id"] async for d in self._parked.find({}, {"commit_id": 1})}
        self._scanned = True

    async def _remember_command(self, commit: Commit) -> None:
        try:
            await _guard(self._commands.insert_one(
                {"_id": command_key(commit.tenant, commit.command_id),
                 "commit": commit_key(commit.stream_id, commit.first_version)}))
        except DuplicateKeyError:
            pass

    async def _scan_once(self, command_id: str, tenant: str) -> Commit | None:
        """`_scan_command`, run to its end even when the caller is cut (its deadline): the scan reads every commit
        (FerretDB answers no filter but `_id` from an index), seconds on a long history, and a retried command would
        otherwise scan again at every retry and never be answered. The marker it restores answers the next retry;
        retries while it runs wait for the same scan."""
        key = (tenant, command_id)
        if (scan := self._scans.get(key)) is None:
            scan = self._scans[key] = asyncio.create_task(self._scan_command(command_id, tenant))
            scan.add_done_callback(lambda done: (self._scans.pop(key, None), done.cancelled() or done.exception()))
        return await asyncio.shield(scan)

    async def _scan_command(self, command_id: str, tenant: str) -> Commit | None:
        """The slow path after a crash lost a command marker: find the commit by its command id (and municipality,
        read from its events: commits stored before command ids were per municipality have no `tenant` field),
        restore the marker."""
        docs = await _guard(self._commits.find({"command_id": command_id}).to_list())
        commit = next((c for c in map(_from_doc, docs) if c.tenant == tenant), None)
        if commit is not None:
            await self._remember_command(commit)
        return commit


class _Streams:
    """The events of the `size` streams used last, as loaded or appended (a commit never changes: what is kept stays
    true; what came since is read after it)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._events: OrderedDict[str, list[Envelope]] = OrderedDict()

    def get(self, stream_id: str) -> list[Envelope]:
        """A copy of what is known of the stream (empty: nothing)."""
        if (events := self._events.get(stream_id)) is None:
            return []
        self._events.move_to_end(stream_id)
        return list(events)

    def put(self, stream_id: str, events: list[Envelope]) -> None:
        self._events[stream_id] = list(events)
        self._events.move_to_end(stream_id)
        while len(self._events) > self._size:
            self._events.popitem(last=False)

    def forget(self, stream_id: str) -> None:
        self._events.pop(stream_id, None)

    def appended(self, commit: Commit) -> None:
        """A commit this process stored: kept when it follows what is known (a new stream, or the next version)."""
        known = self._events.get(commit.stream_id, [])
        if len(known) == commit.first_version - 1:
            self.put(commit.stream_id, [*known, *commit.events])


async def _guard(awaitable: Any) -> Any:
    try:
        return await awaitable
    except (ConnectionFailure, ServerSelectionTimeoutError) as exc:
        raise StoreUnavailable(str(exc)) from exc


def _to_doc(commit: Commit) -> dict[str, Any]:
    doc = commit.model_dump(mode="json", exclude={"published"})
    return {**doc, "_id": commit_key(commit.stream_id, commit.first_version), "tenant": commit.tenant}


def _parked(doc: dict[str, Any]) -> Parked:
    """pymongo hands dates back without a zone: they are UTC."""
    dates = {k: v.replace(tzinfo=UTC) for k, v in doc.items() if isinstance(v, datetime) and v.tzinfo is None}
    return Parked.model_validate({k: v for k, v in doc.items() if k != "_id"} | dates)


def _from_doc(doc: dict[str, Any]) -> Commit:
    return Commit.model_validate({k: v for k, v in doc.items() if k not in {"_id", "tenant"}})
