"""The public HSDS 3.1 API, live on uvicorn over the real FerretDB with a small seeded catalogue (three demo
organisations with their services and locations), tried by schemathesis from `openapi.json`: every GET endpoint,
no server error, every documented response valid against its schema; then the real ids, fetched and nested."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from pymongo import AsyncMongoClient

from services.catalogue.adapters import hsds
from services.catalogue.adapters.hsds_api_spec import spec
from services.catalogue.application.hsds_import import import_records
from services.catalogue.bootstrap import CatalogueSettings, bootstrap
from services.catalogue.entrypoints import hsds_http
from services.catalogue.tests.support import CTX, SCHEMAS, demo_subset
from services.plumbing.settings import Settings

pytestmark = pytest.mark.integration
CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = 12  # per operation: 11 GET operations stay well under a minute


@dataclass
class Live:
    """The catalogue's HSDS app served on its own loop in a thread (schemathesis calls it synchronously)."""

    settings: Settings
    port: int = 0
    ready: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 (reported to the test, which fails on it)
            self.error = exc
            self.ready.set()

    async def _main(self) -> None:
        app = await bootstrap(self.settings, CatalogueSettings(hsds_import_workers=0))
        self.stopping = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        try:
            for document in demo_subset(3).values():
                await import_records(hsds.parse(document, SCHEMAS), "kortrijk", "seed-hsds-api-" + document[
                    "contents"][0]["id"][:8], CTX, app.deps)
            server = asyncio.create_task(hsds_http.serve(
                hsds_http.app(app.deps, SCHEMAS, ttl=60), "127.0.0.1", 0, bound=self._bound))
            await self.stopping.wait()
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)
        finally:
            client: AsyncMongoClient[dict[str, Any]] = app.mongo
            await client.drop_database(self.settings.database("catalogue"))
            await app.close()

    def _bound(self, port: int) -> None:
        self.port = port
        self.ready.set()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.stopping.set)


@pytest.fixture(scope="module")
def live(stack: Settings) -> Iterator[str]:
    import uuid
    tag = uuid.uuid4().hex[:10]
    server = Live(stack.model_copy(update={"topic_prefix": f"t{tag}.", "db_prefix": f"t{tag}_"}))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.ready.wait(60), "the HSDS API did not start"
    if server.error is not None:
        raise server.error
    yield f"http://127.0.0.1:{server.port}"
    server.stop()
    thread.join(30)


def _operations(base: str) -> list[Any]:
    schema = schemathesis.openapi.from_dict(spec(SCHEMAS, f"{base}/kortrijk"))
    return [op for result in schema.get_all_operations() if (op := result.ok()).method.upper() == "GET"]


