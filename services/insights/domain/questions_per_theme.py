"""View: questions registered per municipality, theme and month (Europe/Brussels calendar)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.intake import QuestionRegistered
from services.plumbing.projection import Delta

VIEW = "questions_per_theme"
ALL_THEMES = "*"  # the row counting each question once, whatever its themes
BRUSSELS = ZoneInfo("Europe/Brussels")


def month_of(moment: datetime) -> str:
    return moment.astimezone(BRUSSELS).strftime("%Y-%m")


class QuestionsPerTheme:
    topics = (topics.INTAKE_QUESTIONS,)
    views = (VIEW,)

    def project(self, envelope: Envelope) -> Iterable[Delta]:
        if envelope.type != QuestionRegistered.event_type:
            return
        event = decode(envelope)
        assert isinstance(event, QuestionRegistered)
        month = month_of(envelope.occurred_at)
        for theme in (ALL_THEMES, *event.themes):
            yield Delta(VIEW, {"tenant": envelope.tenant, "theme": theme, "month": month}, {"questions": 1})
