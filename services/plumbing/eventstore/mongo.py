"""MongoDB event store: one document per commit in the service's own database.

Unique index (stream_id, first_version) gives optimistic concurrency; unique command_id makes retries idempotent.
No transactions and no change streams are needed: one commit is one document.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import ConnectionFailure, DuplicateKeyError, ServerSelectionTimeoutError

from contracts.envelope import Envelope
from services.plumbing.eventstore.ports import Commit, ConcurrencyError, StoreUnavailable

COLLECTION = "commits"


class MongoEventStore:
    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._commits: AsyncCollection[dict[str, Any]] = client[database][COLLECTION]

    async def create_indexes(self) -> None:
        await self._commits.create_index([("stream_id", ASCENDING), ("first_version", ASCENDING)], unique=True,
                                         name="stream_version_unique")
        await self._commits.create_index("command_id", unique=True, name="command_unique")
        await self._commits.create_index([("published", ASCENDING), ("_id", ASCENDING)], name="unpublished")

    async def append(self, commit: Commit) -> Commit:
        try:
            await self._commits.insert_one(_to_doc(commit))
            return commit
        except DuplicateKeyError:
            if (earlier := await self.by_command(commit.command_id)) is not None:
                return earlier
            raise ConcurrencyError(f"stream {commit.stream_id} already has version {commit.first_version}") from None
        except (ConnectionFailure, ServerSelectionTimeoutError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    async def by_command(self, command_id: str) -> Commit | None:
        doc = await self._guard(self._commits.find_one({"command_id": command_id}))
        return _from_doc(doc) if doc else None

    async def load(self, stream_id: str) -> list[Envelope]:
        cursor = self._commits.find({"stream_id": stream_id}).sort("first_version", ASCENDING)
        docs = await self._guard(cursor.to_list())
        return [e for d in docs for e in _from_doc(d).events]

    async def unpublished(self, limit: int) -> Sequence[Commit]:
        cursor = self._commits.find({"published": False}).sort("_id", ASCENDING).limit(limit)
        return [_from_doc(d) for d in await cursor.to_list()]

    async def mark_published(self, commit_ids: Sequence[str]) -> None:
        await self._commits.update_many({"_id": {"$in": list(commit_ids)}}, {"$set": {"published": True}})

    @staticmethod
    async def _guard(awaitable: Any) -> Any:
        try:
            return await awaitable
        except (ConnectionFailure, ServerSelectionTimeoutError) as exc:
            raise StoreUnavailable(str(exc)) from exc


def _to_doc(commit: Commit) -> dict[str, Any]:
    doc = commit.model_dump(mode="json", exclude={"commit_id"})
    doc["_id"] = commit.commit_id
    return doc


def _from_doc(doc: dict[str, Any]) -> Commit:
    return Commit.model_validate({**doc, "commit_id": doc["_id"]})
