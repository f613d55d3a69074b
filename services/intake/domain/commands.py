"""Commands of the intake service, validated at the edge: every error names its field and the reason."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from contracts import taxonomy
from contracts.tenants import MUNICIPALITIES

Id = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    command_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class RegisterQuestion(Command):
    tenant: str
    office_id: str = Id
    client_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    channel: str
    themes: tuple[str, ...] = Field(min_length=1, max_length=8)
    client_languages: tuple[str, ...] = Field(min_length=1, max_length=8)
    language_used: str
    interpreter_needed: bool = False
    urgent: bool = False
    occurred_at: AwareDatetime | None = None

    @field_validator("tenant")
    @classmethod
    def _known_tenant(cls, v: str) -> str:
        if v not in MUNICIPALITIES:
            raise ValueError(f"unknown municipality {v!r}; one of {', '.join(sorted(MUNICIPALITIES))}")
        return v

    @field_validator("channel")
    @classmethod
    def _known_channel(cls, v: str) -> str:
        if v not in taxonomy.channels():
            raise ValueError(f"unknown channel {v!r}; one of {', '.join(sorted(taxonomy.channels().codes()))}")
        return v

    @field_validator("themes")
    @classmethod
    def _known_themes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for code in v:
            if code not in taxonomy.themes():
                raise ValueError(f"unknown theme {code!r}")
        if len(set(v)) != len(v):
            raise ValueError("a theme is listed twice")
        return v

    @field_validator("client_languages")
    @classmethod
    def _languages(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(taxonomy.normalise_language(code) for code in v))

    @field_validator("language_used")
    @classmethod
    def _language(cls, v: str) -> str:
        return taxonomy.normalise_language(v)

    @model_validator(mode="after")
    def _not_in_future(self) -> RegisterQuestion:
        if self.occurred_at is not None and self.occurred_at > datetime.now(UTC) + timedelta(minutes=5):
            raise ValueError("occurred_at lies in the future")
        return self
