"""Issue 15 section 1 on the real stack (FerretDB, Kafka) through gRPC: one HSDS 3.1 document that uses every field
the schema defines imports, is found by language (given by name), theme (through an AIRS term), opening hours,
capacity and accessibility, exports page by page field for field, and imports again as no change.

Export and input are compared after the normalisations `hsds_documents.canon` allows (list order, currency case,
a language's code from its name).
"""
from __future__ import annotations

import json
import uuid

import pytest

from contracts.envelope import Role
from contracts.proto import catalogue_pb2 as pb
from services.catalogue.tests import hsds_documents as d
from services.catalogue.tests.hsds_documents import canon

pytestmark = pytest.mark.integration


async def _import(api, document) -> pb.ImportHsdsResponse:
    return await api.call("ImportHsds", pb.ImportHsdsRequest(
        command_id=uuid.uuid4().hex, tenant="kortrijk", document=json.dumps(document)))


async def _export(api, kind: str) -> list[dict]:
    docs, token = [], ""
    while True:
        page = await api.call("ExportHsdsPage", pb.ExportHsdsPageRequest(
            tenant="kortrijk", kind=kind, page_size=1, page_token=token), Role.POLICY)
        docs += json.loads(page.document)
        if not (token := page.next_page_token):
            return docs


async def test_a_document_using_every_field_imports_is_found_exports_and_reimports_unchanged(api) -> None:
    document = [*d.organizations(), *d.services()]
    first = await _import(api, document)
    assert (first.created, first.rejected, first.skipped) == (7, 0, 0), list(first.records)
    found = await api.call("SearchServices", pb.SearchServicesRequest(
        tenant="kortrijk", theme="housing", language="ar", open_at="2026-02-09T10:00:00+01:00",
        with_capacity=True, accessible_only=True), Role.FRONT_OFFICE)
    assert [h.service.service.name for h in found.hits] == ["Nachtopvang De Overzet"]
    closed = await api.call("SearchServices", pb.SearchServicesRequest(
        tenant="kortrijk", language="ar", open_at="2026-02-10T10:00:00+01:00"), Role.FRONT_OFFICE)
    assert closed.total == 0
    organizations, services = await _export(api, "organization"), await _export(api, "service")
    assert canon(organizations) == canon(d.organizations())
    assert canon(services) == canon(d.services())
    again = await _import(api, organizations + services)
    assert (again.unchanged, again.created, again.updated, again.rejected) == (7, 0, 0, 0), list(again.records)
