"""The catalogue's published v1 shapes of OrganizationRegistered, ServiceRegistered and LocationRegistered (frozen: stored events keep them).

v2 (`contracts.events.catalogue`) adds the rest of an HSDS 3.1 recurrence to `Schedule`, the validity of a
`CostOption` and `hsds_forms` to each record; every v1 payload is a valid v2 payload, so the upcasters are the
identity.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from contracts import topics
from contracts.events.catalogue_parts import (
    Accessibility,
    Address,
    Capacity,
    Closure,
    Eligibility,
    Part,
    Phone,
    ServiceStatus,
    Text,
    Time,
)
from contracts.events.registry import DomainEvent, event


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


class CostOption(Part):
    option: str | None = Field(default=None, max_length=200)
    amount: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    amount_description: str | None = Field(default=None, max_length=400)


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


@event("OrganizationRegistered", version=1, topic=topics.CATALOGUE_ORGANIZATIONS)
class OrganizationRegistered(DomainEvent):
    organization_id: str
    record: OrganizationRecord


@event("ServiceRegistered", version=1, topic=topics.CATALOGUE_SERVICES)
class ServiceRegistered(DomainEvent):
    service_id: str
    record: ServiceRecord


@event("LocationRegistered", version=1, topic=topics.CATALOGUE_LOCATIONS)
class LocationRegistered(DomainEvent):
    location_id: str
    record: LocationRecord
