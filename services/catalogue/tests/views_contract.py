"""The contract every query-model adapter passes: the MongoDB one and the in-memory fake alike."""
from __future__ import annotations

from typing import Any

from services.catalogue.application.views import Views


def doc(entity_id: str, version: int = 1, tenant: str = "kortrijk", status: str = "active",
        themes: list[str] | None = None, languages: list[str] | None = None) -> dict[str, Any]:
    return {"_id": entity_id, "kind": "service", "tenant": tenant, "version": version, "status": status,
            "record": {"name": entity_id}, "themes_all": themes or [], "languages": languages or [], "links": []}


class ViewsContract:
    """Subclass and provide a `views` fixture."""

    async def test_put_then_get(self, views: Views) -> None:
        await views.put(doc("s-1"))
        assert (await views.get("service", "kortrijk", "s-1"))["record"] == {"name": "s-1"}
        assert await views.get("service", "kortrijk", "nope") is None
        assert await views.get("location", "kortrijk", "s-1") is None

    async def test_an_older_version_never_replaces_a_newer_one(self, views: Views) -> None:
        await views.put(doc("s-2", version=3))
        await views.put(doc("s-2", version=2, status="defunct"))
        assert (await views.get("service", "kortrijk", "s-2"))["status"] == "active"
        await views.put(doc("s-2", version=4, status="inactive"))
        assert (await views.get("service", "kortrijk", "s-2"))["status"] == "inactive"

    async def test_many_in_id_order_leaves_out_unknown_ids(self, views: Views) -> None:
        for i in ("s-b", "s-a", "s-c"):
            await views.put(doc(i))
        assert [d["_id"] for d in await views.many("service", "kortrijk", ["s-c", "s-a", "s-x"])] == ["s-a", "s-c"]
        assert await views.many("service", "kortrijk", []) == []

    async def test_find_filters_by_tenant_status_themes_and_language(self, views: Views) -> None:
        await views.put(doc("s-1", themes=["housing", "housing.search"], languages=["nl", "ar"]))
        await views.put(doc("s-2", themes=["education"], languages=["nl", "ti"]))
        await views.put(doc("s-3", themes=["housing"], languages=["ar"], status="inactive"))
        await views.put(doc("s-4", themes=["housing"], languages=["ar"], tenant="brugge"))

        async def ids(**query: Any) -> list[str]:
            return [d["_id"] for d in await views.find("service", "kortrijk", **query)]

        assert await ids() == ["s-1", "s-2", "s-3"]
        assert await ids(statuses=["active"]) == ["s-1", "s-2"]
        assert await ids(themes=["housing"]) == ["s-1", "s-3"]
        assert await ids(themes=["housing.search", "education"]) == ["s-1", "s-2"]
        assert await ids(language="ar", statuses=["active"]) == ["s-1"]
        assert await ids(language="ps") == []

    async def test_the_same_id_in_two_municipalities_is_two_documents(self, views: Views) -> None:
        await views.put(doc("s-1", version=3, status="inactive"))
        await views.put(doc("s-1", tenant="brugge"))
        assert (await views.get("service", "kortrijk", "s-1"))["status"] == "inactive"
        assert (await views.get("service", "brugge", "s-1"))["status"] == "active"
        assert await views.get("service", "ninove", "s-1") is None
        assert [(d["_id"], d["tenant"]) for d in await views.many("service", "brugge", ["s-1", "s-2"])] == [
            ("s-1", "brugge")]
        assert [d["tenant"] for d in await views.find("service", "brugge")] == ["brugge"]
