"""View: barriers — what keeps newcomers from the offer, per municipality and month (issue 7, question 5).

- `barriers` (tenant, month, theme, barrier): `questions` with the barrier, in the month the question was registered,
  under its current themes and barriers: a clarification moves the question from the old (theme row × barrier)
  cells to the new ones. Theme rows as in `unmet_needs.rows_of`: `*` (each question once), each code and its
  top-level theme. The question stream's case keeps month, themes and barriers (keys `ba_*`).
- `barrier_signals` (tenant, month, service, barrier): `signals` naming the service (a catalogue id or a label) and
  the barrier; a signal naming two services and two barriers counts in four cells.
Referrals that failed for a barrier are read from `service_access` (facet `failed`, by `barrier_of`): the same cells
as `ServiceAccess`'s reasons, so both answers hide the same counts.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from contracts import taxonomy, topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.intake import QuestionClarified, QuestionRegistered
from contracts.events.intake_signal import SignalReported
from services.insights.domain.questions_per_theme import month_of
from services.insights.domain.unmet_needs import rows_of
from services.plumbing.projection import Delta
from services.plumbing.projection.model import SHARED_DELTAS, Case, case_list

VIEW = "barriers"
SIGNALS = "barrier_signals"
K = "ba_"
# Referral failure reasons whose words differ from the barrier code they mean (see the taxonomy's descriptions):
# mobility is "no suitable transport", administrative-complexity "forms or required documents too complex".
FAILED = {"barrier-transport": "mobility", "barrier-documents": "administrative-complexity"}


def barrier_of(reason: str) -> str | None:
    """The barrier a referral failure reason names: a code of the barriers taxonomy where one matches, else the
    reason itself; None for a reason that is no barrier (`could-not-contact`, …)."""
    if not reason.startswith("barrier-"):
        return None
    code = FAILED.get(reason, reason.removeprefix("barrier-"))
    return code if code in taxonomy.barriers() else reason


def cells(themes: Sequence[str], barriers: Sequence[str]) -> set[tuple[str, str]]:
    """The (theme row, barrier) cells a question with these themes and barriers counts in."""
    return {(t, b) for t in rows_of(themes) for b in dict.fromkeys(barriers)}


@lru_cache(maxsize=4096)  # few distinct theme and barrier lists; a rebuild asks for each a million times
def _cells(themes: tuple[str, ...], barriers: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    return frozenset(cells(themes, barriers))


class Barriers:
    topics = (topics.INTAKE_QUESTIONS, topics.INTAKE_SIGNALS)
    views = (VIEW, SIGNALS)
    packed = (VIEW, SIGNALS)
    uses_case = True
    TYPES = frozenset(t.event_type for t in (QuestionRegistered, QuestionClarified, SignalReported))
    reads = TYPES

    def project(self, envelope: Envelope, case: Case) -> Iterable[Delta]:
        if envelope.type not in self.TYPES:
            return ()
        event, tenant = decode(envelope), envelope.tenant
        if isinstance(event, SignalReported):
            month = month_of(envelope.occurred_at)
            return [_signal_cell(tenant, month, service, barrier)
                    for service in dict.fromkeys(event.services) for barrier in dict.fromkeys(event.barriers)]
        if isinstance(event, QuestionRegistered):
            return _registered(tenant, month_of(envelope.occurred_at), event.themes, event.barriers)
        if K + "month" not in case:  # a clarification of a question whose registration was never seen
            return ()
        assert isinstance(event, QuestionClarified)
        old, new = _cells(tuple(case[K + "themes"]), tuple(case[K + "barriers"])), _cells(event.themes, event.barriers)
        return _moved(tenant, case[K + "month"], old, new)

    def evolve(self, case: Case, envelope: Envelope) -> Case:
        if envelope.type == QuestionRegistered.event_type:
            event = decode(envelope)
            assert isinstance(event, QuestionRegistered)
            new: dict[str, Any] = {K + "month": month_of(envelope.occurred_at)}
        elif envelope.type == QuestionClarified.event_type and K + "month" in case:
            event = decode(envelope)
            assert isinstance(event, QuestionClarified)
            new = {}
        else:
            return case
        return {**case, **new, K + "themes": case_list(event.themes), K + "barriers": case_list(event.barriers)}



def _moved(tenant: str, month: str, old: frozenset[tuple[str, str]], new: frozenset[tuple[str, str]]) -> list[Delta]:
    """A question leaves the cells it is no longer in and enters the ones it was not in yet."""
    return [_cell(tenant, month, theme, barrier, sign)
            for sign, moved in ((-1, old - new), (1, new - old)) for theme, barrier in sorted(moved)]


@lru_cache(maxsize=SHARED_DELTAS)
def _registered(tenant: str, month: str, themes: tuple[str, ...], barriers: tuple[str, ...]) -> tuple[Delta, ...]:
    return tuple(_moved(tenant, month, frozenset(), _cells(themes, barriers)))


@lru_cache(maxsize=SHARED_DELTAS)
def _cell(tenant: str, month: str, theme: str, barrier: str, n: int) -> Delta:
    return Delta(VIEW, {"tenant": tenant, "month": month, "theme": theme, "barrier": barrier}, {"questions": n})


@lru_cache(maxsize=SHARED_DELTAS)
def _signal_cell(tenant: str, month: str, service: str, barrier: str) -> Delta:
    return Delta(SIGNALS, {"tenant": tenant, "month": month, "service": service, "barrier": barrier}, {"signals": 1})
