"""ExportHsdsPage over gRPC: a client whose message limit ExportHsds's one message exceeds exports the same
catalogue page by page (at 4 MiB, the default, that is a municipality of about 1,900 services)."""
from __future__ import annotations

import json

import grpc
import pytest

from contracts.envelope import Role
from contracts.proto import catalogue_pb2 as pb
from contracts.proto import catalogue_pb2_grpc
from services.catalogue.tests.integration.test_grpc_hsds_and_search import import_file
from services.catalogue.tests.support import demo_subset

pytestmark = pytest.mark.integration


async def test_a_catalogue_larger_than_the_client_limit_exports_page_by_page(api) -> None:
    files = demo_subset(organizations=3)
    for document in files.values():
        await import_file(api, document)
    exported = await api.call("ExportHsds", pb.ExportHsdsRequest(tenant="kortrijk", kind="service"), Role.POLICY)
    whole = json.loads(exported.document)["contents"]
    limit = exported.ByteSize() // 2  # this client's message limit: half the one-message export
    assert len(whole) >= 6
    small = grpc.aio.insecure_channel(api.target, options=[("grpc.max_receive_message_length", limit)])
    stub = catalogue_pb2_grpc.CatalogueServiceStub(small)
    try:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.ExportHsds(pb.ExportHsdsRequest(tenant="kortrijk", kind="service"),
                                  metadata=api.as_(Role.POLICY), timeout=30)
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        docs, token, pages = [], "", 0
        while True:
            page = await stub.ExportHsdsPage(pb.ExportHsdsPageRequest(
                tenant="kortrijk", kind="service", page_size=2, page_token=token), metadata=api.as_(Role.POLICY),
                timeout=30)
            docs += json.loads(page.document)
            pages += 1
            assert page.total == len(whole) and page.records == len(json.loads(page.document))
            if not (token := page.next_page_token):
                break
        assert pages > 1 and docs == whole
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.ExportHsdsPage(pb.ExportHsdsPageRequest(tenant="kortrijk", page_size=5000),
                                      metadata=api.as_(Role.POLICY), timeout=30)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert refused.value.details().startswith("page_size")
    finally:
        await small.close()
