"""The projection store on FerretDB: view documents stored one by one or packed (the same behaviour either way),
facts written with a new document and never changed after; stream positions one by one or packed by a rebuild."""
import asyncio

import pytest

from services.plumbing.projection.model import DocUpdate, SeenStream
from services.plumbing.projection.store import SHARDS, ConcurrentWrite, ProjectionStore, StaleLayout, pack_positions

pytestmark = pytest.mark.integration
LAYOUTS = {"own documents": (), "packed": ("signals", "many")}


@pytest.fixture(params=list(LAYOUTS))
def store(request, mongo, settings) -> ProjectionStore:
    return ProjectionStore(mongo, settings.database("insights"), packed=LAYOUTS[request.param])


async def test_facts_are_written_once_and_a_retried_batch_keeps_them_and_counts_once(store) -> None:
    key = {"tenant": "kortrijk", "month": "2026-03", "signal": "s-1"}
    new = DocUpdate("signals", "kortrijk|2026-03|s-1@t:0", key, {"n": 1}, 4, {"text": "no interpreter", "themes": ["work"]})
    await store.apply([new])
    # The same batch again after a crash before the offsets were committed: the guard says the document has it.
    guards = await store.guards({("signals", new.doc_id): key})
    assert guards == {("signals", new.doc_id): 4}
    # A later event of the document (its facts differ) moves the counter, never the facts.
    later = DocUpdate("signals", new.doc_id, key, {"n": 1}, 9, {"text": "rewritten"})
    await store.apply([later], guards.keys())
    # An attempt that believed the document new (read before the first insert) falls back to an update.
    await store.apply([DocUpdate("signals", new.doc_id, key, {"n": 0}, 9, {"text": "third"})])
    assert [d async for d in store.documents("signals")] == [
        {"tenant": "kortrijk", "month": "2026-03", "signal": "s-1", "n": 2, "text": "no interpreter", "themes": ["work"]}]
    assert await store.guards({("signals", new.doc_id): key}) == {("signals", new.doc_id): 9}


async def test_a_batch_touching_hundreds_of_existing_documents_and_streams_is_written(store) -> None:
    """FerretDB 1.24 never finishes an update bulk of 100 or more operations (one connection each, 100 at most): the
    store cuts them into chunks. Bounded by wait_for so a regression fails instead of hanging the suite."""
    def key(i: int) -> dict[str, object]:
        return {"tenant": f"t{i % 3}", "month": f"{2020 + i % 7}-{i % 12 + 1:02d}", "i": i}
    docs = [DocUpdate("many", f"d{i}@t:0", key(i), {"n": 1}, 1) for i in range(250)]
    await store.apply(docs)
    again = [DocUpdate(d.view, d.doc_id, d.key, {"n": 2}, 2) for d in docs]
    await asyncio.wait_for(store.apply(again, {("many", d.doc_id) for d in docs}), 120)
    streams = {f"s{i}": SeenStream(1, i) for i in range(250)}
    await store.remember(streams)
    await asyncio.wait_for(store.remember({s: SeenStream(2, p.offset) for s, p in streams.items()}, streams.keys()), 120)
    assert sorted([(d["i"], d["n"]) async for d in store.documents("many")]) == [(i, 3) for i in range(250)]
    assert {s: p.version for s, p in (await store.seen(streams)).items()} == dict.fromkeys(streams, 2)


async def test_documents_are_found_by_their_fields_and_the_period(store) -> None:
    months = ("2025-12", "2026-01", "2026-02", "2026-03")
    cells = [DocUpdate("many", f"{t}|{m}|{i}@t:{p}", {"tenant": t, "month": m, "i": i}, {"n": i + p}, 7)
             for t in ("brugge", "kortrijk") for m in months for i in range(4) for p in range(2)]
    await store.apply(cells)

    async def sums(match: dict[str, object], fields: tuple[str, ...] | None = None) -> dict[tuple[str, int], int]:
        found: dict[tuple[str, int], int] = {}  # summed over the sources (packed: one cell; else one per source)
        async for d in store.documents("many", match, fields):
            found[(d["month"], d["i"])] = found.get((d["month"], d["i"]), 0) + d["n"]
        return found
    period = {"tenant": "kortrijk", "month": {"$gte": "2026-02", "$lte": "2026-03"}}
    assert await sums(period) == {(m, i): 2 * i + 1 for m in ("2026-02", "2026-03") for i in range(4)}
    assert await sums({**period, "i": 3}, ("month", "i", "n")) == {("2026-02", 3): 7, ("2026-03", 3): 7}
    over_new_year = {"tenant": "brugge", "month": {"$gt": "2025-11", "$lt": "2026-02"}}
    assert await sums(over_new_year) == {(m, i): 2 * i + 1 for m in ("2025-12", "2026-01") for i in range(4)}
    assert await sums({"tenant": "brugge", "month": "2026-01", "i": {"$in": [0, 2]}}) == {
        ("2026-01", 0): 1, ("2026-01", 2): 5}


