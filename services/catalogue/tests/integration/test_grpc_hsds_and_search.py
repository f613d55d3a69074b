"""ImportHsds, ExportHsds and SearchServices over gRPC on the real stack, with part of the demo catalogue.

Part only: FerretDB's SQLite backend takes tens of milliseconds per write, so the whole demo (418 records) is
round-tripped by the unit tests on the in-memory adapters, which pass the same contract tests.
"""
from __future__ import annotations

import json
import uuid

import grpc
import pytest

from contracts.envelope import Role
from contracts.proto import catalogue_pb2 as pb
from services.catalogue.tests.support import EXAMPLES, demo_files, demo_subset

pytestmark = pytest.mark.integration


async def import_file(api, document, command_id: str | None = None) -> pb.ImportHsdsResponse:
    return await api.call("ImportHsds", pb.ImportHsdsRequest(
        command_id=command_id or uuid.uuid4().hex, tenant="kortrijk", document=json.dumps(document)))


@pytest.fixture
async def demo(api):
    files = demo_subset(organizations=3)
    reports = [await import_file(api, files["organizations"]), await import_file(api, files["services"])]
    return api, files, reports


async def test_import_export_reimport_round_trips_field_for_field(demo) -> None:
    api, files, first = demo
    services = files["services"]["total_items"]
    assert [(r.created, r.rejected) for r in first] == [(6, 0), (2 * services, 0)]
    for kind, name in (("organization", "organizations"), ("service", "services")):
        exported = await api.call("ExportHsds", pb.ExportHsdsRequest(tenant="kortrijk", kind=kind), Role.POLICY)
        assert json.loads(exported.document) == files[name]
    again = [await import_file(api, files["organizations"]), await import_file(api, files["services"])]
    assert [(r.unchanged, r.created, r.updated) for r in again] == [(6, 0, 0), (2 * services, 0, 0)]


async def test_search_answers_the_bridge_workers_questions(demo) -> None:
    api, _, _ = demo
    housing = await api.call("SearchServices", pb.SearchServicesRequest(
        tenant="kortrijk", theme="housing", language="ar", free_only=True, weekday="TU", time_from="08:00",
        time_to="12:00"), Role.FRONT_OFFICE)
    assert "Woonloket Leiebrugge" in [h.service.service.name for h in housing.hits]
    assert all("ar" in h.service.service.languages and "speaks ar" in h.reasons for h in housing.hits)
    school = await api.call("SearchServices", pb.SearchServicesRequest(
        tenant="kortrijk", theme="education.school-registration", language="ti"), Role.FRONT_OFFICE)
    assert school.total == 0 and not school.hits
    ids, token, pages = [], "", 0
    while pages == 0 or token:
        page = await api.call("SearchServices", pb.SearchServicesRequest(
            tenant="kortrijk", page_size=3, page_token=token), Role.PARTNER)
        ids, token, pages = ids + [h.service.id for h in page.hits], page.next_page_token, pages + 1
    assert len(ids) == len(set(ids)) == page.total and pages == -(-page.total // 3)


async def test_a_malformed_file_lands_its_valid_records_and_says_why_the_others_did_not(api) -> None:
    orgs = demo_files()["organizations"]["contents"]
    document = [orgs[0], {**orgs[1], "id": "nope"}, {"name": "Zonder beschrijving", "id": str(uuid.uuid4())}]
    report = await import_file(api, document)
    assert (report.created, report.rejected) == (2, 3)  # the first organisation and its location land
    reasons = {r.hsds_id: list(r.reasons) for r in report.records if r.outcome == "rejected"}
    assert reasons["nope"] == ["id: 'nope' is not a 'uuid'"]
    [inside] = orgs[1]["locations"]  # nested in the refused organisation: reported with it
    assert reasons[inside["id"]][0].startswith("not imported: organization nope of the same object (#2)")
    assert any("'description' is a required property" in x for x in reasons[document[2]["id"]])


async def test_a_document_that_is_not_json_is_refused(api) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await api.call("ImportHsds", pb.ImportHsdsRequest(command_id=uuid.uuid4().hex, tenant="kortrijk",
                                                          document="{not json"))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT and caught.value.details().startswith("document")


async def test_the_official_hsds_example_imports_and_exports(api) -> None:
    example = json.loads((EXAMPLES / "organization_full.json").read_text())
    report = await import_file(api, example)
    assert (report.created, report.rejected) == (4, 0)
    exported = await api.call("ExportHsds", pb.ExportHsdsRequest(tenant="kortrijk", kind="service"), Role.POLICY)
    [service] = json.loads(exported.document)["contents"]
    original = example["services"][0]
    assert {k: service[k] for k in ("id", "name", "status", "wait_time", "funding", "program")} == {
        k: original[k] for k in ("id", "name", "status", "wait_time", "funding", "program")}
