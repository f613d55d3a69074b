"""The catalogue's aggregates (organisation, service, location): state built only by applying their events."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from contracts.events import DomainEvent
from contracts.events.catalogue import (
    LocationClosed,
    LocationRecord,
    LocationRegistered,
    LocationUpdated,
    OrganizationClosed,
    OrganizationRecord,
    OrganizationRegistered,
    OrganizationUpdated,
    ServiceAtLocationLinked,
    ServiceClosed,
    ServiceRecord,
    ServiceRegistered,
    ServiceUpdated,
    ServiceVerified,
)
from services.catalogue.domain import forms
from services.catalogue.domain.errors import CatalogueRuleViolated

Kind = Literal["organization", "service", "location"]
Record = OrganizationRecord | ServiceRecord | LocationRecord
RECORDS: dict[str, type[Record]] = {
    "organization": OrganizationRecord, "service": ServiceRecord, "location": LocationRecord}
REGISTERED = {"organization": OrganizationRegistered, "service": ServiceRegistered, "location": LocationRegistered}
UPDATED = {"organization": OrganizationUpdated, "service": ServiceUpdated, "location": LocationUpdated}


@dataclass(frozen=True)
class Link:
    """Where a service is offered (HSDS service_at_location)."""

    service_at_location_id: str
    location_id: str
    description: str | None = None
    hsds_extra: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Entity:
    kind: Kind
    entity_id: str
    tenant: str | None = None
    version: int = 0
    record: Any = None
    links: tuple[Link, ...] = ()
    stream_id: str = ""  # the event stream it lives in (ids are per municipality: see application/located.py)

    @property
    def exists(self) -> bool:
        return self.record is not None

    @property
    def status(self) -> str:
        return self.record.status if self.record is not None else "unregistered"

    def apply(self, event: DomainEvent) -> Entity:
        return replace(self, version=self.version + 1, **self._changed_by(event))

    def _changed_by(self, event: DomainEvent) -> dict[str, Any]:
        match event:
            case OrganizationRegistered() | ServiceRegistered() | LocationRegistered():
                return {"record": event.record}
            case OrganizationUpdated() | ServiceUpdated() | LocationUpdated():
                before = self.record.model_dump(mode="json")
                merged = {**before, **event.changes}
                if "hsds_forms" not in event.changes:
                    changed = {k for k, v in event.changes.items() if before.get(k) != v}
                    merged["hsds_forms"] = forms.after(self.kind, before.get("hsds_forms", {}), changed)
                return {"record": RECORDS[self.kind].model_validate(merged)}
            case ServiceVerified():
                return {"record": self.record.model_copy(update={"assured_date": event.assured_date})}
            case OrganizationClosed() | ServiceClosed():
                return {"record": self._with_status(event.status)}
            case LocationClosed():
                return {"record": self._with_status("closed")}
            case ServiceAtLocationLinked():
                link = Link(event.service_at_location_id, event.location_id, event.description,
                            tuple(sorted(event.hsds_extra.items())))
                others = tuple(x for x in self.links if x.location_id != event.location_id)
                return {"links": (*others, link)}
        raise CatalogueRuleViolated(f"{self.kind} cannot apply {type(event).__name__}")

    def _with_status(self, status: str) -> Any:
        kept = forms.after(self.kind, self.record.hsds_forms, {"status"} if status != self.record.status else set())
        return self.record.model_copy(update={"status": status, "hsds_forms": kept})

    @classmethod
    def replay(cls, kind: Kind, entity_id: str, tenant: str | None, events: Iterable[DomainEvent],
               stream_id: str = "") -> Entity:
        state = cls(kind, entity_id, tenant, stream_id=stream_id)
        for event in events:
            state = state.apply(event)
        return state
