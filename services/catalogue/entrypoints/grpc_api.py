"""CatalogueService over gRPC: translates protobuf ↔ commands and queries only. No business rule here."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import grpc
import structlog

from contracts.envelope import Role, new_event_id
from contracts.proto import catalogue_pb2 as pb
from contracts.proto import catalogue_pb2_grpc
from contracts.tenants import MUNICIPALITIES
from services.catalogue.adapters import hsds
from services.catalogue.application import hsds_export, queries
from services.catalogue.application.handlers import Context, Deps, handle
from services.catalogue.application.hsds_import import import_records
from services.catalogue.domain import commands as c
from services.catalogue.domain.search import ServiceQuery
from services.catalogue.entrypoints.messages import (
    data, import_response, offset, optional, search_response, service_view)
from services.plumbing import auth, offload
from services.plumbing.errors import InvalidArgument

Ctx = grpc.aio.ServicerContext
ADMINS = frozenset({Role.CATALOGUE_ADMIN, Role.ADMIN})
EXPORT_PAGE_DEFAULT, EXPORT_PAGE_MAX = 500, 1000
READERS = frozenset({Role.FRONT_OFFICE, Role.CATALOGUE_ADMIN, Role.ADMIN, Role.POLICY, Role.PARTNER})


def context() -> Context:
    """The caller's actor (from the auth interceptor) and the correlation id it bound."""
    correlation_id = structlog.contextvars.get_contextvars().get("correlation_id") or new_event_id()
    return Context(auth.current().actor, correlation_id)


def tenant_of(requested: str) -> str:
    """Municipal staff act for their own municipality (an admin names one); a partner may read any city's map."""
    principal = auth.current()
    if principal.role is Role.PARTNER:
        return requested
    return auth.scope_tenant(principal, requested or None)


