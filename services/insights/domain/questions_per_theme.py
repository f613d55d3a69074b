"""View: questions registered per municipality, theme and month (Europe/Brussels calendar)."""
from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import datetime, timedelta
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


Calendar = tuple[str, str, str]  # (month, ISO week, the month of that week's Thursday), e.g. 2027-01, 2026-W53, 2026-12
_last: tuple[datetime | None, Calendar] = (None, ("", "", ""))
_hours: dict[float, Calendar] = {}  # the calendar of each UTC hour since the epoch asked for


def month_of(moment: datetime) -> str:
    """The month of `moment` in Brussels ("2026-03")."""
    return calendar_of(moment)[0]


def week_of(moment: datetime) -> tuple[str, str]:
    """The ISO week of `moment` in Brussels ("2026-W11") and the month it belongs to: the month of its Thursday, as
    the ISO year is the year of its Thursday (2027-01-01, a Friday, is in week 2026-W53, which belongs to 2026-12)."""
    _, week, month = calendar_of(moment)
    return week, month


def calendar_of(moment: datetime) -> Calendar:
    """`moment`'s month, ISO week and the week's month, in Brussels.

    Every view of an event asks for the same moment's, and a rebuild for a million moments: the last moment's is
    kept, and each UTC hour's is made once (Brussels has had whole-hour offsets, changed on the hour, since 1892, so a
    day there begins on a UTC hour)."""
    global _last
    last, found = _last
    if moment is last:
        return found
    if moment.tzinfo is None or moment.year < 1900:
        found = _calendar(moment)
    elif (found := _hours.get(hour := moment.timestamp() // 3600)) is None:  # type: ignore[assignment]
        if len(_hours) >= 100_000:
            _hours.clear()
        found = _hours[hour] = _calendar(moment)
    _last = (moment, found)
    return found


def _calendar(moment: datetime) -> Calendar:
    day = moment.astimezone(BRUSSELS).date()
    year, week, weekday = day.isocalendar()
    thursday = day + timedelta(days=4 - weekday)
    # One object per month and week: cases share them (`shared_case`).
    return (sys.intern(f"{day.year:04d}-{day.month:02d}"), sys.intern(f"{year:04d}-W{week:02d}"),
            sys.intern(f"{thursday.year:04d}-{thursday.month:02d}"))


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
