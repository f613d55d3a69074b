"""View: questions per municipality, month, office and channel (WhatsApp, walk-in, outreach…): the workload."""
from __future__ import annotations

from collections.abc import Iterable

from contracts import topics
from contracts.envelope import Envelope
from services.insights.domain.questions_per_theme import month_of, registered
from services.plumbing.projection import Delta

VIEW = "workload_by_channel"


class WorkloadByChannel:
    topics = (topics.INTAKE_QUESTIONS,)
    views = (VIEW,)

    def project(self, envelope: Envelope) -> Iterable[Delta]:
        if (event := registered(envelope)) is None:
            return
        key = {"tenant": envelope.tenant, "month": month_of(envelope.occurred_at), "office": event.office_id,
               "channel": event.channel}
        yield Delta(VIEW, key, {"questions": 1})
