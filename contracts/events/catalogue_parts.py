"""Parts of the catalogue's records that every published version shares (HSDS 3.1 aligned)."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

ServiceStatus = Literal["active", "inactive", "defunct", "temporarily closed"]
Time = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
Text = Field(default=None, max_length=4000)


class Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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
