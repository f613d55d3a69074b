"""Events of the catalogue: organisations, services and locations, aligned with Open Referral HSDS 3.1.

Registration carries the full record; an update carries only the changed fields (`changes`: field → new value, as
JSON); the actor in the envelope says who changed it. A record's typed fields are what search and insights use;
`hsds_forms` keeps, per HSDS list or field (languages, schedules, attributes, ...), the form an imported document
gave it when ours would render it differently (its ids, notes, offsets, extensions): the export gives that back.
`hsds_extra` keeps the HSDS fields we do not model at all, verbatim. Records are structural here; the catalogue's commands check
theme codes and language codes against `contracts.taxonomy` before anything is recorded.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from contracts import topics
from contracts.events import catalogue_v1  # noqa: F401 (the published v1 types stay registered)
from contracts.events.catalogue_parts import (  # noqa: F401 (re-exported: the record parts live here for callers)
    Accessibility,
    Address,
    Capacity,
    Closure,
    Eligibility,
    Part,
    Phone,
    ServiceStatus,
    Text,
)
from contracts.events.registry import DomainEvent, event, upcaster

Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
# HH:MM[:SS], optionally with a UTC offset (HSDS 3.1 asks for one): "09:00", "09:00:00+01:00", "17:30Z"
CLOCK = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$"
Time = Field(default=None, pattern=CLOCK)
Numbers = Field(default=(), max_length=60)


class Schedule(Part):
    """An HSDS 3.1 schedule: an RFC 5545 recurrence (e.g. WEEKLY on TU,TH, MONTHLY on 2MO) from `opens_at` to
    `closes_at`, evaluated in `timezone` (a UTC offset such as "+01:00" or an IANA name) or else Europe/Brussels."""

    freq: Literal["WEEKLY", "MONTHLY"] = "WEEKLY"
    interval: int = Field(default=1, ge=1, le=52)
    byday: tuple[str, ...] = Field(default=(), max_length=31)
    opens_at: str | None = Time
    closes_at: str | None = Time
    valid_from: date | None = None
    valid_to: date | None = None
    description: str | None = Text
    dtstart: date | None = None
    until: date | None = None
    count: int | None = Field(default=None, ge=1, le=10_000)
    wkst: Weekday | None = None
    bymonthday: tuple[int, ...] = Numbers
    byyearday: tuple[int, ...] = Numbers
    byweekno: tuple[int, ...] = Numbers
    timezone: str | None = Field(default=None, max_length=64)


class CostOption(Part):
    option: str | None = Field(default=None, max_length=200)
    amount: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    amount_description: str | None = Field(default=None, max_length=400)
    valid_from: date | None = None
    valid_to: date | None = None


class OrganizationRecord(Part):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    kbo_number: str | None = Field(default=None, pattern=r"^[01]\d{9}$")
    website: str | None = Field(default=None, max_length=400)
    email: str | None = Field(default=None, max_length=200)
    phones: tuple[Phone, ...] = ()
    status: Literal["active", "inactive", "defunct"] = "active"
    hsds_id: str | None = None
    hsds_extra: dict[str, Any] = Field(default_factory=dict)
    hsds_forms: dict[str, Any] = Field(default_factory=dict)


class ServiceRecord(Part):
    organization_id: str | None = Field(default=None, min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Text
    status: ServiceStatus = "active"
    themes: tuple[str, ...] = Field(default=(), max_length=12)
    languages: tuple[str, ...] = Field(default=(), max_length=30)
    interpretation_services: str | None = Text
    application_process: str | None = Text
    fees_description: str | None = Text
    eligibility: Eligibility = Eligibility()
    cost_options: tuple[CostOption, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    closures: tuple[Closure, ...] = ()
    capacity: Capacity | None = None
    url: str | None = Field(default=None, max_length=400)
    email: str | None = Field(default=None, max_length=200)
    phones: tuple[Phone, ...] = ()
    alert: str | None = Text
    assured_date: date | None = None
    hsds_id: str | None = None
    hsds_extra: dict[str, Any] = Field(default_factory=dict)
    hsds_forms: dict[str, Any] = Field(default_factory=dict)


class LocationRecord(Part):
    name: str | None = Field(default=None, max_length=200)
    location_type: Literal["physical", "postal", "virtual"] = "physical"
    organization_id: str | None = None
    description: str | None = Text
    address: Address | None = None
    latitude: float | None = None
    longitude: float | None = None
    transportation: str | None = Text
    wheelchair_accessible: bool | None = None
    accessibility: tuple[Accessibility, ...] = ()
    languages: tuple[str, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    status: Literal["active", "closed"] = "active"
    hsds_id: str | None = None
    hsds_extra: dict[str, Any] = Field(default_factory=dict)
    hsds_forms: dict[str, Any] = Field(default_factory=dict)


Changes = Field(min_length=1)


@upcaster("OrganizationRegistered", 1)
@upcaster("ServiceRegistered", 1)
@upcaster("LocationRegistered", 1)
def _v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """v2 only adds optional fields: a v1 payload is a v2 payload."""
    return payload


@event("OrganizationRegistered", version=2, topic=topics.CATALOGUE_ORGANIZATIONS)
class OrganizationRegistered(DomainEvent):
    organization_id: str
    record: OrganizationRecord


@event("OrganizationUpdated", version=1, topic=topics.CATALOGUE_ORGANIZATIONS)
class OrganizationUpdated(DomainEvent):
    """Only the fields that changed, with their new values."""

    organization_id: str
    changes: dict[str, Any] = Changes


@event("OrganizationClosed", version=1, topic=topics.CATALOGUE_ORGANIZATIONS)
class OrganizationClosed(DomainEvent):
    organization_id: str
    status: Literal["inactive", "defunct"]
    reason: str


@event("ServiceRegistered", version=2, topic=topics.CATALOGUE_SERVICES)
class ServiceRegistered(DomainEvent):
    service_id: str
    record: ServiceRecord


@event("ServiceUpdated", version=1, topic=topics.CATALOGUE_SERVICES)
class ServiceUpdated(DomainEvent):
    """Only the fields that changed, with their new values."""

    service_id: str
    changes: dict[str, Any] = Changes


@event("ServiceVerified", version=1, topic=topics.CATALOGUE_SERVICES)
class ServiceVerified(DomainEvent):
    """A person confirmed the record is still correct (HSDS assured_date)."""

    service_id: str
    assured_date: date


@event("ServiceClosed", version=1, topic=topics.CATALOGUE_SERVICES)
class ServiceClosed(DomainEvent):
    """Services are never deleted (referrals point at them), only closed; `defunct` is final."""

    service_id: str
    status: Literal["inactive", "defunct", "temporarily closed"]
    reason: str


@event("ServiceAtLocationLinked", version=1, topic=topics.CATALOGUE_SERVICES)
class ServiceAtLocationLinked(DomainEvent):
    """The service is offered at the location (HSDS service_at_location)."""

    service_id: str
    service_at_location_id: str
    location_id: str
    description: str | None = None
    hsds_extra: dict[str, Any] = Field(default_factory=dict)


@event("LocationRegistered", version=2, topic=topics.CATALOGUE_LOCATIONS)
class LocationRegistered(DomainEvent):
    location_id: str
    record: LocationRecord


@event("LocationUpdated", version=1, topic=topics.CATALOGUE_LOCATIONS)
class LocationUpdated(DomainEvent):
    location_id: str
    changes: dict[str, Any] = Changes


@event("LocationClosed", version=1, topic=topics.CATALOGUE_LOCATIONS)
class LocationClosed(DomainEvent):
    location_id: str
    reason: str
