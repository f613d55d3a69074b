"""View: unmet needs — per municipality, month and theme, what became of the questions about it.

Intake measures count questions (each at most once per measure and theme) in the month the question was registered,
under its current themes (a clarification moves a question from its old themes to the new ones): of March's housing
questions, how many were informed, accompanied, resolved (closed `answered`/`referred`), unresolved (closed `gap`/
`unreachable`; `withdrawn` is neither) and had a gap recorded for the theme. A reopened question leaves the closed
counts until it is closed again. `referred` counts referral requests in the month they were made (the referral
stream does not know the question's month). Every sub-theme also counts under its top-level theme; the `*` row counts
each question once. Gap reasons are free text: they never enter a view.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from contracts import taxonomy, topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.intake import (
    ClientAccompanied, GapRecorded, QuestionClarified, QuestionClosed, QuestionInformed, QuestionRegistered,
    QuestionReopened)
from contracts.events.referral import ReferralRequested
from services.insights.domain.questions_per_theme import month_of
from services.plumbing.projection import Delta
from services.plumbing.projection.model import SHARED_DELTAS, Case, case_list

VIEW = "unmet_needs"
ALL = "*"
MEASURES = ("registered", "informed", "referred", "accompanied", "resolved", "unresolved", "gaps")
RESOLVED = {"answered": "resolved", "referred": "resolved", "gap": "unresolved", "unreachable": "unresolved"}
K = "un_"  # this view's keys in the stream's case


def rows_of(codes: Iterable[str]) -> list[str]:
    """The theme rows a question with `codes` counts in: `*`, each code and each code's top-level theme."""
    return list(theme_rows(tuple(codes)))


@lru_cache(maxsize=4096)  # few distinct theme lists; a rebuild asks for each a million times
def theme_rows(codes: tuple[str, ...]) -> tuple[str, ...]:
    """`rows_of` a tuple, as a tuple (shared: the same object for the same codes)."""
    out = [ALL]
    for code in codes:
        out.append(code)
        if code in taxonomy.themes():
            out.append(taxonomy.themes().top_level(code))
    return tuple(dict.fromkeys(out))


class UnmetNeeds:
    topics = (topics.INTAKE_QUESTIONS, topics.REFERRAL_REFERRALS)
    views = (VIEW,)
    packed = (VIEW,)
    uses_case = True
    TYPES = frozenset(t.event_type for t in (QuestionRegistered, QuestionClarified, QuestionInformed,
                                             ClientAccompanied, GapRecorded, QuestionClosed, QuestionReopened,
                                             ReferralRequested))
    reads = TYPES

    def _deltas(self, tenant: str, month: str, themes: Sequence[str], measure: str, n: int = 1) -> tuple[Delta, ...]:
        return _deltas(tenant, month, tuple(themes), measure, n)

    def project(self, envelope: Envelope, case: Case) -> Iterable[Delta]:
        if envelope.type not in self.TYPES:
            return ()
        event, tenant = decode(envelope), envelope.tenant
        if isinstance(event, ReferralRequested):
            return self._deltas(tenant, month_of(envelope.occurred_at), theme_rows(event.themes), "referred")
        if isinstance(event, QuestionRegistered):
            return self._deltas(tenant, month_of(envelope.occurred_at), theme_rows(event.themes), "registered")
        month, themes = case.get(K + "month"), case.get(K + "themes", [])
        if month is None:  # the question's registration was never seen: nothing to count it under
            return ()
        if isinstance(event, QuestionClarified):
            old, new = set(rows_of(themes)), set(theme_rows(event.themes))
            return [*self._deltas(tenant, month, sorted(old - new), "registered", -1),
                    *self._deltas(tenant, month, sorted(new - old), "registered")]
        if isinstance(event, QuestionInformed):
            done = set(case.get(K + "informed", []))
            return self._deltas(tenant, month, [r for r in theme_rows(event.themes) if r not in done], "informed")
        if isinstance(event, ClientAccompanied) and not case.get(K + "accompanied"):
            return self._deltas(tenant, month, rows_of(themes), "accompanied")
        if isinstance(event, GapRecorded):
            done = set(case.get(K + "gaps", []))
            return self._deltas(tenant, month, [r for r in theme_rows((event.theme,)) if r not in done], "gaps")
        if isinstance(event, QuestionClosed) and event.outcome in RESOLVED and not case.get(K + "closed"):
            return self._deltas(tenant, month, rows_of(themes), RESOLVED[event.outcome])
        if isinstance(event, QuestionReopened) and (closed := case.get(K + "closed")):
            return self._deltas(tenant, month, closed["rows"], closed["measure"], -1)
        return ()

    def evolve(self, case: Case, envelope: Envelope) -> Case:
        if envelope.type not in self.TYPES or envelope.type == ReferralRequested.event_type:
            return case
        event = decode(envelope)
        new: dict[str, Any] = {}
        if isinstance(event, QuestionRegistered):
            new = {K + "month": month_of(envelope.occurred_at), K + "themes": case_list(event.themes)}
        elif K + "month" not in case:
            return case
        elif isinstance(event, QuestionClarified):
            new = {K + "themes": case_list(event.themes)}
        elif isinstance(event, QuestionInformed):
            informed = dict.fromkeys([*case.get(K + "informed", []), *theme_rows(event.themes)])
            new = {K + "informed": case_list(tuple(informed))}
        elif isinstance(event, ClientAccompanied):
            new = {K + "accompanied": True}
        elif isinstance(event, GapRecorded):
            gaps = dict.fromkeys([*case.get(K + "gaps", []), *theme_rows((event.theme,))])
            new = {K + "gaps": case_list(tuple(gaps))}
        elif isinstance(event, QuestionClosed) and event.outcome in RESOLVED and not case.get(K + "closed"):
            new = {K + "closed": _closed(RESOLVED[event.outcome], tuple(case.get(K + "themes", [])))}
        elif isinstance(event, QuestionReopened):
            new = {K + "closed": None}
        return {**case, **new}


@lru_cache(maxsize=4096)
def _closed(measure: str, themes: tuple[str, ...]) -> dict[str, Any]:
    """What a closed question counted, as its case keeps it (shared, like `case_list`)."""
    return {"measure": measure, "rows": case_list(theme_rows(themes))}


@lru_cache(maxsize=SHARED_DELTAS)
def _deltas(tenant: str, month: str, themes: tuple[str, ...], measure: str, n: int) -> tuple[Delta, ...]:
    return tuple(_cell(tenant, month, theme, measure, n) for theme in themes)


@lru_cache(maxsize=SHARED_DELTAS)
def _cell(tenant: str, month: str, theme: str, measure: str, n: int) -> Delta:
    return Delta(VIEW, {"tenant": tenant, "month": month, "theme": theme}, {measure: n})
