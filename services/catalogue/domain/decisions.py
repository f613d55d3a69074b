"""Decisions: pure functions of an entity's state and a command's data that return events or raise.

Nothing is ever deleted: a service referrals point at can only be closed. `defunct` is final.
"""
from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from pydantic import BaseModel, create_model, field_validator

from contracts.events import DomainEvent
from contracts.events.catalogue import (
    LocationClosed,
    OrganizationClosed,
    ServiceAtLocationLinked,
    ServiceClosed,
    ServiceVerified,
)
from services.catalogue.domain import checks
from services.catalogue.domain.entity import REGISTERED, UPDATED, Entity, Link, Record
from services.catalogue.domain.errors import CatalogueRuleViolated, UnknownEntity


def _id_field(state: Entity) -> str:
    return f"{state.kind}_id"


def register(state: Entity, record: Record) -> list[DomainEvent]:
    """Registering the same record again changes nothing; another record under the same id is refused."""
    if state.exists:
        if state.record == record:
            return []
        raise CatalogueRuleViolated(f"{state.kind} {state.entity_id} is already registered")
    return [REGISTERED[state.kind](**{_id_field(state): state.entity_id, "record": record})]


def update(state: Entity, changes: dict[str, Any]) -> list[DomainEvent]:
    """Only the fields whose value really changes are recorded; no change, no event."""
    _changeable(state)
    old = state.record.model_dump(mode="json")
    new = _merged(type(state.record), {**old, **changes}).model_dump(mode="json")
    diff = {k: v for k, v in new.items() if old.get(k) != v}
    if not diff:
        return []
    return [UPDATED[state.kind](**{_id_field(state): state.entity_id, "changes": diff})]


def verify(state: Entity, assured_date: date) -> list[DomainEvent]:
    _changeable(state)
    return [ServiceVerified(service_id=state.entity_id, assured_date=assured_date)]


def close(state: Entity, status: str, reason: str) -> list[DomainEvent]:
    _changeable(state)
    if state.kind == "location":
        if state.status == "closed":
            raise CatalogueRuleViolated(f"location {state.entity_id} is already closed")
        return [LocationClosed(location_id=state.entity_id, reason=reason)]
    if state.status == status:
        raise CatalogueRuleViolated(f"{state.kind} {state.entity_id} is already {status}")
    closed = ServiceClosed if state.kind == "service" else OrganizationClosed
    return [closed(**{_id_field(state): state.entity_id, "status": status, "reason": reason})]


def link(service: Entity, location: Entity, link_id: str, description: str | None,
         hsds_extra: dict[str, Any]) -> list[DomainEvent]:
    """A service is offered at a location of its own municipality that is open; relinking the same is a no-op."""
    _changeable(service)
    if not location.exists or location.tenant != service.tenant:
        raise UnknownEntity("location", location.entity_id, "location_id")
    if location.status == "closed":
        raise CatalogueRuleViolated(f"location {location.entity_id} is closed")
    wanted = Link(link_id, location.entity_id, description, tuple(sorted(hsds_extra.items())))
    if wanted in service.links:
        return []
    return [ServiceAtLocationLinked(service_id=service.entity_id, service_at_location_id=link_id,
                                    location_id=location.entity_id, description=description,
                                    hsds_extra=hsds_extra)]


def _changeable(state: Entity) -> None:
    if not state.exists:
        raise UnknownEntity(state.kind, state.entity_id)
    if state.status == "defunct":
        raise CatalogueRuleViolated(f"{state.kind} {state.entity_id} is defunct; a defunct record is final")


@cache
def _changes_model(record: type[BaseModel]) -> type[BaseModel]:
    check = field_validator("changes")(lambda cls, v: checks.checked(v))
    return create_model(f"{record.__name__}Changes", changes=(record, ...), __validators__={"check": check})


def _merged(record: type[BaseModel], data: dict[str, Any]) -> Any:
    """The record after the change; a pydantic ValidationError names `changes.<field>` when it is invalid."""
    return _changes_model(record).model_validate({"changes": data}).changes  # type: ignore[attr-defined]
