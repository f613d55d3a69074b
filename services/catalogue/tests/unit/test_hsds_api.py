"""The HSDS API's answers on the in-memory read model: paging, filters (postcode and proximity, modified_after,
taxonomy, organisation), one-to-one lists, nesting, and bad parameters named."""
from __future__ import annotations

import pytest

from services.catalogue.adapters import hsds_api
from services.catalogue.application import hsds_export
from services.catalogue.application.handlers import Deps
from services.catalogue.tests.support import demo_subset, import_document
from services.plumbing.errors import InvalidArgument, NotFound

ORG, LOC_NEAR, LOC_FAR = ("0c9d2f4e-6b1a-4e3c-8d5f-7a6b5c4d3e2f", "1d0e3f5a-7c2b-4f4d-9e6a-8b7c6d5e4f3a",
                          "2e1f4a6b-8d3c-4a5e-8f7b-9c8d7e6f5a4b")
SVC_NEAR, SVC_FAR = "3f2a5b7c-9e4d-4b6f-9a8c-0d9e8f7a6b5c", "4a3b6c8d-0f5e-4c7a-8b9d-1e0f9a8b7c6d"


def _location(lid: str, postcode: str, lat: float, lon: float) -> dict:
    return {"id": lid, "location_type": "physical", "name": f"Zetel {postcode}", "latitude": lat, "longitude": lon,
            "addresses": [{"id": lid[:-4] + "0000", "address_1": "Voorbeeldstraat 1", "city": "Kortrijk",
                           "state_province": "West-Vlaanderen", "postal_code": postcode, "country": "BE",
                           "address_type": "physical"}]}


def _service(sid: str, lid: str, name: str, modified: str) -> dict:
    return {"id": sid, "organization_id": ORG, "name": name, "status": "active", "last_modified": modified,
            "service_at_locations": [{"id": sid[:-4] + "5a1e", "service_id": sid, "location_id": lid}]}


@pytest.fixture
async def snap(deps: Deps) -> hsds_api.Snapshot:
    await import_document(deps, {"id": ORG, "name": "VZW Voorbeeld", "description": "Een voorbeeld.", "locations": [
        _location(LOC_NEAR, "8500", 50.8280, 3.2650), _location(LOC_FAR, "8510", 50.7800, 3.3300)]})
    await import_document(deps, [_service(SVC_NEAR, LOC_NEAR, "Taalcafé", "2026-03-01T10:00:00Z"),
                                 _service(SVC_FAR, LOC_FAR, "Woonloket", "2025-01-01T10:00:00+01:00")])
    return hsds_api.snapshot(await hsds_export.catalogue("kortrijk", deps))


def _ids(items: list[dict]) -> set[str]:
    return {i.get("service_id", i["id"]) for i in items}


async def test_postcode_and_proximity(snap: hsds_api.Snapshot) -> None:
    assert _ids(hsds_api.service_at_locations(snap, {"postcode": "8510"})) == {SVC_FAR}
    assert _ids(hsds_api.service_at_locations(snap, {"postcode": "8500", "proximity": "1000"})) == {SVC_NEAR}
    assert _ids(hsds_api.service_at_locations(snap, {"postcode": "8500", "proximity": "10000"})) == {SVC_NEAR,
                                                                                                     SVC_FAR}
    assert hsds_api.service_at_locations(snap, {"postcode": "9999", "proximity": "100000"}) == []
    with pytest.raises(InvalidArgument, match="proximity: a distance in metres"):
        hsds_api.service_at_locations(snap, {"postcode": "8500", "proximity": "far"})


async def test_modified_after_search_and_lists(snap: hsds_api.Snapshot) -> None:
    assert _ids(hsds_api.services(snap, {"modified_after": "2026-01-01T00:00:00Z"})) == {SVC_NEAR}
    assert _ids(hsds_api.services(snap, {"search": "woonloket"})) == {SVC_FAR}
    assert _ids(hsds_api.services(snap, {"search": "voorbeeld"})) == {SVC_NEAR, SVC_FAR}  # the organisation's name
    assert all(not isinstance(v, list | dict) for s in hsds_api.services(snap, {}) for v in s.values())
    full = hsds_api.services(snap, {"full": "true"})
    assert all(x["location"]["id"] == x["location_id"] for s in full for x in s["service_at_locations"])
    minimal = hsds_api.services(snap, {"minimal": "true"})
    assert all(set(s) <= {"id", "name", "status", "last_modified"} for s in minimal)
    with pytest.raises(InvalidArgument, match="modified_after: an RFC 3339"):
        hsds_api.services(snap, {"modified_after": "gisteren"})


async def test_taxonomy_filters_and_terms(deps: Deps) -> None:
    for document in demo_subset(2).values():
        await import_document(deps, document)
    snap = hsds_api.snapshot(await hsds_export.catalogue("kortrijk", deps))
    themes = hsds_api.taxonomy_id("wegwijs-themes")
    housing = next(t for t in snap.terms.values() if t.get("code") == "housing")
    children = hsds_api.taxonomy_terms(snap, {"parent_id": housing["id"]})
    assert children and all(t["code"].startswith("housing.") for t in children)
    assert all("parent_id" not in t for t in hsds_api.taxonomy_terms(snap, {"top_only": "true"}))
    themed = hsds_api.services(snap, {"taxonomy_id": themes})
    assert themed and len(themed) <= len(snap.services)
    term = hsds_api.taxonomy_term(snap, children[0]["id"])
    assert term["taxonomy_detail"]["id"] == themes
    with pytest.raises(NotFound):
        hsds_api.service(snap, "no-such-service")


def test_paging() -> None:
    items = [{"id": str(i)} for i in range(5)]
    last = hsds_api.page(items, hsds_api.Paging(3, 2))
    assert (last["size"], last["last_page"], last["first_page"], last["total_pages"]) == (1, True, False, 3)
    assert hsds_api.page(items, hsds_api.Paging(4, 2))["empty"]
    assert hsds_api.page([], hsds_api.Paging(1, 2))["total_pages"] == 1
    with pytest.raises(InvalidArgument, match="per_page: from 1 to 1,000, not 5,000"):
        hsds_api.Paging.of({"per_page": "5000"})
