"""Contract tests every adapter of intake's ports must pass: the in-memory fakes and the MongoDB adapters alike."""
from __future__ import annotations

from typing import Any

from services.intake.application.ports import KeyStore, QuestionViews


async def key_store_contract(keys: KeyStore) -> None:
    key = await keys.get_or_create("c-a")
    assert key is not None and len(key) == 32
    assert await keys.get_or_create("c-a") == key and await keys.get("c-a") == key
    assert await keys.get("c-none") is None
    assert await keys.get_or_create("c-b") != key
    await keys.erase("c-a")
    await keys.erase("c-a")  # idempotent
    assert await keys.get("c-a") is None
    assert await keys.get_or_create("c-a") is None, "an erased client must never get a new key"
    assert await keys.get("c-b") is not None


def _doc(i: int, **more: Any) -> dict[str, Any]:
    return {"_id": f"q-{i:03d}", "tenant": "kortrijk", "version": 1, "status": "open", "office_id": "huis",
            "client_id": "c-1", "day": "2026-03-10", **more}


async def question_views_contract(views: QuestionViews) -> None:
    for i in range(5):
        await views.put(_doc(i))
    await views.put(_doc(5, tenant="brugge"))
    await views.put(_doc(1, version=3, status="closed"))
    await views.put(_doc(1, version=2, status="open"))  # older than what is stored: ignored
    ids = [d["_id"] for d in await views.find("kortrijk", client_id="c-1")]
    assert ids == ["q-000", "q-001", "q-002", "q-003", "q-004"]
    assert [d["_id"] for d in await views.find("kortrijk", client_id="c-1", open_only=True)] == [
        "q-000", "q-002", "q-003", "q-004"]
    page = await views.find("kortrijk", office_id="huis", day="2026-03-10", after="q-001", limit=2)
    assert [d["_id"] for d in page] == ["q-002", "q-003"]
    assert await views.find("kortrijk", office_id="huis", day="2026-03-11") == []
    assert [d["_id"] for d in await views.find("brugge")] == ["q-005"]
