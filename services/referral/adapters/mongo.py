"""MongoDB adapters of the referral's own database: reference documents (from other services' events) and the
referrals' query model. Latest-state documents are guarded by version: `$set` only when the incoming version is
higher, via the filter `{_id, v < version}` with upsert; the duplicate key error of a stale upsert is ignored."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from contracts.envelope import Envelope
from services.referral.application import reference
from services.referral.domain.referral import QuestionFacts, ServiceFacts


class MongoReference:
    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._db = client[database]

    async def question(self, question_id: str) -> QuestionFacts | None:
        return reference.question_of(await self._db["ref_questions"].find_one({"_id": question_id}))

    async def service(self, service_id: str) -> ServiceFacts | None:
        return reference.service_of(await self._db["ref_services"].find_one({"_id": service_id}))

    async def consent(self, client_id: str) -> bool:
        doc = await self._db["ref_consents"].find_one({"_id": client_id})
        return bool(doc and doc.get("referral_sharing"))

    async def client_since(self, client_id: str) -> date | None:
        return reference.since_of(await self._db["ref_clients"].find_one({"_id": client_id}))

    async def learn(self, envelope: Envelope) -> None:
        for change in reference.changes(envelope):
            if change.earliest:
                await self._db[f"ref_{change.collection}"].update_one({"_id": change.key}, {"$min": change.fields},
                                                                       upsert=True)
                continue
            await _guarded_set(self._db[f"ref_{change.collection}"], change.key, "v", change.version,
                               {**change.fields, "v": change.version})


class MongoViews:
    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._docs = client[database]["referrals"]

    async def create_indexes(self) -> None:
        for keys in (["tenant", "question_id"], ["tenant", "office_id", "open"], ["status", "overdue"]):
            await self._docs.create_index([(k, ASCENDING) for k in keys] + [("requested_at", ASCENDING)])

    async def put(self, doc: dict[str, Any]) -> None:
        await _guarded_set(self._docs, doc["_id"], "version", doc["version"],
                           {k: v for k, v in doc.items() if k != "_id"})

    async def find(self, tenant: str | None, where: dict[str, Any], offset: int, limit: int) -> list[dict[str, Any]]:
        query = where | ({"tenant": tenant} if tenant is not None else {})
        cursor = self._docs.find(query).sort([("requested_at", ASCENDING), ("_id", ASCENDING)]).skip(offset)
        return await cursor.limit(limit).to_list()

    async def requested_before(self, moment: datetime, limit: int) -> list[dict[str, Any]]:
        query = {"status": "requested", "overdue": False, "requested_at": {"$lt": moment}}
        return await self._docs.find(query).sort("requested_at", ASCENDING).limit(limit).to_list()


async def _guarded_set(collection: Any, key: str, version_field: str, version: int, fields: dict[str, Any]) -> None:
    try:
        await collection.update_one({"_id": key, version_field: {"$lt": version}}, {"$set": fields}, upsert=True)
    except DuplicateKeyError:
        pass  # a document of this or a later version is there already
