"""The projection store on FerretDB: facts are written with a new document and never changed after."""
import asyncio

import pytest

from services.plumbing.projection.model import DocUpdate, SeenStream
from services.plumbing.projection.store import SHARDS, ProjectionStore, pack_positions

pytestmark = pytest.mark.integration


async def test_facts_are_written_once_and_a_retried_batch_keeps_them_and_counts_once(mongo, settings) -> None:
    store = ProjectionStore(mongo, settings.database("insights"))
    key = {"tenant": "kortrijk", "signal": "s-1"}
    new = DocUpdate("signals", "kortrijk|s-1@t:0", key, {"n": 1}, 4, {"text": "no interpreter", "themes": ["work"]})
    await store.apply([new])
    # The same batch again after a crash before the offsets were committed: the guard says the document has it.
    guards = await store.guards({("signals", new.doc_id)})
    assert guards == {("signals", new.doc_id): 4}
    # A later event of the document (its facts differ) moves the counter, never the facts.
    later = DocUpdate("signals", new.doc_id, key, {"n": 1}, 9, {"text": "rewritten"})
    await store.apply([later], guards.keys())
    # An attempt that believed the document new (read before the first insert) falls back to an update.
    await store.apply([DocUpdate("signals", new.doc_id, key, {"n": 0}, 9, {"text": "third"})])
    doc = await store.collection("signals").find_one({"_id": new.doc_id})
    assert doc == {"_id": new.doc_id, "tenant": "kortrijk", "signal": "s-1", "n": 2, "text": "no interpreter",
                   "themes": ["work"], "_offset": 9}


async def test_a_batch_touching_hundreds_of_existing_documents_and_streams_is_written(mongo, settings) -> None:
    """FerretDB 1.24 never finishes an update bulk of 100 or more operations (one connection each, 100 at most): the
    store cuts them into chunks. Bounded by wait_for so a regression fails instead of hanging the suite."""
    store = ProjectionStore(mongo, settings.database("insights"))
    docs = [DocUpdate("many", f"d{i}@t:0", {"tenant": "kortrijk", "i": i}, {"n": 1}, 1) for i in range(250)]
    await store.apply(docs)
    again = [DocUpdate(d.view, d.doc_id, d.key, {"n": 2}, 2) for d in docs]
    await asyncio.wait_for(store.apply(again, {("many", d.doc_id) for d in docs}), 120)
    streams = {f"s{i}": SeenStream(1, i) for i in range(250)}
    await store.remember(streams)
    await asyncio.wait_for(store.remember({s: SeenStream(2, p.offset) for s, p in streams.items()}, streams.keys()), 120)
    assert {d["n"] async for d in store.collection("many").find({})} == {3}
    assert {s: p.version for s, p in (await store.seen(streams)).items()} == dict.fromkeys(streams, 2)


async def test_positions_packed_by_a_rebuild_are_found_and_overridden_by_later_own_documents(mongo, settings) -> None:
    store = ProjectionStore(mongo, settings.database("insights"))
    packed = {f"q.{i}": SeenStream(i % 3 + 1, i, {"themes": ["housing"]}) for i in range(500)}  # a dot in the id too
    halves = list(packed.items())[::2], list(packed.items())[1::2]  # as two fold workers would send them
    await store.remember_packed([pack_positions(dict(half)) for half in halves])
    assert len(await store.db.list_collection_names()) <= SHARDS  # a few documents per shard, not one per stream
    found = await store.seen([*list(packed)[:40], "q.unknown"])
    assert found == {s: packed[s] for s in list(packed)[:40]}
    assert not any(p.own_document for p in found.values())
    # A later event of a packed stream: the live runner inserts the stream's own document, which wins from then on.
    later = {s: SeenStream(p.version + 1, 1000 + p.offset, {"themes": ["work"]}) for s, p in list(packed.items())[:10]}
    await store.remember(later, {s for s, p in found.items() if p.own_document})
    again = await store.seen(list(packed)[:40])
    assert again == {**{s: packed[s] for s in list(packed)[:40]}, **later}
    assert {s for s, p in again.items() if p.own_document} == set(later)
    # And the next one updates that document in place.
    last = {s: SeenStream(p.version + 1, p.offset + 1) for s, p in later.items()}
    await store.remember(last, {s for s, p in again.items() if p.own_document})
    assert {s: p.version for s, p in (await store.seen(last)).items()} == {s: p.version for s, p in last.items()}
    assert await store.count_positions() == 500