def test_schemathesis_every_get_endpoint(live: str) -> None:
    operations = _operations(live)
    assert {op.path for op in operations} == {
        "/", "/services", "/services/{id}", "/organizations", "/organizations/{id}", "/service_at_locations",
        "/service_at_locations/{id}", "/taxonomies", "/taxonomies/{id}", "/taxonomy_terms", "/taxonomy_terms/{id}"}
    session = requests.Session()
    for op in operations:
        @hyp(max_examples=EXAMPLES, deadline=None, database=None,
             suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def call(case: Any) -> None:
            case.call_and_validate(base_url=f"{live}/kortrijk", session=session, checks=CHECKS)
        call()


def _get(base: str, path: str) -> Any:
    response = requests.get(f"{base}/kortrijk{path}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def _validated(base: str, path: str, **path_parameters: str) -> Any:
    """The response of a known id, checked by schemathesis's schema conformance as the fuzzing is."""
    template = path.format(**{k: "{" + k + "}" for k in path_parameters})
    op = next(o for o in _operations(base) if o.path == template)
    response = op.Case(path_parameters=path_parameters).call_and_validate(base_url=f"{base}/kortrijk",
                                                                           checks=CHECKS)
    return response.json()


def test_real_ids_answer_with_nested_documents(live: str) -> None:
    services = _get(live, "/services?per_page=1000")
    assert services["total_items"] > 3 and services["contents"], services
    listed = services["contents"][0]
    assert not any(isinstance(v, list | dict) for v in listed.values())  # lists hold one-to-one fields only
    sid = next(s["id"] for s in services["contents"])
    full = _validated(live, "/services/{id}", id=sid)
    assert full["organization"]["id"] == full["organization_id"]
    assert full["service_at_locations"] and all(x["location"]["id"] == x["location_id"]
                                                for x in full["service_at_locations"])
    sal_id = full["service_at_locations"][0]["id"]
    assert _validated(live, "/service_at_locations/{id}", id=sal_id)["location"]["id"]
    org = _validated(live, "/organizations/{id}", id=full["organization_id"])
    assert sid in {s["id"] for s in org["services"]}
    terms = _get(live, "/taxonomy_terms?top_only=true&per_page=1000")["contents"]
    assert terms and all("parent_id" not in t for t in terms)
    term = next(a["taxonomy_term_id"] for a in full["attributes"] if a["taxonomy_term"]["taxonomy"]
                == "wegwijs-themes")
    assert _validated(live, "/taxonomy_terms/{id}", id=term)["taxonomy_detail"]["name"] == "wegwijs-themes"
    assert sid in {s["id"] for s in _get(live, f"/services?taxonomy_term_id={term}&per_page=1000")["contents"]}
    taxonomy = _get(live, "/taxonomies")["contents"][0]["id"]
    assert _validated(live, "/taxonomies/{id}", id=taxonomy)["id"] == taxonomy


def test_paging_filters_and_refusals(live: str) -> None:
    everything = _get(live, "/services?per_page=1000")
    first, second = _get(live, "/services?per_page=2"), _get(live, "/services?per_page=2&page=2")
    assert first["first_page"] and not first["last_page"] and first["size"] == 2
    assert second["page_number"] == 2 and {s["id"] for s in first["contents"]}.isdisjoint(
        {s["id"] for s in second["contents"]})
    assert first["total_pages"] == -(-everything["total_items"] // 2)
    org_id = everything["contents"][0]["organization_id"]
    of_org = _get(live, f"/services?organization_id={org_id}&per_page=1000")["contents"]
    assert of_org and all(s["organization_id"] == org_id for s in of_org)
    assert len(of_org) < everything["total_items"]
    target = everything["contents"][0]
    found = _get(live, f"/services?search={target['name'].split()[-1]}&per_page=1000")["contents"]
    assert target["id"] in {s["id"] for s in found}
    assert _get(live, "/services?search=qqzzxxnothing")["empty"]
    ndjson = requests.get(f"{live}/kortrijk/services?format=ndjson", timeout=10)
    assert ndjson.headers["content-type"].startswith("application/x-ndjson")
    assert len(ndjson.text.splitlines()) == everything["total_items"]
    for path, field_name in [("/services?page=0", "page"), ("/services?per_page=x", "per_page"),
                             ("/services?modified_after=yesterday", "modified_after"),
                             ("/service_at_locations?proximity=500", "proximity"),
                             ("/services?format=xml", "format"), ("/services?full=maybe", "full")]:
        refused = requests.get(f"{live}/kortrijk{path}", timeout=10)
        assert refused.status_code == 400 and refused.json()["field"] == field_name, (path, refused.text)
    assert requests.get(f"{live}/kortrijk/services/nope", timeout=10).status_code == 404
    unknown = requests.get(f"{live}/atlantis/services", timeout=10)
    assert unknown.status_code == 404 and unknown.json()["field"] == "municipality"
    assert requests.get(f"{live}/brugge/services", timeout=10).json()["total_items"] == 0  # per municipality
    assert requests.post(f"{live}/kortrijk/services", timeout=10).status_code == 405  # read-only
    assert requests.get(f"{live}/kortrijk/", timeout=10).json()["openapi_url"].endswith("/kortrijk/openapi.json")
    assert requests.get(f"{live}/healthz", timeout=10).json()["status"] == "serving"
