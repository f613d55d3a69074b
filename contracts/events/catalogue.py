"""Events of the catalogue: organisations, services and locations, aligned with Open Referral HSDS 3.1.

Registration carries the full record; an update carries only the changed fields (`changes`: field → new value, as
JSON); the actor in the envelope says who changed it. Records are structural here; the catalogue's commands check
theme codes and language codes against `contracts.taxonomy` before anything is recorded.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts import topics
from contracts.events.registry import DomainEvent, event

ServiceStatus = Literal["active", "inactive", "defunct", "temporarily closed"]
Time = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
Text = Field(default=None, max_length=4000)


class Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Schedule(Part):
    """An RFC 5545 style recurrence (HSDS schedule): e.g. WEEKLY on TU,TH from 09:00 to 12:00."""

    freq: Literal["WEEKLY", "MONTHLY"] = "WEEKLY"
    interval: int = Field(default=1, ge=1, le=52)
    byday: tuple[str, ...] = Field(default=(), max_length=31)
    opens_at: str | None = Time
    closes_at: str | None = Time
    valid_from: date | None = None
    valid_to: date | None = None
    description: str | None = Text


class Closure(Part):
    """An exceptional closure, first and last day inclusive (holidays, strikes, moves)."""

    starts: date
    ends: date
    reason: str | None = Field(default=None, max_length=200)


class Eligibility(Part):
    description: str | None = Text
    minimum_age: int | None = Field(default=None, ge=0, le=130)
    maximum_age: int | None = Field(default=None, ge=0, le=130)
    residence_status_required: bool | None = None
    documents_required: tuple[str, ...] = Field(default=(), max_length=30)


class CostOption(Part):
    option: str | None = Field(default=None, max_length=200)
    amount: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    amount_description: str | None = Field(default=None, max_length=400)


class Capacity(Part):
    available: float = Field(ge=0)
    maximum: float | None = Field(default=None, ge=0)
    unit: str = Field(default="places", min_length=1, max_length=60)
    updated: AwareDatetime
    waiting_list: bool = False


class Phone(Part):
    number: str = Field(min_length=3, max_length=40)
    description: str | None = Field(default=None, max_length=200)


class Address(Part):
    street: str = Field(min_length=1, max_length=200)
    postal_code: str = Field(min_length=4, max_length=10)
    city: str = Field(min_length=1, max_length=100)
    province: str = Field(default="", max_length=100)
    country: str = Field(default="BE", pattern=r"^[A-Z]{2}$")


class Accessibility(Part):
    description: str | None = Text
    details: str | None = Text


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


Changes = Field(min_length=1)


@event("OrganizationRegistered", version=1, topic=topics.CATALOGUE_ORGANIZATIONS)
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


@event("ServiceRegistered", version=1, topic=topics.CATALOGUE_SERVICES)
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


@event("LocationRegistered", version=1, topic=topics.CATALOGUE_LOCATIONS)
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
