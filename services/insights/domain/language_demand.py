"""View: the demand side of language coverage, per municipality, month and language a newcomer speaks.

Per language: questions from people speaking it, how many needed an interpreter, and how many were helped in a
language they do not speak (`uncovered`: `language_used` not among `client_languages`). A person speaking two
languages counts under both; the `*` row counts each question once and gives the totals.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from contracts import topics
from contracts.envelope import Envelope
from contracts.events.intake import QuestionRegistered
from services.insights.domain.questions_per_theme import month_of, registered
from services.plumbing.projection import Delta
from services.plumbing.projection.model import SHARED_DELTAS

VIEW = "language_demand"
ALL_LANGUAGES = "*"
MEASURES = ("questions", "interpreter_needed", "uncovered")


class LanguageDemand:
    topics = (topics.INTAKE_QUESTIONS,)
    views = (VIEW,)
    packed = (VIEW,)
    reads = frozenset((QuestionRegistered.event_type,))

    def project(self, envelope: Envelope) -> Iterable[Delta]:
        if (event := registered(envelope)) is None:
            return ()
        return _deltas(envelope.tenant, month_of(envelope.occurred_at), event.client_languages,
                       int(event.interpreter_needed), int(event.language_used not in event.client_languages))


@lru_cache(maxsize=SHARED_DELTAS)
def _deltas(tenant: str, month: str, languages: tuple[str, ...], interpreter_needed: int,
            uncovered: int) -> tuple[Delta, ...]:
    return tuple(_cell(tenant, month, language, interpreter_needed, uncovered)
                 for language in dict.fromkeys((ALL_LANGUAGES, *languages)))


@lru_cache(maxsize=SHARED_DELTAS)
def _cell(tenant: str, month: str, language: str, interpreter_needed: int, uncovered: int) -> Delta:
    inc = {"questions": 1, "interpreter_needed": interpreter_needed, "uncovered": uncovered}
    return Delta(VIEW, {"tenant": tenant, "month": month, "language": language}, inc)
