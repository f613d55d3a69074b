"""Commands of the catalogue, validated at the edge: every error names its field and the reason."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.events.catalogue import LocationRecord, OrganizationRecord, ServiceRecord
from contracts.tenants import MUNICIPALITIES
from services.catalogue.domain import checks
from services.plumbing import dates
from services.plumbing.screening import PUBLIC

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
EntityId = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
NewId = Field(default=None, min_length=1, max_length=64, pattern=ID_PATTERN)  # None: the catalogue picks one
Reason = Field(min_length=3, max_length=400)
# The catalogue's text is public data about the offer (HSDS), never about a client: published as it is
Public = Annotated[str, PUBLIC]


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    command_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    tenant: str

    @field_validator("tenant")
    @classmethod
    def _known_tenant(cls, v: str) -> str:
        if v not in MUNICIPALITIES:
            raise ValueError(f"unknown municipality {v!r}; one of {', '.join(sorted(MUNICIPALITIES))}")
        return v


def _checked(v: Any) -> Any:
    return checks.checked(v)


class RegisterOrganization(Command):
    organization_id: str | None = NewId
    record: Annotated[OrganizationRecord, PUBLIC]
    check_record = field_validator("record")(_checked)


class RegisterService(Command):
    service_id: str | None = NewId
    record: Annotated[ServiceRecord, PUBLIC]
    check_record = field_validator("record")(_checked)


class RegisterLocation(Command):
    location_id: str | None = NewId
    record: Annotated[LocationRecord, PUBLIC]
    check_record = field_validator("record")(_checked)


class Update(Command):
    """Partial update: field → new value (JSON). Fields not named keep their value."""

    entity_id: str = EntityId
    changes: Annotated[dict[str, Any], PUBLIC] = Field(min_length=1)


class UpdateOrganization(Update):
    @field_validator("changes")
    @classmethod
    def _fields(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _known_fields(v, OrganizationRecord)


class UpdateService(Update):
    @field_validator("changes")
    @classmethod
    def _fields(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _known_fields(v, ServiceRecord)


class UpdateLocation(Update):
    @field_validator("changes")
    @classmethod
    def _fields(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _known_fields(v, LocationRecord)


def _known_fields(changes: dict[str, Any], record: type[BaseModel]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(record.model_fields))
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r}; one of {', '.join(record.model_fields)}")
    return changes


class VerifyService(Command):
    """A person confirms the record is still correct, on `assured_date` (default today)."""

    entity_id: str = EntityId
    assured_date: date | None = None

    @field_validator("assured_date")
    @classmethod
    def _in_window(cls, v: date | None) -> date | None:
        return None if v is None else dates.day(v)


class CloseService(Command):
    entity_id: str = EntityId
    status: Literal["inactive", "defunct", "temporarily closed"] = "inactive"
    reason: Public = Reason


class CloseOrganization(Command):
    entity_id: str = EntityId
    status: Literal["inactive", "defunct"] = "inactive"
    reason: Public = Reason


class CloseLocation(Command):
    entity_id: str = EntityId
    reason: Public = Reason


class LinkServiceAtLocation(Command):
    service_id: str = EntityId
    location_id: str = EntityId
    service_at_location_id: str | None = NewId
    description: Public | None = Field(default=None, max_length=4000)
    hsds_extra: Annotated[dict[str, Any], PUBLIC] = Field(default_factory=dict)
