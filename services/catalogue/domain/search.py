"""The bridge worker's search: which services fit this question, best first. Pure: works on loaded records."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from contracts import taxonomy
from contracts.events.catalogue import LocationRecord, ServiceRecord
from contracts.tenants import MUNICIPALITIES
from services.catalogue.domain import opening

Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class ServiceQuery(BaseModel):
    """What the bridge worker asks. Times are local (Europe/Brussels)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    tenant: str
    theme: str | None = None
    language: str | None = None
    include_interpretation: bool = False
    municipality: str | None = None
    open_at: AwareDatetime | None = None
    open_on: date | None = None
    weekday: Weekday | None = None
    time_from: time | None = None
    time_to: time | None = None
    free_only: bool = False
    accessible_only: bool = False
    with_capacity: bool = False
    age: int | None = Field(default=None, ge=0, le=130)
    without_residence_status: bool = False
    include_closed: bool = False
    page_size: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0)

    @field_validator("tenant")
    @classmethod
    def _tenant(cls, v: str) -> str:
        if v not in MUNICIPALITIES:
            raise ValueError(f"unknown municipality {v!r}")
        return v

    @field_validator("theme")
    @classmethod
    def _theme(cls, v: str | None) -> str | None:
        if v is not None and v not in taxonomy.themes():
            raise ValueError(f"unknown theme {v!r}")
        return v

    @field_validator("language")
    @classmethod
    def _language(cls, v: str | None) -> str | None:
        return taxonomy.normalise_language(v) if v else None

    @model_validator(mode="after")
    def _one_moment(self) -> ServiceQuery:
        if sum(x is not None for x in (self.open_at, self.open_on, self.weekday)) > 1:
            raise ValueError("give at most one of open_at, open_on, weekday")
        if (self.time_from or self.time_to) and not (self.open_on or self.weekday):
            raise ValueError("time_from/time_to go with open_on or weekday")
        return self

    def window(self) -> opening.Window:
        return opening.Window(self.time_from or time(0, 0), self.time_to or time(23, 59, 59))


@dataclass(frozen=True)
class Candidate:
    service_id: str
    record: ServiceRecord
    locations: tuple[LocationRecord, ...] = ()


@dataclass(frozen=True)
class Hit:
    candidate: Candidate
    score: int
    reasons: tuple[str, ...] = field(default=())


def is_free(r: ServiceRecord) -> bool:
    """Free of charge: every cost option the service lists costs nothing (no options = unknown, not free)."""
    return bool(r.cost_options) and all(not o.amount for o in r.cost_options)


def eligible(r: ServiceRecord, q: ServiceQuery) -> bool:
    """Only what the record states excludes: an unknown age limit or residence rule does not."""
    e = r.eligibility
    if q.age is not None and ((e.minimum_age or 0) > q.age or (e.maximum_age is not None and e.maximum_age < q.age)):
        return False
    return not (q.without_residence_status and e.residence_status_required)


def theme_score(r: ServiceRecord, theme: str) -> int:
    if any(t == theme or t.startswith(theme + ".") for t in r.themes):
        return 4
    return 2 if any(theme.startswith(t + ".") for t in r.themes) else 0


def language_score(r: ServiceRecord, language: str, interpretation: bool) -> int:
    if language in r.languages:
        return 4
    return 1 if interpretation and r.interpretation_services else 0


def _open(c: Candidate, q: ServiceQuery, today: date) -> bool:
    schedules = c.record.schedules or tuple(s for loc in c.locations for s in loc.schedules)
    if q.open_at is not None:
        return opening.open_at(schedules, c.record.closures, q.open_at)
    if q.open_on is not None:
        return opening.open_on(schedules, c.record.closures, q.open_on, q.window())
    if q.weekday is not None:
        return opening.open_on_weekday(schedules, q.weekday, q.window(), today)
    return True


def score(c: Candidate, q: ServiceQuery, today: date) -> Hit | None:
    """The candidate's rank, with the reasons a bridge worker sees; None when it does not answer the question."""
    r, reasons, points = c.record, [], 0
    if q.theme:
        if not (s := theme_score(r, q.theme)):
            return None
        points += s
    if q.language:
        if not (s := language_score(r, q.language, q.include_interpretation)):
            return None
        points += s
        reasons.append(f"speaks {q.language}" if s == 4 else "interpreter available")
    if q.municipality and not any(loc.address and loc.address.city.casefold() == q.municipality.casefold()
                                  for loc in c.locations):
        return None
    if q.free_only and not is_free(r):
        return None
    if not eligible(r, q):
        return None
    if q.accessible_only and not any(loc.wheelchair_accessible for loc in c.locations):
        return None
    if q.with_capacity and not (r.capacity and r.capacity.available > 0):
        return None
    if not _open(c, q, today):
        return None
    reasons += ["free"] if is_free(r) else []
    if r.capacity is not None:
        points += 1 if r.capacity.available > 0 else 0
        points -= 1 if r.capacity.waiting_list else 0
        reasons += ["waiting list"] if r.capacity.waiting_list else []
    if r.assured_date and r.assured_date >= today - timedelta(days=365):
        points += 1
        reasons.append(f"verified {r.assured_date.isoformat()}")
    return Hit(c, points, tuple(reasons))


def rank(candidates: list[Candidate], q: ServiceQuery, today: date) -> list[Hit]:
    hits = [h for c in candidates if (h := score(c, q, today)) is not None]
    return sorted(hits, key=lambda h: (-h.score, h.candidate.record.name.casefold(), h.candidate.service_id))
