"""Field types shared by intake's commands: each validates against contracts' taxonomies and says why it refuses."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, ClassVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from contracts import taxonomy
from contracts.tenants import MUNICIPALITIES
from services.plumbing import dates
from services.plumbing.screening import SEALED, screened


def _tenant(v: str) -> str:
    if v not in MUNICIPALITIES:
        raise ValueError(f"unknown municipality {v!r}; one of {', '.join(sorted(MUNICIPALITIES))}")
    return v


def _in(name: str, lookup: object) -> AfterValidator:
    def check(code: str) -> str:
        if code not in lookup():  # type: ignore[operator]
            raise ValueError(f"unknown {name} {code!r}")
        return code
    return AfterValidator(check)


def _unique(v: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(v)) != len(v):
        raise ValueError("a code is listed twice")
    return v


def _not_in_future(v: datetime | None) -> datetime | None:
    if v is not None and v > datetime.now(UTC) + timedelta(minutes=5):
        raise ValueError("lies in the future")
    return v


Tenant = Annotated[str, AfterValidator(_tenant)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]
ClientId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Theme = Annotated[str, _in("theme", taxonomy.themes)]
Barrier = Annotated[str, _in("barrier", taxonomy.barriers)]
Channel = Annotated[str, _in("channel", taxonomy.channels)]
Language = Annotated[str, AfterValidator(taxonomy.normalise_language)]
Themes = Annotated[tuple[Theme, ...], Field(min_length=1, max_length=8), AfterValidator(_unique)]
Barriers = Annotated[tuple[Barrier, ...], Field(max_length=12), AfterValidator(_unique)]
Languages = Annotated[tuple[Language, ...], Field(min_length=1, max_length=12),
                      AfterValidator(lambda v: tuple(dict.fromkeys(v)))]
Moment = Annotated[AwareDatetime | None, AfterValidator(_not_in_future), AfterValidator(dates.moment)]
Day = Annotated[str | None, Field(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(dates.day_text)]  # in the window
# Free text, as docs/architecture.md (personal data) decides per field: sealed with the client's key, or screened
SealedText = Annotated[str, Field(min_length=1, max_length=4000), SEALED]
PolicyText = Annotated[str, Field(min_length=1, max_length=4000), screened("shown to policy")]
PolicyLabel = Annotated[str, Field(min_length=1, max_length=200), screened("shown to policy")]
_PUBLISHED = "published in a question's events (they go in the client's contact details)"
Label = Annotated[str, Field(min_length=1, max_length=200), screened(_PUBLISHED)]
Reason = Annotated[str, Field(default="", max_length=1000), screened(_PUBLISHED)]
HistoryReason = Annotated[str, Field(default="", max_length=1000),
                          screened("kept in a question's history (a client note keeps them sealed)")]
PageSize = Annotated[int, Field(ge=1, le=100)]


class Command(BaseModel):
    """Every command: a caller-chosen id (retrying with it returns the first answer) and the municipality."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    command_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    tenant: Tenant
    creates: ClassVar[frozenset[str]] = frozenset()  # id fields naming what this command makes (not looked up)


class Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    tenant: Tenant
