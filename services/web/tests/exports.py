"""A stand-in for CatalogueService's export as a large catalogue answers it: ExportHsdsPage a few objects a page, and
ExportHsds refused as its one message would be (RESOURCE_EXHAUSTED above about 1,900 services)."""
from __future__ import annotations

import json
from typing import Any

import grpc

from contracts.proto import catalogue_pb2 as cat


class TooLarge(grpc.aio.AioRpcError):
    def __init__(self) -> None:
        super().__init__(grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.aio.Metadata(), grpc.aio.Metadata(),
                         "Received message larger than max (5242880 vs. 4194304)")


class Export:
    """`objects[(tenant, kind)]` answered `per_page` at a time; every request kept in `asked`."""

    def __init__(self, objects: dict[tuple[str, str], list[dict[str, Any]]], per_page: int = 1) -> None:
        self.objects, self.per_page = objects, per_page
        self.asked: list[dict[str, Any]] = []

    def answer(self, rpc: str, fields: dict[str, Any]) -> Any:
        if rpc == "ExportHsds":
            raise TooLarge()
        assert rpc == "ExportHsdsPage", rpc
        self.asked.append(fields)
        found = self.objects.get((fields["tenant"], fields["kind"]), [])
        start = int(fields.get("page_token") or 0)
        end = start + self.per_page
        return cat.ExportHsdsPageResponse(document=json.dumps(found[start:end]), records=len(found[start:end]),
                                          total=len(found), next_page_token=str(end) if end < len(found) else "")
