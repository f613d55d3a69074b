"""The catalogue pages in-process, on a client standing in for CatalogueService: the search shows services by name
with Dutch theme labels, the upload sends the file's text and shows the import's summary and refused records, a
refusal naming the document is shown beside the file field, the export is a JSON download."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import grpc
import pytest
from starlette.testclient import TestClient

from contracts.proto import catalogue_pb2 as cat
from services.web.tests.conftest import signed_in
from services.web.tests.exports import Export


class Refused(grpc.aio.AioRpcError):
    def __init__(self, details: str) -> None:
        super().__init__(grpc.StatusCode.INVALID_ARGUMENT, grpc.aio.Metadata(), grpc.aio.Metadata(), details)


class Catalogue:
    def __init__(self) -> None:
        self.asked: list[tuple[str, dict[str, Any]]] = []
        self.export = Export({("kortrijk", "service"): [{"id": f"s-{n}", "name": f"Dienst {n}"} for n in range(5)]},
                             per_page=2)

    def as_(self, _token: str) -> Catalogue:
        return self

    async def catalogue_call(self, rpc: str, **fields: Any) -> Any:
        self.asked.append((rpc, fields))
        service = cat.ServiceView(id="s-1", service=cat.Service(name="Woonloket Leiebrugge", themes=["housing"],
                                                                 languages=["ar", "nl"], status="active"))
        if rpc == "SearchServices":
            return cat.SearchServicesResponse(hits=[cat.SearchHit(service=service)], total=1)
        if rpc == "GetService":
            return service
        if rpc == "ImportHsds":
            if "not json" in fields["document"]:
                raise Refused("document: is not JSON (Expecting value at line 1)")
            return cat.ImportHsdsResponse(created=2, rejected=1, records=[
                cat.RecordReport(kind="service", hsds_id="x-9", outcome="rejected", reasons=["name: required"])])
        return self.export.answer(rpc, fields)

    async def close(self) -> None:
        return None


@pytest.fixture
def fake() -> Catalogue:
    return Catalogue()


@pytest.fixture
def admin(web_secrets: Path, fake: Catalogue) -> TestClient:
    return signed_in(web_secrets, fake, role="catalogue-admin", municipality="kortrijk")


def csrf(client: TestClient) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/catalogue/import").text).group(1)  # type: ignore


def test_the_search_shows_services_by_name_with_dutch_theme_labels(admin: TestClient, fake: Catalogue) -> None:
    page = admin.get("/catalogue?theme=housing&language=ar&free_only=on").text
    assert "Woonloket Leiebrugge" in page and "Wonen" in page
    assert ("SearchServices", {"theme": "housing", "language": "ar", "free_only": True, "include_closed": False,
                               "page_token": "", "page_size": 25}) in fake.asked
    assert "Woonloket Leiebrugge" in admin.get("/catalogue/services/s-1").text


def test_an_upload_shows_the_import_summary(admin: TestClient, fake: Catalogue) -> None:
    answer = admin.post("/catalogue/import", data={"csrf": csrf(admin), "kind": ""},
                        files={"document": ("services.json", b'{"id": "x-9"}', "application/json")})
    assert answer.status_code == 200
    assert "x-9" in answer.text and "name: required" in answer.text
    assert ("ImportHsds", {"document": '{"id": "x-9"}', "kind": ""}) in fake.asked


def test_a_refused_file_is_named_beside_its_field(admin: TestClient) -> None:
    answer = admin.post("/catalogue/import", data={"csrf": csrf(admin)},
                        files={"document": ("bad.json", b"not json", "application/json")})
    assert answer.status_code == 422
    assert re.search(r'id="document-error">is not JSON', answer.text)
    assert admin.post("/catalogue/import", data={"csrf": csrf(admin)}).status_code == 422


def test_an_upload_without_the_csrf_token_is_refused(admin: TestClient) -> None:
    assert admin.post("/catalogue/import", files={"document": ("a.json", b"{}", "application/json")}
                      ).status_code == 403


def test_the_export_is_a_json_download_of_every_page(admin: TestClient) -> None:
    """A catalogue too large for ExportHsds's one message (refused) downloads whole, asked page by page."""
    answer = admin.get("/catalogue/export?kind=service")
    assert answer.headers["content-disposition"] == 'attachment; filename="hsds-kortrijk-service.json"'
    assert [o["id"] for o in json.loads(answer.text)] == ["s-0", "s-1", "s-2", "s-3", "s-4"]
