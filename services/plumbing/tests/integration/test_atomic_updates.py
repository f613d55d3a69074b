"""Updates of one document sent at once each take effect, as MongoDB applies them: the guarded writes of the query
models (`{_id, version: {$lt: v}}`), the lists kept with `$addToSet` and counters with `$inc` rely on it. FerretDB
1.24.2 as released read a document and wrote it back in two steps, so the later of two writes at once dropped the
earlier one; deploy/local/stack builds it with deploy/local/ferretdb.patch, which serialises the updates of a document
(of a collection for a filter of no one `_id`)."""
from __future__ import annotations

import asyncio
import random

import pytest

pytestmark = pytest.mark.integration
AT_ONCE = 20


@pytest.fixture
async def docs(mongo, settings):
    return mongo[settings.database("intake")]["atomic"]


async def test_the_highest_of_guarded_writes_sent_at_once_is_what_stays(docs) -> None:
    for trial in range(5):
        await docs.insert_one({"_id": f"q-{trial}", "version": 0})
        versions = random.sample(range(1, AT_ONCE + 1), AT_ONCE)
        await asyncio.gather(*(docs.update_one({"_id": f"q-{trial}", "version": {"$lt": v}},
                                               {"$set": {"version": v}}) for v in versions))
        assert (await docs.find_one({"_id": f"q-{trial}"}))["version"] == AT_ONCE, versions


async def test_add_to_set_and_inc_sent_at_once_all_count(docs) -> None:
    await docs.insert_many([{"_id": "list", "ids": []}, {"_id": "count", "n": 0}])
    await asyncio.gather(*(docs.update_one({"_id": "list"}, {"$addToSet": {"ids": n}}) for n in range(AT_ONCE)),
                         *(docs.update_one({"_id": "count"}, {"$inc": {"n": 1}}) for _ in range(AT_ONCE)))
    assert sorted((await docs.find_one({"_id": "list"}))["ids"]) == list(range(AT_ONCE))
    assert (await docs.find_one({"_id": "count"}))["n"] == AT_ONCE


async def test_find_and_modify_sent_at_once_hands_out_every_number_once(docs) -> None:
    await docs.insert_one({"_id": "seq", "n": 0})
    taken = await asyncio.gather(*(docs.find_one_and_update({"_id": "seq"}, {"$inc": {"n": 1}},
                                                            return_document=True) for _ in range(AT_ONCE)))
    assert sorted(d["n"] for d in taken) == list(range(1, AT_ONCE + 1))


async def test_updates_of_many_documents_and_of_one_sent_at_once_all_count(docs) -> None:
    """A filter of no one `_id` (every document of a municipality) beside updates of one of those documents."""
    await docs.insert_many([{"_id": f"d-{n}", "tenant": "kortrijk", "n": 0} for n in range(3)])
    await asyncio.gather(*(docs.update_many({"tenant": "kortrijk"}, {"$inc": {"n": 1}}) for _ in range(AT_ONCE)),
                         *(docs.update_one({"_id": "d-1"}, {"$inc": {"n": 1}}) for _ in range(AT_ONCE)))
    assert [d["n"] async for d in docs.find({}).sort("_id")] == [AT_ONCE, 2 * AT_ONCE, AT_ONCE]
