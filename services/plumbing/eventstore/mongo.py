"""MongoDB event store: one document per commit in the service's own database.

Every hot read is a lookup by `_id`, the one filter FerretDB's SQLite backend answers from an index:
- a commit's `_id` is `<stream_id>|<first_version>` (zero-padded), so the primary key itself is the optimistic
  concurrency check, and a stream loads by probing its commits in version order;
- a retried command is found through `commands` (`_id` = command id), written right after its commit; the unique
  index on `commits.command_id` still refuses a second commit of a command whose marker was lost in a crash;
- the relay's queue of unpublished commits is kept in memory for the commits this process appended, after one scan
  at start for what an earlier process left unpublished.
No transactions and no change streams: one commit is one document.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient, UpdateOne
from pymongo.errors import ConnectionFailure, DuplicateKeyError, ServerSelectionTimeoutError

from contracts.envelope import Envelope
from services.plumbing.eventstore.ports import Commit, ConcurrencyError, StoreUnavailable

COMMITS, COMMANDS = "commits", "commands"


def commit_key(stream_id: str, first_version: int) -> str:
    return f"{stream_id}|{first_version:010d}"


class MongoEventStore:
    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._commits = client[database][COMMITS]
        self._commands = client[database][COMMANDS]
        self._pending: dict[str, Commit] = {}
        self._scanned = False

    async def create_indexes(self) -> None:
        await self._commits.create_index("command_id", unique=True, name="command_unique")
        await self._commits.create_index([("published", ASCENDING), ("commit_id", ASCENDING)], name="unpublished")

    async def append(self, commit: Commit) -> Commit:
        try:
            await _guard(self._commits.insert_one(_to_doc(commit)))
        except DuplicateKeyError:
            earlier = await self.by_command(commit.command_id) or await self._scan_command(commit.command_id)
            if earlier is not None:
                return earlier
            raise ConcurrencyError(f"stream {commit.stream_id} already has version {commit.first_version}") from None
        self._pending[commit.commit_id] = commit
        await self._remember_command(commit)
        return commit

    async def by_command(self, command_id: str) -> Commit | None:
        marker = await _guard(self._commands.find_one({"_id": command_id}))
        if marker is None:
            return None
        doc = await _guard(self._commits.find_one({"_id": marker["commit"]}))
        return _from_doc(doc) if doc else None

    async def load(self, stream_id: str) -> list[Envelope]:
        events: list[Envelope] = []
        while (doc := await _guard(self._commits.find_one({"_id": commit_key(stream_id, len(events) + 1)}))):
            events.extend(_from_doc(doc).events)
        return events

    async def unpublished(self, limit: int) -> Sequence[Commit]:
        if not self._scanned:
            cursor = self._commits.find({"published": False}).sort("commit_id", ASCENDING)
            left_over = [_from_doc(d) for d in await _guard(cursor.to_list())]
            self._pending = {c.commit_id: c for c in left_over} | self._pending
            self._scanned = True
        return list(self._pending.values())[:limit]

    async def mark_published(self, commit_ids: Sequence[str]) -> None:
        known = [self._pending[c] for c in commit_ids if c in self._pending]
        if known:
            await _guard(self._commits.bulk_write(
                [UpdateOne({"_id": commit_key(c.stream_id, c.first_version)}, {"$set": {"published": True}})
                 for c in known], ordered=False))
        unknown = [c for c in commit_ids if c not in self._pending]
        if unknown:
            await _guard(self._commits.update_many({"commit_id": {"$in": unknown}}, {"$set": {"published": True}}))
        for c in commit_ids:
            self._pending.pop(c, None)

    async def _remember_command(self, commit: Commit) -> None:
        try:
            await _guard(self._commands.insert_one(
                {"_id": commit.command_id, "commit": commit_key(commit.stream_id, commit.first_version)}))
        except DuplicateKeyError:
            pass

    async def _scan_command(self, command_id: str) -> Commit | None:
        """The slow path after a crash lost a command marker: find the commit by its command id, restore the marker."""
        doc = await _guard(self._commits.find_one({"command_id": command_id}))
        if doc is None:
            return None
        commit = _from_doc(doc)
        await self._remember_command(commit)
        return commit


async def _guard(awaitable: Any) -> Any:
    try:
        return await awaitable
    except (ConnectionFailure, ServerSelectionTimeoutError) as exc:
        raise StoreUnavailable(str(exc)) from exc


def _to_doc(commit: Commit) -> dict[str, Any]:
    return {**commit.model_dump(mode="json"), "_id": commit_key(commit.stream_id, commit.first_version)}


def _from_doc(doc: dict[str, Any]) -> Commit:
    return Commit.model_validate({k: v for k, v in doc.items() if k != "_id"})