class CatalogueServicer(catalogue_pb2_grpc.CatalogueServiceServicer):
    ACCESS: ClassVar[auth.Access] = {
        "RegisterOrganization": ADMINS, "UpdateOrganization": ADMINS, "CloseOrganization": ADMINS,
        "RegisterService": ADMINS, "UpdateService": ADMINS, "VerifyService": ADMINS, "CloseService": ADMINS,
        "RegisterLocation": ADMINS, "UpdateLocation": ADMINS, "CloseLocation": ADMINS,
        "LinkServiceAtLocation": ADMINS, "ImportHsds": ADMINS,
        "GetService": READERS, "SearchServices": READERS, "ExportHsds": READERS, "ExportHsdsPage": READERS,
    }

    def __init__(self, deps: Deps, hsds_schema_dir: Path, limits: hsds.Limits = hsds.Limits(),
                 processes: offload.Processes | None = None) -> None:
        """`processes`: where HSDS documents are parsed (None: a worker thread of this process)."""
        self.deps, self.schema_dir, self.limits, self.processes = deps, hsds_schema_dir, limits, processes

    async def _run(self, cmd: c.Command) -> pb.CommandResult:
        return pb.CommandResult(**await handle(cmd, context(), self.deps))

    async def RegisterOrganization(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._run(c.RegisterOrganization(command_id=r.command_id, tenant=tenant_of(r.tenant),
                                                      organization_id=optional(r.organization_id),
                                                      record=data(r.organization)))

    async def RegisterService(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._run(c.RegisterService(command_id=r.command_id, tenant=tenant_of(r.tenant),
                                                 service_id=optional(r.service_id), record=data(r.service)))

    async def RegisterLocation(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._run(c.RegisterLocation(command_id=r.command_id, tenant=tenant_of(r.tenant),
                                                  location_id=optional(r.location_id), record=data(r.location)))

    async def UpdateOrganization(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._run(c.UpdateOrganization(command_id=r.command_id, tenant=tenant_of(r.tenant), entity_id=r.id,
                                                    changes=data(r.changes)))

    async def UpdateService(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._run(c.UpdateService(command_id=r.command_id, tenant=tenant_of(r.tenant), entity_id=r.id,
                                               changes=data(r.changes)))

    async def UpdateLocation(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._run(c.UpdateLocation(command_id=r.command_id, tenant=tenant_of(r.tenant), entity_id=r.id,
                                                changes=data(r.changes)))

    async def VerifyService(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._run(c.VerifyService(command_id=r.command_id, tenant=tenant_of(r.tenant), entity_id=r.id,
                                               assured_date=optional(r.assured_date)))

    async def CloseService(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._run(c.CloseService(command_id=r.command_id, tenant=tenant_of(r.tenant), entity_id=r.id,
                                              status=r.status or "inactive", reason=r.reason))

    async def CloseOrganization(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._run(c.CloseOrganization(command_id=r.command_id, tenant=tenant_of(r.tenant), entity_id=r.id,
                                                   status=r.status or "inactive", reason=r.reason))

    async def CloseLocation(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._run(c.CloseLocation(command_id=r.command_id, tenant=tenant_of(r.tenant), entity_id=r.id,
                                               reason=r.reason))

    async def LinkServiceAtLocation(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return await self._run(c.LinkServiceAtLocation(
            command_id=r.command_id, tenant=tenant_of(r.tenant), service_id=r.service_id, location_id=r.location_id,
            service_at_location_id=optional(r.service_at_location_id), description=optional(r.description)))

    async def GetService(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        return service_view(await queries.get(self.deps, "service", tenant_of(r.tenant), r.id))

    async def SearchServices(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        query = ServiceQuery(
            tenant=tenant_of(r.tenant), theme=optional(r.theme), language=optional(r.language),
            include_interpretation=r.include_interpretation, municipality=optional(r.municipality),
            open_at=optional(r.open_at), open_on=optional(r.open_on), weekday=optional(r.weekday),
            time_from=optional(r.time_from), time_to=optional(r.time_to), free_only=r.free_only,
            accessible_only=r.accessible_only, with_capacity=r.with_capacity, include_closed=r.include_closed,
            age=r.age if r.HasField("age") else None, without_residence_status=r.without_residence_status,
            page_size=r.page_size or 20, offset=offset(r.page_token))
        result = await queries.search_services(query, self.deps)
        docs = {d["_id"]: d for d in await self.deps.views.many(
            "service", query.tenant, [h.candidate.service_id for h in result.hits])}
        return search_response(result, docs)

    async def ImportHsds(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        cmd = c.Command(command_id=r.command_id, tenant=tenant_of(r.tenant))
        if r.kind and r.kind not in hsds.KINDS:
            raise InvalidArgument("kind", f"one of {', '.join(hsds.KINDS)}, or empty to detect")
        if self.processes is None:
            items = await offload.run(lambda stop: hsds.read(r.document, self.schema_dir, optional(r.kind),
                                                              self.limits, stop))
        else:
            items = await self.processes.run(hsds.read, r.document, self.schema_dir, optional(r.kind), self.limits)
        return import_response(await import_records(items, cmd.tenant, cmd.command_id, context(), self.deps))

    async def _exported(self, r: Any) -> tuple[str, hsds_export.Catalogue]:
        kind = r.kind or "organization"
        if kind not in ("organization", "service", "location"):
            raise InvalidArgument("kind", "one of organization, service, location")
        tenant = tenant_of(r.tenant)
        if tenant not in MUNICIPALITIES:
            raise InvalidArgument("tenant", f"unknown municipality {tenant!r}")
        return kind, await hsds_export.catalogue(tenant, self.deps)

    async def ExportHsdsPage(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        if not 0 <= r.page_size <= EXPORT_PAGE_MAX:
            raise InvalidArgument("page_size", f"from 1 to {EXPORT_PAGE_MAX:,} (0: {EXPORT_PAGE_DEFAULT})")
        start = offset(r.page_token)
        kind, records = await self._exported(r)

        def render(_: offload.Stop) -> pb.ExportHsdsPageResponse:
            docs, total, end = hsds.export_page(kind, records, start, r.page_size or EXPORT_PAGE_DEFAULT)
            return pb.ExportHsdsPageResponse(document=json.dumps(docs, ensure_ascii=False), records=len(docs),
                                             total=total, next_page_token="" if end is None else str(end))
        return await offload.run(render)

    async def ExportHsds(self, r: Any, _: Ctx) -> Any:  # noqa: N802
        kind, records = await self._exported(r)

        def render(_: offload.Stop) -> pb.ExportHsdsResponse:  # CPU-heavy for a large catalogue: off the loop
            document = hsds.export(kind, records)
            return pb.ExportHsdsResponse(document=json.dumps(document, ensure_ascii=False),
                                         records=document["total_items"])
        return await offload.run(render)
