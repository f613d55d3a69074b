"""View: signals — bottlenecks bridge workers reported to policy (issue 7, question 8).

- `signals` (tenant, signal): one document per signal, its facts written once (`Delta.facts`): month, `at` (UTC),
  office, themes, barriers, services, text, and `theme_rows` (each theme and its top-level theme, so a filter on
  `housing` finds a signal about `housing.search`) and `order` (`at|signal`, the sort key of newest first). `n` counts
  the signal once: a redelivery or replay finds the document's guard and adds nothing.
- `signal_counts` (tenant, month, theme, barrier): `signals` per pair of a theme row (each code and its top-level
  theme) and a barrier; a signal without themes counts under theme `""`, without barriers under barrier `""`;
  the (`*`, `*`) row counts each signal once (the per-month totals).
The text is about the offer, never about a person (the event's contract); it is shown to policy users in
`ListSignals` only, never counted and never in the HTML report.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from functools import lru_cache

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.intake_signal import SignalReported
from services.insights.domain.questions_per_theme import month_of
from services.insights.domain.unmet_needs import ALL, rows_of
from services.plumbing.projection import Delta
from services.plumbing.projection.model import SHARED_DELTAS

VIEW = "signals"
COUNTS = "signal_counts"
NONE = ""  # the theme / barrier row of a signal that names none


def order(at: str, signal_id: str) -> str:
    return f"{at}|{signal_id}"


class Signals:
    topics = (topics.INTAKE_SIGNALS,)
    views = (VIEW, COUNTS)
    packed = (COUNTS,)
    reads = frozenset((SignalReported.event_type,))

    def project(self, envelope: Envelope) -> Iterable[Delta]:
        if envelope.type != SignalReported.event_type:
            return
        event = decode(envelope)
        assert isinstance(event, SignalReported)
        tenant, month = envelope.tenant, month_of(envelope.occurred_at)
        at = envelope.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        theme_rows = [t for t in rows_of(event.themes) if t != ALL]
        barriers = list(dict.fromkeys(event.barriers))
        facts = {"month": month, "at": at, "order": order(at, event.signal_id), "office": event.office_id,
                 "themes": list(event.themes), "theme_rows": theme_rows, "barriers": barriers,
                 "services": list(dict.fromkeys(event.services)), "text": event.text}
        yield Delta(VIEW, {"tenant": tenant, "signal": event.signal_id}, {"n": 1}, facts)
        pairs = [(t, b) for t in theme_rows or [NONE] for b in barriers or [NONE]]
        for theme, barrier in [(ALL, ALL), *pairs]:
            yield _count(tenant, month, theme, barrier)


@lru_cache(maxsize=SHARED_DELTAS)
def _count(tenant: str, month: str, theme: str, barrier: str) -> Delta:
    return Delta(COUNTS, {"tenant": tenant, "month": month, "theme": theme, "barrier": barrier}, {"signals": 1})
