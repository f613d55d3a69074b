"""View: questions registered per municipality, theme and month (Europe/Brussels calendar)."""
from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.intake import QuestionRegistered
from services.plumbing.projection import Delta
from services.plumbing.projection.model import SHARED_DELTAS

VIEW = "questions_per_theme"
ALL_THEMES = "*"  # the row counting each question once, whatever its themes
BRUSSELS = ZoneInfo("Europe/Brussels")


_last: tuple[datetime | None, str] = (None, "")
_hours: dict[float, str] = {}  # the month of each UTC hour since the epoch asked for


def month_of(moment: datetime) -> str:
    """The month of `moment` in Brussels ("2026-03").

    Every view of an event asks for the same moment's month, and a rebuild for a million moments: the last moment's is
    kept, and the month of each UTC hour is made once (Brussels has had whole-hour offsets, changed on the hour,
    since 1892, so a month there begins on a UTC hour)."""
    global _last
    last, month = _last
    if moment is last:
        return month
    if moment.tzinfo is None or moment.year < 1900:
        month = _month(moment)
    elif (month := _hours.get(hour := moment.timestamp() // 3600)) is None:  # type: ignore[assignment]
        if len(_hours) >= 100_000:
            _hours.clear()
        month = _hours[hour] = _month(moment)
    _last = (moment, month)
    return month


def _month(moment: datetime) -> str:
    local = moment.astimezone(BRUSSELS)
    return sys.intern(f"{local.year:04d}-{local.month:02d}")  # one object per month: cases share it (`shared_case`)


def registered(envelope: Envelope) -> QuestionRegistered | None:
    """The question registration an envelope carries, or None for any other event."""
    if envelope.type != QuestionRegistered.event_type:
        return None
    event = decode(envelope)
    assert isinstance(event, QuestionRegistered)
    return event


class QuestionsPerTheme:
    topics = (topics.INTAKE_QUESTIONS,)
    views = (VIEW,)
    packed = (VIEW,)
    reads = frozenset((QuestionRegistered.event_type,))

    def project(self, envelope: Envelope) -> Iterable[Delta]:
        if (event := registered(envelope)) is None:
            return ()
        return _deltas(envelope.tenant, month_of(envelope.occurred_at), event.themes)


@lru_cache(maxsize=SHARED_DELTAS)
def _deltas(tenant: str, month: str, themes: tuple[str, ...]) -> tuple[Delta, ...]:
    return tuple(_cell(tenant, theme, month) for theme in (ALL_THEMES, *themes))


@lru_cache(maxsize=SHARED_DELTAS)
def _cell(tenant: str, theme: str, month: str) -> Delta:
    return Delta(VIEW, {"tenant": tenant, "theme": theme, "month": month}, {"questions": 1})
