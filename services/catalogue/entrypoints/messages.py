"""Protobuf ↔ plain data for the catalogue API. Records cross as their JSON form, so pydantic names bad fields."""
from __future__ import annotations

from typing import Any

from google.protobuf.json_format import MessageToDict, ParseDict
from google.protobuf.message import Message

from contracts.proto import catalogue_pb2 as pb
from services.catalogue.application.hsds_import import Report
from services.catalogue.application.queries import SearchResult
from services.catalogue.application.views import links_of
from services.plumbing.errors import InvalidArgument


def data(message: Message) -> dict[str, Any]:
    out = MessageToDict(message, preserving_proto_field_name=True)
    _capacity_zero(message, out)
    return out


def _capacity_zero(message: Message, out: dict[str, Any]) -> None:
    """`Capacity.available` has no presence in proto3: 0 (a full service) would vanish from the JSON form."""
    for name in ("service", "capacity"):
        field = message.DESCRIPTOR.fields_by_name.get(name)
        if field is None or field.message_type is None or not message.HasField(name):
            continue
        if name == "capacity":
            out.setdefault("capacity", {}).setdefault("available", 0.0)
        else:
            _capacity_zero(getattr(message, name), out.setdefault(name, {}))


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def service_view(doc: dict[str, Any]) -> pb.ServiceView:
    return pb.ServiceView(
        id=doc["_id"], version=doc["version"], service=ParseDict(_without_none(doc["record"]), pb.Service()),
        locations=[pb.ServiceAtLocation(service_at_location_id=x.service_at_location_id, location_id=x.location_id,
                                        description=x.description or "") for x in links_of(doc)])


def search_response(result: SearchResult, docs: dict[str, dict[str, Any]]) -> pb.SearchServicesResponse:
    return pb.SearchServicesResponse(
        hits=[pb.SearchHit(service=service_view(docs[h.candidate.service_id]), score=h.score, reasons=h.reasons)
              for h in result.hits],
        total=result.total, next_page_token="" if result.next_offset is None else str(result.next_offset))


def import_response(reports: list[Report]) -> pb.ImportHsdsResponse:
    counts = {o: sum(r.outcome == o for r in reports) for o in ("created", "updated", "unchanged", "rejected",
                                                                 "skipped")}
    return pb.ImportHsdsResponse(records=[pb.RecordReport(
        kind=r.kind, hsds_id=r.hsds_id, outcome=r.outcome, id=r.id, reasons=r.reasons,
        changed_fields=r.changed_fields) for r in reports], **counts)


def offset(page_token: str) -> int:
    if not page_token:
        return 0
    if not page_token.isdigit():
        raise InvalidArgument("page_token", "not a token this service issued")
    return int(page_token)


def optional(value: str) -> str | None:
    return value or None
