"""The envelope every Wegwijs event travels in, on Kafka and in the event stores."""
from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import uuid_utils
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Role(StrEnum):
    FRONT_OFFICE = "front-office"
    PARTNER = "partner"
    POLICY = "policy"
    CATALOGUE_ADMIN = "catalogue-admin"
    ADMIN = "admin"
    SYSTEM = "system"


class Actor(BaseModel):
    """Who caused an event: a pseudonymous staff id and the role they acted in. Never a name."""

    model_config = ConfigDict(frozen=True)

    staff_id: str = Field(min_length=1, max_length=64)
    role: Role


def new_event_id() -> str:
    """A UUIDv7: unique, and sortable by creation time."""
    return str(uuid_utils.uuid7())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    """One event with its metadata. `payload` is the event body, validated by its registered type."""

    model_config = ConfigDict(frozen=True)

    event_id: str = Field(default_factory=new_event_id)
    type: str
    schema_version: int = Field(ge=1)
    stream_id: str
    stream_version: int = Field(ge=1)
    tenant: str
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime = Field(default_factory=utcnow)
    correlation_id: str
    causation_id: str | None = None
    actor: Actor
    payload: dict[str, Any]

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Envelope:
        return cls.model_validate_json(raw)
