"""View: the demand side of language coverage, per municipality, month and language a newcomer speaks.

Per language: questions from people speaking it, how many needed an interpreter, and how many were helped in a
language they do not speak (`uncovered`: `language_used` not among `client_languages`). A person speaking two
languages counts under both; the `*` row counts each question once and gives the totals.
"""
from __future__ import annotations

from collections.abc import Iterable

from contracts import topics
from contracts.envelope import Envelope
from services.insights.domain.questions_per_theme import month_of, registered
from services.plumbing.projection import Delta

VIEW = "language_demand"
ALL_LANGUAGES = "*"
MEASURES = ("questions", "interpreter_needed", "uncovered")


class LanguageDemand:
    topics = (topics.INTAKE_QUESTIONS,)
    views = (VIEW,)

    def project(self, envelope: Envelope) -> Iterable[Delta]:
        if (event := registered(envelope)) is None:
            return
        inc = {"questions": 1, "interpreter_needed": int(event.interpreter_needed),
               "uncovered": int(event.language_used not in event.client_languages)}
        month = month_of(envelope.occurred_at)
        for language in dict.fromkeys((ALL_LANGUAGES, *event.client_languages)):
            yield Delta(VIEW, {"tenant": envelope.tenant, "month": month, "language": language}, inc)
