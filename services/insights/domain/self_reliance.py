"""View: self-reliance — of returning clients' later referrals, how many they completed going alone, by cohort.

A referral is a *later* one when it was requested on a day after the client's first visit (`client_since` of
`ReferralRequested` v2, the day intake registered the client); the client's *cohort* is the month of that first visit.
Per municipality, month of the request and cohort: later referrals `completed`, and of those `went_alone` (the client
went without the bridge worker). v1 requests (no `client_since`) and first-day referrals are not counted. The referral
stream's case (keys `sr_*`) carries the request's month and cohort to the completion.
"""
from __future__ import annotations

from collections.abc import Iterable

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.referral import ReferralCompleted, ReferralRequested
from services.insights.domain.questions_per_theme import BRUSSELS, month_of
from services.plumbing.projection import Delta
from services.plumbing.projection.model import Case

VIEW = "self_reliance"
MEASURES = ("completed", "went_alone")
K = "sr_"


class SelfReliance:
    topics = (topics.REFERRAL_REFERRALS,)
    views = (VIEW,)
    uses_case = True

    def project(self, envelope: Envelope, case: Case) -> Iterable[Delta]:
        if envelope.type != ReferralCompleted.event_type or not case.get(K + "cohort"):
            return
        event = decode(envelope)
        assert isinstance(event, ReferralCompleted)
        key = {"tenant": envelope.tenant, "month": case[K + "month"], "cohort": case[K + "cohort"]}
        yield Delta(VIEW, key, {"completed": 1, "went_alone": int(event.went_alone)})

    def evolve(self, case: Case, envelope: Envelope) -> Case:
        if envelope.type != ReferralRequested.event_type:
            return case
        event = decode(envelope)
        assert isinstance(event, ReferralRequested)
        since = event.client_since
        later = since is not None and envelope.occurred_at.astimezone(BRUSSELS).date() > since
        return {**case, K + "month": month_of(envelope.occurred_at),
                K + "cohort": since.strftime("%Y-%m") if later and since else None}