async def test_a_generation_written_before_views_were_packed_is_refused_with_a_hint_to_rebuild(mongo, settings) -> None:
    database = settings.database("insights")
    key = {"tenant": "kortrijk", "month": "2026-01", "i": 1}
    await ProjectionStore(mongo, database).apply([DocUpdate("many", "kortrijk|2026-01|1@t:0", key, {"n": 1}, 3)])
    store = ProjectionStore(mongo, database, packed=LAYOUTS["packed"])
    for match in ({}, {"tenant": "kortrijk", "month": {"$gte": "2026-01"}}, {"tenant": "brugge"}):
        with pytest.raises(StaleLayout, match="wegwijs-insights rebuild"):
            [d async for d in store.documents("many", match)]
    with pytest.raises(StaleLayout, match="wegwijs-insights rebuild"):  # the live runner's next batch
        await store.apply([DocUpdate("many", "kortrijk|2026-01|1@t:0", key, {"n": 1}, 4)])


async def test_a_packed_document_keeps_a_guard_per_source(mongo, settings) -> None:
    """Cells of one tenant and year from every source partition share a stored document; each source's guard is its
    own, so a replay from one partition is absorbed and another partition's events still count."""
    store = ProjectionStore(mongo, settings.database("insights"), packed=LAYOUTS["packed"])
    key = {"tenant": "kortrijk", "month": "2026-01", "i": 1}
    await store.apply([DocUpdate("many", "a@t:0", key, {"n": 1}, 7), DocUpdate("many", "a@t:1", key, {"n": 1}, 3)])
    wanted = {("many", f"a@t:{p}"): key for p in range(3)}
    assert await store.guards(wanted) == {("many", "a@t:0"): 7, ("many", "a@t:1"): 3}
    await store.apply([DocUpdate("many", "a@t:2", key, {"n": 1}, 1)])
    assert await store.guards(wanted) == {("many", "a@t:0"): 7, ("many", "a@t:1"): 3, ("many", "a@t:2"): 1}
    assert [d["n"] async for d in store.documents("many")] == [3]
    assert await store.collection("many").count_documents({}) == 1


async def test_a_packed_document_written_by_another_runner_since_it_was_read_fails_the_batch(mongo, settings) -> None:
    """Two runners on one partition (a rebalance): the later write finds the guard moved and fails instead of
    overwriting the other's counts; its batch is read again from the committed offsets, and the guard absorbs it."""
    store = ProjectionStore(mongo, settings.database("insights"), packed=LAYOUTS["packed"])
    key = {"tenant": "kortrijk", "month": "2026-01", "i": 1}
    await store.apply([DocUpdate("many", "a@t:0", key, {"n": 1}, 3)])
    read_before = await store.collection("many").find({}).to_list()
    await store.apply([DocUpdate("many", "a@t:0", key, {"n": 1}, 5)])  # the other runner writes after that read
    late = _ReadBefore(mongo, settings.database("insights"), packed=LAYOUTS["packed"])
    late.snapshot = read_before
    with pytest.raises(ConcurrentWrite):
        await late.apply([DocUpdate("many", "a@t:0", key, {"n": 1}, 4)])
    assert [d["n"] async for d in store.documents("many")] == [2]


async def test_a_batch_reads_each_packed_document_once(mongo, settings) -> None:
    """The runner asks for the guards, then applies: the packed documents read for the guards serve the write."""
    store = _CountingReads(mongo, settings.database("insights"), packed=LAYOUTS["packed"])
    key = {"tenant": "kortrijk", "month": "2026-01", "i": 1}
    await store.apply([DocUpdate("many", "a@t:0", key, {"n": 1}, 3)])
    store.finds = 0
    guards = await store.guards({("many", "a@t:0"): key})
    await store.apply([DocUpdate("many", "a@t:0", key, {"n": 1}, 5)], guards.keys())
    assert store.finds == 1
    assert [d["n"] async for d in store.documents("many")] == [2]


class _CountingReads(ProjectionStore):
    finds = 0

    def collection(self, view: str):
        inner, store = super().collection(view), self

        class Counting:
            def __getattr__(self, name: str):
                return getattr(inner, name)

            def find(self, *args, **kwargs):
                store.finds += 1
                return inner.find(*args, **kwargs)
        return Counting()


class _ReadBefore(ProjectionStore):
    """A store whose reads of view documents give `snapshot`: what they were before another writer wrote them."""

    snapshot: list[dict[str, object]] = []

    def collection(self, view: str):
        return _Snapshot(super().collection(view), self.snapshot)


class _Snapshot:
    def __init__(self, inner, docs) -> None:
        self.inner, self.docs = inner, docs

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    async def find(self, *args, **kwargs):
        for d in self.docs:
            yield d


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
