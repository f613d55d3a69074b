"""View: the demand side of gaps in the offer — questions per municipality, month, office, theme row and language.

A question counts once in every theme row of its current themes (`rows_of`: `*`, each code and its top-level theme)
for every language the newcomer speaks, in the month it was registered, at the office where it was asked (the area
where the need showed). A clarification moves the question from its old theme rows to the new ones, using the
question stream's case (key `od_`). The supply side is `service_languages`; the query sets one against the other.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.intake import QuestionClarified, QuestionRegistered
from services.insights.domain.questions_per_theme import month_of
from services.insights.domain.unmet_needs import rows_of, theme_rows
from services.plumbing.projection import Delta
from services.plumbing.projection.model import SHARED_DELTAS, Case, case_list

VIEW = "offer_demand"
K = "od_"


class OfferDemand:
    topics = (topics.INTAKE_QUESTIONS,)
    views = (VIEW,)
    packed = (VIEW,)
    uses_case = True
    TYPES = frozenset((QuestionRegistered.event_type, QuestionClarified.event_type))
    reads = TYPES

    def project(self, envelope: Envelope, case: Case) -> Iterable[Delta]:
        if envelope.type not in self.TYPES:
            return ()
        event = decode(envelope)
        if isinstance(event, QuestionRegistered):
            return _registered(envelope.tenant, month_of(envelope.occurred_at), event.office_id,
                               event.client_languages, theme_rows(event.themes))
        if (where := case.get(K + "where")) is not None:
            old, new = set(rows_of(case.get(K + "themes", []))), set(rows_of(event.themes))
            month, office, languages = where["month"], where["office"], where["languages"]
            return [*_deltas(envelope.tenant, month, office, languages, sorted(old - new), -1),
                    *_deltas(envelope.tenant, month, office, languages, sorted(new - old), 1)]
        return ()

    def evolve(self, case: Case, envelope: Envelope) -> Case:
        if envelope.type not in self.TYPES:
            return case
        event = decode(envelope)
        new: dict[str, Any] = {K + "themes": case_list(tuple(getattr(event, "themes")))}
        if isinstance(event, QuestionRegistered):
            new[K + "where"] = _where(month_of(envelope.occurred_at), event.office_id, event.client_languages)
        elif K + "where" not in case:
            return case
        return {**case, **new}


@lru_cache(maxsize=SHARED_DELTAS)
def _where(month: str, office: str, languages: tuple[str, ...]) -> dict[str, Any]:
    """Where a question was asked, as its case keeps it (shared, like `case_list`)."""
    return {"month": month, "office": office, "languages": case_list(tuple(dict.fromkeys(languages)))}


@lru_cache(maxsize=SHARED_DELTAS)
def _registered(tenant: str, month: str, office: str, languages: tuple[str, ...], themes: tuple[str, ...]
                ) -> tuple[Delta, ...]:
    """A registration's cells (shared, like the cells: a rebuild asks for the same few thousand a million times)."""
    return tuple(_deltas(tenant, month, office, dict.fromkeys(languages), themes, 1))


def _deltas(tenant: str, month: str, office: str, languages: Iterable[str], themes: Iterable[str],
            n: int) -> list[Delta]:
    return [_cell(tenant, month, office, theme, language, n) for theme in themes for language in languages]


@lru_cache(maxsize=SHARED_DELTAS)
def _cell(tenant: str, month: str, office: str, theme: str, language: str, n: int) -> Delta:
    key = {"tenant": tenant, "month": month, "office": office, "theme": theme, "language": language}
    return Delta(VIEW, key, {"questions": n})
