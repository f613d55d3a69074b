"""Use cases of the catalogue: load, decide, append, refresh the query model. `HANDLERS` is the table of contents."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import reduce
from typing import Any

from contracts.envelope import Actor, new_event_id
from contracts.events import DomainEvent, decode
from services.catalogue.application.views import Views, document, entity_of
from services.catalogue.domain import commands as c
from services.catalogue.domain import decisions
from services.catalogue.domain.entity import REGISTERED, Entity, Kind
from services.catalogue.domain.errors import CatalogueRuleViolated, UnknownEntity
from services.plumbing.errors import FailedPrecondition, NotFound
from services.plumbing.eventstore import Commit, ConcurrencyError, EventStore, streams

LINKS = uuid.UUID("5b0f3d4e-7c53-4f0e-9d0a-6a4c3e2b1f10")


@dataclass(frozen=True)
class Context:
    """Who asks, under which correlation id. Filled by the entry point from the call's credentials."""

    actor: Actor
    correlation_id: str
    # True when command ids are derived, never reused for another change (HSDS import): the upfront retry lookup,
    # a full scan of the commits on FerretDB, is skipped; the store's unique command_id still stops duplicates.
    derived_command_ids: bool = False


@dataclass
class Deps:
    store: EventStore
    views: Views
    published: Callable[[], None] = lambda: None  # wakes the relay after an append
    new_id: Callable[[], str] = new_event_id
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def today(self) -> date:
        return self.now().date()


async def load(deps: Deps, kind: Kind, entity_id: str, tenant: str) -> Entity:
    """The entity of `tenant` replayed from its stream. Ids are per municipality: the stream is scoped by tenant
    (`<kind>:<tenant>:<id>`; one recorded before keeps its bare-id stream), so another municipality's entity of
    the same id is never read."""
    stream, envelopes = await streams.resolve(deps.store, kind, tenant, entity_id,
                                              lambda first: first.type == REGISTERED[kind].event_type)
    return Entity.replay(kind, entity_id, tenant, [decode(e) for e in envelopes], stream)


async def snapshot(deps: Deps, kind: Kind, entity_id: str, tenant: str) -> Entity:
    """The entity as the query model of `tenant` has it (a read by id, cheap); without a view, the stream (a new
    entity, or one whose view a crash lost).

    If the view is behind its stream, appending at its version fails on the store's unique (stream, version)
    index, and `execute` decides again on the replayed stream: the event store stays the truth.
    """
    doc = await deps.views.get(kind, tenant, entity_id)
    return entity_of(doc) if doc is not None else await load(deps, kind, entity_id, tenant)


Decide = Callable[[Entity], list[DomainEvent]]


async def execute(cmd: c.Command, ctx: Context, deps: Deps, kind: Kind, entity_id: str, decide: Decide,
                  field: str = "id") -> dict:
    """Decide on the entity `entity_id` of the command's municipality; `field` names it in the request."""
    earlier = None if ctx.derived_command_ids else await deps.store.by_command(cmd.command_id, tenant=cmd.tenant)
    if earlier is not None:
        return earlier.result
    state = await snapshot(deps, kind, entity_id, cmd.tenant)
    try:
        return await _append(cmd, ctx, deps, state, decide)
    except ConcurrencyError:  # the view was behind the stream: decide again on the replayed state
        return await _append(cmd, ctx, deps, await load(deps, kind, entity_id, cmd.tenant), decide)
    except UnknownEntity as exc:
        raise UnknownEntity(exc.kind, exc.entity_id, exc.field or field) from None


async def _append(cmd: c.Command, ctx: Context, deps: Deps, state: Entity, decide: Decide) -> dict:
    kind, entity_id = state.kind, state.entity_id
    events = decide(state)
    result = {"id": entity_id, "version": state.version + len(events), "changed": bool(events)}
    if events:
        commit = Commit.of(events, stream_id=state.stream_id, first_version=state.version + 1, tenant=cmd.tenant,
                           actor=ctx.actor, command_id=cmd.command_id, correlation_id=ctx.correlation_id,
                           occurred_at=deps.now(), result=result)
        stored = await deps.store.append(commit)
        deps.published()
        result = stored.result
        state = reduce(Entity.apply, events, state) if stored.commit_id == commit.commit_id \
            else await load(deps, kind, entity_id, cmd.tenant)
    if state.exists:
        await deps.views.put(document(state))
    return result


