"""View: how accessible partner services are — per municipality, month of the request, organization and service.

One counter `n` per facet and value, so a query sums one measure (FerretDB 1.x sums one `$sum` per `$group` only):
- `status`: referrals `requested`, and of those later `accepted`, `rejected`, `completed`, `failed`;
- `mode`: requests per mode (`information`, `warm-handoff`, `accompanied`);
- `rejected` / `failed`: reason codes (never the free-text notes);
- `language`: languages the referred clients speak (`client_languages`);
- `days_accepted` / `days_completed`: histograms of whole days from the request, in `BUCKETS`; a median cannot be
  summed, so the query reads it off the histogram (the bucket holding the middle referral).
Everything counts in the month the referral was requested, which the referral stream's case keeps (keys `sa_*`,
with the service, organization and request time), so later events need carry nothing but the referral id.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.referral import (
    ReferralAccepted, ReferralCompleted, ReferralFailed, ReferralRejected, ReferralRequested)
from services.insights.domain.questions_per_theme import month_of
from services.plumbing.projection import Delta
from services.plumbing.projection.model import SHARED_DELTAS, Case

VIEW = "service_access"
BUCKETS = ((1, "0"), (2, "1"), (3, "2"), (5, "3-4"), (7, "5-6"), (14, "7-13"), (30, "14-29"), (60, "30-59"),
           (None, "60+"))  # (days below, label)
K = "sa_"


def bucket(days: int) -> str:
    return next(label for below, label in BUCKETS if below is None or days < below)


def median(histogram: dict[str, int]) -> str:
    """The bucket holding the middle value ("" for an empty histogram)."""
    n, seen = sum(histogram.values()), 0
    for _, label in BUCKETS:
        seen += histogram.get(label, 0)
        if n and seen * 2 >= n:
            return label
    return ""


class ServiceAccess:
    topics = (topics.REFERRAL_REFERRALS,)
    views = (VIEW,)
    packed = (VIEW,)
    uses_case = True
    TYPES = frozenset(t.event_type for t in (ReferralRequested, ReferralAccepted, ReferralRejected,
                                             ReferralCompleted, ReferralFailed))
    reads = TYPES

    def project(self, envelope: Envelope, case: Case) -> Iterable[Delta]:
        if envelope.type not in self.TYPES:
            return ()
        event = decode(envelope)
        if isinstance(event, ReferralRequested):
            case = {K + "month": month_of(envelope.occurred_at), K + "service": event.service_id,
                    K + "org": event.organization_id}
            facets = [("status", "requested"), ("mode", event.mode),
                      *(("language", lang) for lang in dict.fromkeys(event.client_languages))]
        elif K + "month" not in case:  # the request was never seen
            return ()
        else:
            days = (envelope.occurred_at - datetime.fromisoformat(case[K + "at"])).days if K + "at" in case else 0
            facets = {ReferralAccepted: [("status", "accepted"), ("days_accepted", bucket(max(days, 0)))],
                      ReferralRejected: [("status", "rejected"), ("rejected", getattr(event, "reason", ""))],
                      ReferralCompleted: [("status", "completed"), ("days_completed", bucket(max(days, 0)))],
                      ReferralFailed: [("status", "failed"), ("failed", getattr(event, "reason", ""))]}[type(event)]
        tenant, month, org, service = envelope.tenant, case[K + "month"], case[K + "org"], case[K + "service"]
        return [_cell(tenant, month, org, service, facet, value) for facet, value in facets]

    def evolve(self, case: Case, envelope: Envelope) -> Case:
        if envelope.type != ReferralRequested.event_type:
            return case
        event = decode(envelope)
        assert isinstance(event, ReferralRequested)
        new: dict[str, Any] = {K + "month": month_of(envelope.occurred_at), K + "at": envelope.occurred_at.isoformat(),
                               K + "service": event.service_id, K + "org": event.organization_id}
        return {**case, **new}


@lru_cache(maxsize=SHARED_DELTAS)
def _cell(tenant: str, month: str, organization: str, service: str, facet: str, value: str) -> Delta:
    key = {"tenant": tenant, "month": month, "organization": organization, "service": service, "facet": facet,
           "value": value}
    return Delta(VIEW, key, {"n": 1})
