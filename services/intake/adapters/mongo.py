"""MongoDB adapters of intake's ports, in intake's own database: `client_keys`, `question_views` and
`question_referrals`."""
from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from bson import Binary
from pymongo import ASCENDING, AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from services.intake.application.ports import Stored
from services.intake.application.referrals import ReferralEntry, Step, entries, stored

KEYS, VIEWS, REFERRALS = "client_keys", "question_views", "question_referrals"


class MongoKeyStore:
    """`{_id: client_id, wrapped: "<scheme>:v<N>:..."}` (the data key wrapped by the KEK); erasure replaces it by
    `{_id, erased: true}` (a tombstone). Documents of older releases hold `key` (32 bytes in the clear) until
    wrapped."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._keys = client[database][KEYS]

    async def add(self, client_id: str, wrapped: str) -> Stored | None:
        try:
            await self._keys.insert_one({"_id": client_id, "wrapped": wrapped})
            return wrapped
        except DuplicateKeyError:
            return await self.get(client_id)

    async def get(self, client_id: str) -> Stored | None:
        return _stored(await self._keys.find_one({"_id": client_id}))

    async def replace(self, client_id: str, old: Stored, new: str) -> bool:
        match = {"wrapped": old} if isinstance(old, str) else {"key": Binary(old)}
        done = await self._keys.update_one({"_id": client_id, **match},
                                           {"$set": {"wrapped": new}, "$unset": {"key": ""}})
        return done.modified_count == 1

    async def erase(self, client_id: str) -> None:
        await self._keys.replace_one({"_id": client_id}, {"erased": True}, upsert=True)

    async def stored(self) -> AsyncIterator[tuple[str, Stored]]:
        async for doc in self._keys.find({"erased": {"$ne": True}}):
            if (value := _stored(doc)) is not None:
                yield doc["_id"], value


def _stored(doc: dict[str, Any] | None) -> Stored | None:
    if not doc or doc.get("erased"):
        return None
    return doc.get("wrapped") or (bytes(doc["key"]) if doc.get("key") else None)


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


class MongoQuestionReferrals:
    """`{_id: "<tenant>|<referral_id>", referral_id, tenant, question_id, service_id, steps: {"<version>": {type,
    occurred_at, staff_id, details}}}` and, per question, `{_id: "q:<question_id>", tenant, referrals: [key...]}`
    (referral ids are per municipality; a document of before is keyed, and listed, by the referral id alone).

    Every read and write is keyed by `_id` (FerretDB uses no other index); a new document is inserted, an existing
    one updated with `$set` of `steps.<version>` / `$addToSet`, both idempotent under redelivery.
    """

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._docs = client[database][REFERRALS]

    async def record(self, step: Step) -> None:
        known = {k: v for k, v in (("question_id", step.question_id), ("service_id", step.service_id)) if v}
        fields = {"tenant": step.tenant, "referral_id": step.referral_id, **known}
        try:
            await self._docs.insert_one({"_id": step.key, **fields, "steps": {str(step.version): stored(step)}})
        except DuplicateKeyError:
            await self._docs.update_one({"_id": step.key},
                                        {"$set": {**fields, f"steps.{step.version}": stored(step)}})
        if step.question_id:
            key = "q:" + step.question_id
            try:
                await self._docs.insert_one({"_id": key, "tenant": step.tenant, "referrals": [step.key]})
            except DuplicateKeyError:
                await self._docs.update_one({"_id": key}, {"$addToSet": {"referrals": step.key}})

    async def of_question(self, tenant: str, question_id: str) -> list[ReferralEntry]:
        index = await self._docs.find_one({"_id": "q:" + question_id})
        if not index or index.get("tenant") != tenant:
            return []
        found = []
        for referral in sorted(index["referrals"]):
            found += entries(await self._docs.find_one({"_id": referral}), tenant)
        return found
