"""View: the workload per municipality, month, office and channel (WhatsApp, walk-in, outreach…): questions registered,
and the times a bridge worker went along with the client (`ClientAccompanied`) with the minutes it took — the practice
card's "where is the limit of the task". An accompaniment counts in the month it happened, under the office and channel
of its question (the question stream's case keeps them: keys `wl_*`)."""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.intake import ClientAccompanied, QuestionRegistered
from services.insights.domain.questions_per_theme import month_of, registered
from services.plumbing.projection import Delta
from services.plumbing.projection.model import SHARED_DELTAS, Case, case_list

VIEW = "workload_by_channel"
MEASURES = ("questions", "accompaniments", "minutes_accompanying")
K = "wl_"  # this view's keys in the stream's case


class WorkloadByChannel:
    topics = (topics.INTAKE_QUESTIONS,)
    views = (VIEW,)
    packed = (VIEW,)
    version = 2  # 2: accompaniments and their minutes
    uses_case = True
    reads = frozenset((QuestionRegistered.event_type, ClientAccompanied.event_type))

    def project(self, envelope: Envelope, case: Case) -> Iterable[Delta]:
        if (event := registered(envelope)) is not None:
            return _cell(envelope.tenant, month_of(envelope.occurred_at), event.office_id, event.channel)
        if envelope.type != ClientAccompanied.event_type or (where := case.get(K + "at")) is None:
            return ()  # another event, or the accompaniment of a question whose registration was never seen
        went = decode(envelope)
        assert isinstance(went, ClientAccompanied)
        return _went_along(envelope.tenant, month_of(envelope.occurred_at), *where, went.minutes)

    def evolve(self, case: Case, envelope: Envelope) -> Case:
        if (event := registered(envelope)) is None:
            return case
        return {**case, K + "at": case_list((event.office_id, event.channel))}


@lru_cache(maxsize=SHARED_DELTAS)
def _cell(tenant: str, month: str, office: str, channel: str) -> tuple[Delta]:
    """The one cell of a registration, as a shared tuple (`GroupTally`)."""
    return (Delta(VIEW, {"tenant": tenant, "month": month, "office": office, "channel": channel}, {"questions": 1}),)


@lru_cache(maxsize=SHARED_DELTAS)
def _went_along(tenant: str, month: str, office: str, channel: str, minutes: int) -> tuple[Delta]:
    return (Delta(VIEW, {"tenant": tenant, "month": month, "office": office, "channel": channel},
                  {"accompaniments": 1, "minutes_accompanying": minutes}),)
