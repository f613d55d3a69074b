"""View: self-reliance — of returning clients' later referrals, how many they completed going alone, by cohort.

A referral is a *later* one when it was requested on a day after the client's first visit (`client_since` of
`ReferralRequested` v2, the day intake registered the client); the client's *cohort* is the month of that first visit.
Per municipality, month of the request and cohort: later referrals `completed`, and of those `went_alone` (the client
went without the bridge worker). v1 requests (no `client_since`) and first-day referrals are not counted. The referral
stream's case (keys `sr_*`) carries the request's month and cohort to the completion.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.referral import ReferralCompleted, ReferralRequested
from services.insights.domain.questions_per_theme import BRUSSELS, month_of
from services.plumbing.projection import Delta
from services.plumbing.projection.model import SHARED_DELTAS, Case

VIEW = "self_reliance"
MEASURES = ("completed", "went_alone")
K = "sr_"


class SelfReliance:
    topics = (topics.REFERRAL_REFERRALS,)
    views = (VIEW,)
    packed = (VIEW,)
    uses_case = True
    reads = frozenset((ReferralRequested.event_type, ReferralCompleted.event_type))

    def project(self, envelope: Envelope, case: Case) -> Iterable[Delta]:
        if envelope.type != ReferralCompleted.event_type or not case.get(K + "cohort"):
            return ()
        event = decode(envelope)
        assert isinstance(event, ReferralCompleted)
        return (_cell(envelope.tenant, case[K + "month"], case[K + "cohort"], int(event.went_alone)),)

    def evolve(self, case: Case, envelope: Envelope) -> Case:
        if envelope.type != ReferralRequested.event_type:
            return case
        event = decode(envelope)
        assert isinstance(event, ReferralRequested)
        since = event.client_since
        later = since is not None and envelope.occurred_at.astimezone(BRUSSELS).date() > since
        return {**case, K + "month": month_of(envelope.occurred_at),
                K + "cohort": since.strftime("%Y-%m") if later and since else None}


@lru_cache(maxsize=SHARED_DELTAS)
def _cell(tenant: str, month: str, cohort: str, went_alone: int) -> Delta:
    return Delta(VIEW, {"tenant": tenant, "month": month, "cohort": cohort}, {"completed": 1, "went_alone": went_alone})
