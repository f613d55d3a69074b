"""MongoDB adapters of intake's ports, in intake's own database: `client_keys`, `question_views`, `question_lists` and
`question_referrals`."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from bson import Binary
from pymongo import AsyncMongoClient
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from services.intake.application.ports import Stored
from services.intake.application.referrals import ReferralEntry, Step, entries, stored

KEYS, VIEWS, LISTS, REFERRALS = "client_keys", "question_views", "question_lists", "question_referrals"
LISTED = "~listed"  # in question_lists once the questions stored before there were lists are listed
OLD_INDEXES = ("client_questions", "office_questions")
WINDOW = 8  # entries read at once at first
MOST_AT_ONCE = 64  # lookups sent at once
MAX_HINTS = 10_000
DUPLICATE_KEY = 11000


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
    """`question_views`: `{_id: question_id, tenant, version, status, office_id, client_id, day, ...}` (one per
    question); `question_lists`: the questions of an office's day and of a client, one entry each, `{_id:
    "<list>|<n:06d>", q: question_id}` with n = 0, 1, 2, ... and `<list>` `office|<tenant>|<office_id>|<day>` or
    `client|<tenant>|<client_id>` (the municipality in the key: another's office or client of the same id is another
    list).

    FerretDB 1.x on SQLite answers only an `_id` equality from an index; any other filter, an `_id` range or `$in`
    included, reads the whole collection. So every read here is by `_id`: a list is read by probing its entries
    (WINDOW at first, twice as many each round) up to the first that is missing, then its page of questions'
    documents at once. Entries are only inserted: entry n is written after n - 1 exists (a writer that finds n taken
    takes n + 1), so a list has no hole and its first miss is its end. An entry written twice (a put retried, a
    crash between the entry and the document) is read once.
    """

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._views = client[database][VIEWS]
        self._lists = client[database][LISTS]
        self._ends: dict[str, int] = {}  # list → the entry after its last one this process saw (a hint)
        self._appending: dict[str, asyncio.Lock] = {}  # list → one append at a time in this process

    async def create_indexes(self) -> None:
        """Once (then one lookup a start): drop the indexes of the layout before (FerretDB never read them; SQLite
        kept them on every write) and list the questions stored before there were lists."""
        if await self._lists.find_one({"_id": LISTED}) is not None:
            return
        for name in OLD_INDEXES:
            with contextlib.suppress(OperationFailure):
                await self._views.drop_index(name)
        await self._list_stored()
        with contextlib.suppress(DuplicateKeyError):
            await self._lists.insert_one({"_id": LISTED})

    async def _list_stored(self) -> None:
        """Every stored question in its lists, in `_id` order (one read of the whole collection, once)."""
        lists: dict[str, list[str]] = {}
        async for doc in self._views.find({}, {"tenant": 1, "office_id": 1, "day": 1, "client_id": 1}).sort("_id"):
            for key in _lists_of(doc):
                lists.setdefault(key, []).append(doc["_id"])
        entries = [{"_id": _entry(key, n), "q": q} for key, ids in lists.items() for n, q in enumerate(ids)]
        for start in range(0, len(entries), 1000):
            part = entries[start:start + 1000]
            try:
                await self._lists.insert_many(part, ordered=False)
            except BulkWriteError as exc:  # entries a writer or an earlier start took: those questions go at the end
                for error in _duplicates(exc):
                    taken = part[error["index"]]
                    await self._append(taken["_id"].rsplit("|", 1)[0], [taken["q"]])
        for key, ids in lists.items():
            self._remember(key, len(ids))  # at most its end: a hint never skips an entry

    async def put(self, doc: dict[str, Any]) -> None:
        try:
            if doc["version"] == 1:  # a new question: listed, then a plain insert (FerretDB looks up by _id alone)
                await self._list(doc)
                await self._views.insert_one(doc)
            else:
                done = await self._views.replace_one({"_id": doc["_id"], "version": {"$lt": doc["version"]}}, doc,
                                                     upsert=True)
                if done.upserted_id is not None:  # its first document: the registration's was never written
                    await self._list(doc)
        except DuplicateKeyError:
            pass  # the stored document is as new or newer

    async def of_office(self, tenant: str, office_id: str, day: str, *, after: str | None = None,
                        limit: int = 20) -> Sequence[dict[str, Any]]:
        return await self._listed(_office_list(tenant, office_id, day), tenant, False, after, limit)

    async def of_client(self, tenant: str, client_id: str, *, open_only: bool = False, after: str | None = None,
                        limit: int = 20) -> Sequence[dict[str, Any]]:
        return await self._listed(_client_list(tenant, client_id), tenant, open_only, after, limit)

    async def _listed(self, key: str, tenant: str, open_only: bool, after: str | None,
                      limit: int) -> list[dict[str, Any]]:
        ids = sorted(i for i in set(await self._entries(key)) if after is None or i > after)
        found: list[dict[str, Any]] = []
        while ids and len(found) < limit:
            ask = ids[:min(max(limit - len(found), WINDOW), MOST_AT_ONCE)]  # a page at once, open_only may skip
            ids = ids[len(ask):]
            docs = await asyncio.gather(*(self._views.find_one({"_id": i}) for i in ask))
            found += [d for d in docs if d is not None and d["tenant"] == tenant
                      and (not open_only or d["status"] == "open")]
        return found[:limit]

    async def _entries(self, key: str) -> list[str]:
        """The question ids of the list, in the order they were listed: entries probed as many as this process last
        saw and one more (WINDOW for a list it has not seen), then twice as many each round; each probe is a lookup,
        so a list of n costs about n + 1 of them."""
        found: list[str] = []
        window = min(max(WINDOW, self._ends.get(key, 0) + 1), MOST_AT_ONCE)
        while True:
            entries = await asyncio.gather(*(self._lists.find_one({"_id": _entry(key, len(found) + i)})
                                             for i in range(window)))
            for entry in entries:
                if entry is None:
                    self._remember(key, len(found))
                    return found
                found.append(entry["q"])
            window = min(2 * window, MOST_AT_ONCE)

    async def _list(self, doc: dict[str, Any]) -> None:
        await asyncio.gather(*(self._append(key, [doc["_id"]]) for key in _lists_of(doc)))

    async def _append(self, key: str, ids: list[str]) -> None:
        """Entries for `ids` at the end of the list, one append of a list at a time in this process: writers of one
        office's day (every front-office worker of it) queue here instead of racing each other for its next entry
        (each loser paying a refused insert and a retry); other processes' writers are still taken care of below."""
        if len(self._appending) >= MAX_HINTS:
            self._appending = {k: v for k, v in self._appending.items() if v.locked()}
        async with self._appending.setdefault(key, asyncio.Lock()):
            await self._append_after(key, ids)

    async def _append_after(self, key: str, ids: list[str]) -> None:
        """Entries for `ids` at the end of the list, in order; an entry another writer took first is skipped. A list
        this process has not seen is most often new (a client's first question, an office's first of the day): its
        first entry is tried before any probe."""
        n, probed = self._ends.get(key, 0), key in self._ends
        while ids:
            try:
                await self._lists.insert_many([{"_id": _entry(key, n + i), "q": q} for i, q in enumerate(ids)])
                n, ids = n + len(ids), []
            except BulkWriteError as exc:
                _duplicates(exc)
                done = exc.details.get("nInserted", 0)
                ids = ids[done:]
                if done == 0 and not probed:  # the list had entries before: find its end
                    n, probed = len(await self._entries(key)), True
                else:
                    n += done + 1
        self._remember(key, n)

    def _remember(self, key: str, end: int) -> None:
        if len(self._ends) >= MAX_HINTS:
            self._ends.clear()
        self._ends[key] = max(end, self._ends.get(key, 0))


def _duplicates(exc: BulkWriteError) -> list[dict[str, Any]]:
    """The write errors of a bulk insert, all of them entries taken already; any other error is raised again."""
    errors = exc.details.get("writeErrors", [])
    if any(e.get("code") != DUPLICATE_KEY for e in errors):
        raise exc
    return errors


def _entry(key: str, n: int) -> str:
    return f"{key}|{n:06d}"


def _office_list(tenant: str, office_id: str, day: str) -> str:
    return f"office|{tenant}|{office_id}|{day}"


def _client_list(tenant: str, client_id: str) -> str:
    return f"client|{tenant}|{client_id}"


def _lists_of(doc: dict[str, Any]) -> list[str]:
    return [_office_list(doc["tenant"], doc["office_id"], doc["day"]), _client_list(doc["tenant"], doc["client_id"])]


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
