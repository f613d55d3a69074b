"""MongoDB adapters of intake's ports, in intake's own database: `client_keys` and `question_views`."""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from bson import Binary
from pymongo import ASCENDING, AsyncMongoClient
from pymongo.errors import DuplicateKeyError

KEYS, VIEWS = "client_keys", "question_views"


class MongoKeyStore:
    """`{_id: client_id, key: 32 random bytes}`; erasure replaces it by `{_id, erased: true}` (a tombstone)."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._keys = client[database][KEYS]

    async def get_or_create(self, client_id: str) -> bytes | None:
        try:
            key = os.urandom(32)
            await self._keys.insert_one({"_id": client_id, "key": Binary(key)})
            return key
        except DuplicateKeyError:
            return await self.get(client_id)

    async def get(self, client_id: str) -> bytes | None:
        doc = await self._keys.find_one({"_id": client_id})
        return bytes(doc["key"]) if doc and doc.get("key") else None

    async def erase(self, client_id: str) -> None:
        await self._keys.replace_one({"_id": client_id}, {"erased": True}, upsert=True)


class MongoQuestionViews:
    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._views = client[database][VIEWS]

    async def create_indexes(self) -> None:
        await self._views.create_index([("tenant", ASCENDING), ("client_id", ASCENDING), ("_id", ASCENDING)],
                                       name="client_questions")
        await self._views.create_index([("tenant", ASCENDING), ("office_id", ASCENDING), ("day", ASCENDING),
                                        ("_id", ASCENDING)], name="office_questions")

    async def put(self, doc: dict[str, Any]) -> None:
        try:
            if doc["version"] == 1:  # a new question: a plain insert (FerretDB looks up by _id alone fastest)
                await self._views.insert_one(doc)
            else:
                await self._views.replace_one({"_id": doc["_id"], "version": {"$lt": doc["version"]}}, doc,
                                              upsert=True)
        except DuplicateKeyError:
            pass  # the stored document is as new or newer

    async def find(self, tenant: str, *, client_id: str | None = None, office_id: str | None = None,
                   day: str | None = None, open_only: bool = False, after: str | None = None,
                   limit: int = 20) -> Sequence[dict[str, Any]]:
        query: dict[str, Any] = {"tenant": tenant}
        query |= {k: v for k, v in (("client_id", client_id), ("office_id", office_id), ("day", day)) if v is not None}
        if open_only:
            query["status"] = "open"
        if after is not None:
            query["_id"] = {"$gt": after}
        return await self._views.find(query).sort("_id", ASCENDING).limit(limit).to_list()
