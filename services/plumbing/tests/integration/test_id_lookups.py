"""The database answers a lookup by `_id` from the `_id` index, whatever else the filter asks and however many
documents the collection holds: every hot read and write of the event store, the query models and the projection
store is one (`{_id}`, or `{_id, version: {$lt: v}}` for a guarded write, or `{_id: {$in: [...]}}` for a list of
them). FerretDB 1.24.2 as released read the whole table for all three (its queries compared another expression than
its index holds, and pushed down nothing but `_id` alone); deploy/local/stack builds it with
deploy/local/ferretdb.patch. The filter's other conditions still hold."""
from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration
FILTERS = {"_id alone": {"_id": "q-000007"}, "_id and a version guard": {"_id": "q-000007", "version": {"$lt": 3}},
           "_id and a field": {"tenant": "kortrijk", "_id": "q-000007"},
           "_id in a list": {"_id": {"$in": ["q-000007", "q-000031", "q-999999"]}},
           "_id in a list and a field": {"_id": {"$in": ["q-000007", "q-000031"]}, "tenant": "kortrijk"}}


@pytest.fixture
async def views(mongo, settings) -> Any:
    collection = mongo[settings.database("intake")]["views"]
    await collection.insert_many([{"_id": f"q-{n:06d}", "tenant": "kortrijk", "version": 1} for n in range(50)])
    return collection


async def _plan(collection: Any, query: dict[str, Any]) -> str:
    answer = await collection.database.command("explain", {"find": collection.name, "filter": query},
                                               verbosity="queryPlanner")
    return str(answer["queryPlanner"])


@pytest.mark.parametrize("query", list(FILTERS.values()), ids=list(FILTERS))
async def test_a_lookup_by_id_reads_the_id_index_not_the_collection(views, query) -> None:
    plan = await _plan(views, query)
    assert "COLLSCAN" not in plan and "SCAN views" not in plan, plan
    assert "USING INDEX" in plan or "IXSCAN" in plan or "IDHACK" in plan or "EXPRESS" in plan, plan


async def test_the_other_conditions_of_the_filter_still_hold(views) -> None:
    assert await views.find_one({"_id": "q-000007", "version": {"$lt": 3}}) is not None
    assert await views.find_one({"_id": "q-000007", "version": {"$gt": 1}}) is None
    assert await views.find_one({"_id": "q-000007", "tenant": "brugge"}) is None
    assert await views.find_one({"_id": "q-999999"}) is None
    guarded = await views.update_one({"_id": "q-000007", "version": {"$lt": 1}}, {"$set": {"version": 2}})
    assert guarded.matched_count == 0 and (await views.find_one({"_id": "q-000007"}))["version"] == 1
    done = await views.update_one({"_id": "q-000007", "version": {"$lt": 2}}, {"$set": {"version": 2}})
    assert done.modified_count == 1 and (await views.find_one({"_id": "q-000007"}))["version"] == 2
    assert (await views.delete_one({"_id": "q-000008", "tenant": "brugge"})).deleted_count == 0
    assert (await views.delete_one({"_id": "q-000008", "tenant": "kortrijk"})).deleted_count == 1
    assert await views.count_documents({}) == 49


async def test_a_list_of_ids_finds_those_alone_and_the_rest_of_the_filter_holds(views) -> None:
    found = await views.find({"_id": {"$in": ["q-000031", "q-000007", "q-999999"]}}).sort("_id").to_list()
    assert [d["_id"] for d in found] == ["q-000007", "q-000031"]
    assert await views.find({"_id": {"$in": ["q-000007"]}, "tenant": "brugge"}).to_list() == []
    assert await views.find({"_id": {"$in": []}}).to_list() == []
    mixed = await views.find({"_id": {"$in": ["q-000007", 7]}}).to_list()  # not pushed down: still answered
    assert [d["_id"] for d in mixed] == ["q-000007"]
    many = [f"q-{n:06d}" for n in range(1500)]  # more than the patch pushes down: still answered whole
    assert await views.count_documents({"_id": {"$in": many}}) == 50
