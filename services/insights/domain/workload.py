"""View: questions per municipality, month, office and channel (WhatsApp, walk-in, outreach…): the workload."""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from contracts import topics
from contracts.envelope import Envelope
from contracts.events.intake import QuestionRegistered
from services.insights.domain.questions_per_theme import month_of, registered
from services.plumbing.projection import Delta
from services.plumbing.projection.model import SHARED_DELTAS

VIEW = "workload_by_channel"


class WorkloadByChannel:
    topics = (topics.INTAKE_QUESTIONS,)
    views = (VIEW,)
    packed = (VIEW,)
    reads = frozenset((QuestionRegistered.event_type,))

    def project(self, envelope: Envelope) -> Iterable[Delta]:
        if (event := registered(envelope)) is None:
            return ()
        return _cell(envelope.tenant, month_of(envelope.occurred_at), event.office_id, event.channel)


@lru_cache(maxsize=SHARED_DELTAS)
def _cell(tenant: str, month: str, office: str, channel: str) -> tuple[Delta]:
    """The one cell of a registration, as a shared tuple (`fold_groups`)."""
    return (Delta(VIEW, {"tenant": tenant, "month": month, "office": office, "channel": channel}, {"questions": 1}),)