async def _organization_known(deps: Deps, tenant: str, organization_id: str | None, field: str) -> None:
    """The owner a record names is an organisation of the same municipality (`field`: where the request names it)."""
    if organization_id and await deps.views.get("organization", tenant, organization_id) is None:
        raise UnknownEntity("organization", organization_id, field)


async def register_organization(cmd: c.RegisterOrganization, ctx: Context, deps: Deps) -> dict:
    entity_id = cmd.organization_id or deps.new_id()
    return await execute(cmd, ctx, deps, "organization", entity_id, lambda s: decisions.register(s, cmd.record))


async def register_service(cmd: c.RegisterService, ctx: Context, deps: Deps) -> dict:
    await _organization_known(deps, cmd.tenant, cmd.record.organization_id, "service.organization_id")
    entity_id = cmd.service_id or deps.new_id()
    return await execute(cmd, ctx, deps, "service", entity_id, lambda s: decisions.register(s, cmd.record))


async def register_location(cmd: c.RegisterLocation, ctx: Context, deps: Deps) -> dict:
    await _organization_known(deps, cmd.tenant, cmd.record.organization_id, "location.organization_id")
    entity_id = cmd.location_id or deps.new_id()
    return await execute(cmd, ctx, deps, "location", entity_id, lambda s: decisions.register(s, cmd.record))


def _updater(kind: Kind) -> Callable[..., Any]:
    async def update(cmd: c.Update, ctx: Context, deps: Deps) -> dict:
        if "organization_id" in cmd.changes:
            await _organization_known(deps, cmd.tenant, cmd.changes["organization_id"], "changes.organization_id")
        return await execute(cmd, ctx, deps, kind, cmd.entity_id, lambda s: decisions.update(s, cmd.changes))
    return update


async def verify_service(cmd: c.VerifyService, ctx: Context, deps: Deps) -> dict:
    assured = cmd.assured_date or deps.today()
    return await execute(cmd, ctx, deps, "service", cmd.entity_id, lambda s: decisions.verify(s, assured))


def _closer(kind: Kind) -> Callable[..., Any]:
    async def close(cmd: Any, ctx: Context, deps: Deps) -> dict:
        status = getattr(cmd, "status", "closed")
        return await execute(cmd, ctx, deps, kind, cmd.entity_id, lambda s: decisions.close(s, status, cmd.reason))
    return close


async def link_service_at_location(cmd: c.LinkServiceAtLocation, ctx: Context, deps: Deps) -> dict:
    location = await snapshot(deps, "location", cmd.location_id, cmd.tenant)
    link_id = cmd.service_at_location_id or str(uuid.uuid5(LINKS, f"{cmd.service_id}/{cmd.location_id}"))
    return await execute(cmd, ctx, deps, "service", cmd.service_id, lambda s: decisions.link(
        s, location, link_id, cmd.description, cmd.hsds_extra), field="service_id")


HANDLERS: dict[type[c.Command], Callable[..., Any]] = {
    c.RegisterOrganization: register_organization,
    c.UpdateOrganization: _updater("organization"),
    c.CloseOrganization: _closer("organization"),
    c.RegisterService: register_service,
    c.UpdateService: _updater("service"),
    c.VerifyService: verify_service,
    c.CloseService: _closer("service"),
    c.RegisterLocation: register_location,
    c.UpdateLocation: _updater("location"),
    c.CloseLocation: _closer("location"),
    c.LinkServiceAtLocation: link_service_at_location,
}


async def handle(cmd: c.Command, ctx: Context, deps: Deps) -> dict[str, Any]:
    """Run the command's use case; domain refusals become the errors the gRPC layer maps to status codes."""
    try:
        return await HANDLERS[type(cmd)](cmd, ctx, deps)
    except UnknownEntity as exc:
        raise NotFound(str(exc), field=exc.field, value=exc.entity_id) from exc
    except CatalogueRuleViolated as exc:
        raise FailedPrecondition(str(exc)) from exc
