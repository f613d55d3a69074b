"""View: questions registered per municipality, theme and month (Europe/Brussels calendar)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.intake import QuestionRegistered
from services.plumbing.projection import Delta

VIEW = "questions_per_theme"
ALL_THEMES = "*"  # the row counting each question once, whatever its themes
BRUSSELS = ZoneInfo("Europe/Brussels")


@lru_cache(maxsize=1024)  # every view of an event asks for the same moment's month
def month_of(moment: datetime) -> str:
    local = moment.astimezone(BRUSSELS)
    return f"{local.year:04d}-{local.month:02d}"


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

    def project(self, envelope: Envelope) -> Iterable[Delta]:
        if (event := registered(envelope)) is None:
            return
        month = month_of(envelope.occurred_at)
        for theme in (ALL_THEMES, *event.themes):
            yield Delta(VIEW, {"tenant": envelope.tenant, "theme": theme, "month": month}, {"questions": 1})
