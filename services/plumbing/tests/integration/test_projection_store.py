"""The projection store on FerretDB: facts are written with a new document and never changed after."""
import pytest

from services.plumbing.projection.model import DocUpdate
from services.plumbing.projection.store import ProjectionStore

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
