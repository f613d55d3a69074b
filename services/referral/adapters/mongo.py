"""MongoDB adapters of the referral's own database: reference documents (from other services' events) and the
referrals' query model. Latest-state documents are guarded by version: `$set` only when the incoming version is
higher, via the filter `{_id, v < version}` with upsert; the duplicate key error of a stale upsert is ignored."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from contracts.envelope import Envelope
from services.referral.adapters import legacy
from services.referral.application import reference
from services.referral.domain.referral import QuestionFacts, ServiceFacts

EARLIEST_KEPT = 100_000  # order-free facts remembered as stored (about 200 bytes each); then forgotten, all at once
INDEXED = "~indexed"  # the marker of `referrals_of_question`: the referrals stored before it are listed


class MongoReference:
    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._db = client[database]
        # what this process stored of order-free facts (an office is known, a client's first visit): a fact no
        # smaller than one stored changes nothing, and is not written again (every question of an office and of a
        # returning client repeats them: 6,000 of the demo year's 14,000 reference writes)
        self._stored_earliest: dict[str, dict[str, Any]] = {}

    async def _doc(self, collection: str, tenant: str, entity_id: str) -> dict[str, Any] | None:
        return await self._db[f"ref_{collection}"].find_one({"_id": reference.key(tenant, entity_id)})

    async def question(self, tenant: str, question_id: str) -> QuestionFacts | None:
        return reference.question_of(await self._doc("questions", tenant, question_id))

    async def service(self, tenant: str, service_id: str) -> ServiceFacts | None:
        return reference.service_of(await self._doc("services", tenant, service_id))

    async def consent(self, tenant: str, client_id: str) -> bool:
        return bool((await self._doc("consents", tenant, client_id) or {}).get("referral_sharing"))

    async def client_since(self, tenant: str, client_id: str) -> date | None:
        return reference.since_of(await self._doc("clients", tenant, client_id))

    async def office(self, tenant: str, office_id: str) -> bool:
        return await self._doc("offices", tenant, office_id) is not None

    async def learn(self, envelope: Envelope) -> None:
        for change in reference.changes(envelope):
            if change.earliest and self._known_already(change):
                continue
            await _apply(self._db[f"ref_{change.collection}"], change)
            if change.earliest:
                self._remember_earliest(change)

    def _known_already(self, change: reference.Change) -> bool:
        stored = self._stored_earliest.get(f"{change.collection}/{change.key}")
        return stored is not None and all(k in stored and stored[k] <= v for k, v in change.fields.items())

    def _remember_earliest(self, change: reference.Change) -> None:
        if len(self._stored_earliest) >= EARLIEST_KEPT:
            self._stored_earliest.clear()
        stored = self._stored_earliest.setdefault(f"{change.collection}/{change.key}", {})
        for k, v in change.fields.items():
            stored[k] = min(stored[k], v) if k in stored else v

    async def migrate(self) -> int:
        """Re-key the documents written before they were per municipality (`_id` = the bare id, no `id` field)
        under (tenant, id); returns how many moved. Idempotent, safe to run while events are being learnt."""
        return await legacy.migrate(self._db, _apply)


async def _apply(collection: Any, change: reference.Change) -> None:
    identity = {"tenant": change.tenant, "id": change.id}
    if change.earliest:
        await collection.update_one({"_id": change.key}, {"$min": change.fields, "$set": identity}, upsert=True)
        return
    await _guarded_set(collection, change.key, "v", change.version, {**change.fields, **identity, "v": change.version})


class MongoViews:
    """The referral documents, and per question the `_id`s of its referrals (`of_question`, keyed (tenant, question
    id)): the question's list is read by `_id` alone, where a filter on `question_id` read and decoded every referral
    of the collection on FerretDB (72 ms for the question page of the demo year's 513 referrals; 3 ms so)."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._docs = client[database]["referrals"]
        self._of_question = client[database]["referrals_of_question"]

    async def create_indexes(self) -> None:
        await self._name_legacy_documents()
        for keys in (["tenant", "question_id"], ["tenant", "office_id", "open"], ["status", "overdue"]):
            await self._docs.create_index([(k, ASCENDING) for k in keys] + [("requested_at", ASCENDING)])
        await self._index_questions_of_before()

    async def _index_questions_of_before(self) -> None:
        """List under their question the referrals stored before there were such lists (once: then marked done)."""
        if await self._of_question.find_one({"_id": INDEXED}) is not None:
            return
        async for doc in self._docs.find({}, {"tenant": 1, "question_id": 1}):
            if doc.get("tenant") and doc.get("question_id"):
                await self._list_under_question(doc["tenant"], doc["question_id"], doc["_id"])
        await self._of_question.update_one({"_id": INDEXED}, {"$set": {"done": True}}, upsert=True)

    async def _list_under_question(self, tenant: str, question_id: str, doc_id: str) -> None:
        key, add = reference.key(tenant, question_id), {"$addToSet": {"referrals": doc_id}}
        try:
            await self._of_question.update_one({"_id": key}, add, upsert=True)
        except DuplicateKeyError:  # two first referrals of a question at once: the other's upsert made the list
            await self._of_question.update_one({"_id": key}, add)

    async def _name_legacy_documents(self) -> None:
        """A document written before referral ids were per municipality is keyed by the referral id (its stream's
        id too, the stream keeps it): it gets the `referral_id` field the lists and lookups read."""
        async for doc in self._docs.find({"referral_id": {"$exists": False}}, {"_id": 1}):
            await self._docs.update_one({"_id": doc["_id"]}, {"$set": {"referral_id": doc["_id"]}})

    async def put(self, doc: dict[str, Any]) -> None:
        """A referral is listed under its question once: before its first version is stored (so it is never stored
        unlisted), or when a later version is the first stored (its first one was lost to a crash)."""
        if doc["version"] == 1:
            await self._list_under_question(doc["tenant"], doc["question_id"], doc["_id"])
        created = await _guarded_set(self._docs, doc["_id"], "version", doc["version"],
                                     {k: v for k, v in doc.items() if k != "_id"})
        if created and doc["version"] > 1:
            await self._list_under_question(doc["tenant"], doc["question_id"], doc["_id"])

    async def find(self, tenant: str | None, where: dict[str, Any], offset: int, limit: int) -> list[dict[str, Any]]:
        query = where | ({"tenant": tenant} if tenant is not None else {})
        if tenant is not None and set(where) == {"question_id"}:  # the question's own list, by `_id`
            listed = await self._of_question.find_one({"_id": reference.key(tenant, where["question_id"])})
            if not listed:
                return []
            query = query | {"_id": {"$in": listed["referrals"]}}
        cursor = self._docs.find(query).sort([("requested_at", ASCENDING), ("_id", ASCENDING)]).skip(offset)
        return await cursor.limit(limit).to_list()

    async def requested_before(self, moment: datetime, limit: int) -> list[dict[str, Any]]:
        query = {"status": "requested", "overdue": False, "requested_at": {"$lt": moment}}
        return await self._docs.find(query).sort("requested_at", ASCENDING).limit(limit).to_list()


async def _guarded_set(collection: Any, key: str, version_field: str, version: int, fields: dict[str, Any]) -> bool:
    """True when the document was not there before (this write made it)."""
    try:
        done = await collection.update_one({"_id": key, version_field: {"$lt": version}}, {"$set": fields}, upsert=True)
    except DuplicateKeyError:
        return False  # a document of this or a later version is there already
    return done.upserted_id is not None
