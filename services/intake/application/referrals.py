"""What intake learns from the referral service's events: the steps of each referral of a question, for its history.

Pure translation of one referral event into a `Step` (stored by the `QuestionReferrals` port, keyed by referral id and
stream version, so a redelivered event changes nothing), and the merge of a question's steps into its history.
Intake learns this only from the referral topic: it never calls the referral service or reads its database.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import decode

TOPIC = topics.REFERRAL_REFERRALS
# What a bridge worker may see of each step; never the client's pseudonym, office or question (they know those).
DETAILS = ("service_id", "organization_id", "mode", "priority", "reason", "note", "by", "outcome", "went_alone",
           "hours")


@dataclass(frozen=True)
class Step:
    """One event of one referral. `question_id` and `service_id` are known from `ReferralRequested` only."""

    referral_id: str
    version: int
    tenant: str
    type: str
    occurred_at: datetime
    staff_id: str
    details: dict[str, Any] = field(default_factory=dict)
    question_id: str | None = None
    service_id: str | None = None

    @property
    def key(self) -> str:
        """Where the referral's steps are kept: referral ids are per municipality (two may both have "r-1")."""
        return f"{self.tenant}|{self.referral_id}"


@dataclass(frozen=True)
class ReferralEntry:
    """A referral step as a line of the question's history."""

    referral_id: str
    version: int  # the referral's stream version
    type: str
    occurred_at: datetime
    staff_id: str
    details: dict[str, Any]


def step_of(envelope: Envelope) -> Step | None:
    """The step one referral event makes; None for anything else on the topic. Invalid payloads raise ValueError."""
    if not envelope.type.startswith("Referral"):
        return None
    payload = decode(envelope).model_dump(mode="json")
    details = {k: payload[k] for k in DETAILS if payload.get(k) is not None}
    return Step(referral_id=payload["referral_id"], version=envelope.stream_version, tenant=envelope.tenant,
                type=envelope.type, occurred_at=envelope.occurred_at, staff_id=envelope.actor.staff_id,
                details=details, question_id=payload.get("question_id"), service_id=payload.get("service_id"))


def merge(history: Sequence[Envelope], referrals: Iterable[ReferralEntry]) -> list[Envelope | ReferralEntry]:
    """The question's own events in stream order with its referral steps merged in by `occurred_at`; a step at the
    same moment as a question event comes after it. Steps of one referral keep their stream order."""
    steps = sorted(referrals, key=lambda r: (r.occurred_at, r.referral_id, r.version))
    return list(heapq.merge(history, steps, key=lambda item: item.occurred_at))


def stored(step: Step) -> dict[str, Any]:
    """The step as kept under `steps.<version>` of its referral's document."""
    return {"type": step.type, "occurred_at": step.occurred_at.isoformat(), "staff_id": step.staff_id,
            "details": step.details}


def entries(doc: dict[str, Any] | None, tenant: str) -> list[ReferralEntry]:
    """The history lines of one referral document `{_id, tenant, service_id, steps}`; none of another tenant's."""
    if not doc or doc.get("tenant") != tenant:
        return []
    service = {"service_id": doc["service_id"]} if doc.get("service_id") else {}
    referral_id = doc.get("referral_id", doc["_id"])  # a document of before is keyed by the referral id alone
    return [ReferralEntry(referral_id=referral_id, version=int(v), type=s["type"],
                          occurred_at=datetime.fromisoformat(s["occurred_at"]), staff_id=s["staff_id"],
                          details={**service, **s["details"]})
            for v, s in sorted(doc.get("steps", {}).items(), key=lambda kv: int(kv[0]))]
