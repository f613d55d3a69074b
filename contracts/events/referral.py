"""Events of referrals: closed-loop referrals of a question to a catalogue service, after the FHIR SDOH Task lifecycle.

requested → accepted | rejected; accepted → in-progress ⇄ on-hold → completed | failed; cancelled by either side;
entered-in-error by the requester. Reasons are codes (Literal), so policy can count why newcomers do not get in.
Events carry no names or contact details: the client is the pseudonym intake gave them.

`PartnerReferral` is not a domain event of the referral stream's rules: it is what a partner organisation receives on
its own topic (`topics.partner_referrals(organization_id)`), the referral as the partner needs it to act.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, ConfigDict, Field

from contracts import topics
from contracts.events.registry import DomainEvent, event, upcaster

Mode = Literal["information", "warm-handoff", "accompanied"]
Priority = Literal["routine", "urgent"]
RejectReason = Literal["not-eligible", "no-capacity", "language", "out-of-area", "service-not-offered",
                       "referred-elsewhere", "other"]
HoldReason = Literal["waiting-list", "waiting-for-client", "waiting-for-documents", "other"]
FailReason = Literal["could-not-contact", "client-did-not-show", "waiting-list-too-long", "no-longer-interested",
                     "barrier-language", "barrier-cost", "barrier-transport", "barrier-documents", "other"]
CancelReason = Literal["no-longer-needed", "client-withdrew", "referred-elsewhere", "duplicate", "other"]
CancelledBy = Literal["requester", "partner"]
Outcome = Literal["got-help", "partly", "not-helped"]
Status = Literal["requested", "accepted", "rejected", "in-progress", "on-hold", "completed", "failed", "cancelled",
                 "entered-in-error"]
Note = Field(default=None, max_length=500)


@event("ReferralRequested", version=1, topic=topics.REFERRAL_REFERRALS)
class ReferralRequestedV1(DomainEvent):
    """A bridge worker referred an open question to an active service of a partner, with the client's consent.

    `note` is for the partner, about the need (never names or contact details).
    """

    model_config = ConfigDict(title="ReferralRequested")  # the published v1 schema keeps its title

    referral_id: str
    question_id: str
    client_id: str
    service_id: str
    organization_id: str
    office_id: str
    themes: tuple[str, ...] = Field(min_length=1)
    mode: Mode
    priority: Priority = "routine"
    client_languages: tuple[str, ...] = ()
    note: str | None = Note


@event("ReferralRequested", version=2, topic=topics.REFERRAL_REFERRALS)
class ReferralRequested(ReferralRequestedV1):
    """A bridge worker referred an open question to an active service of a partner, with the client's consent.

    `note` is for the partner, about the need (never names or contact details). `client_since` (v2) is the day of the
    client's first visit, the earliest of their registration and questions in intake's events (None when not known):
    insights count later referrals by the cohort of that first visit.
    """

    client_since: date | None = None


@upcaster("ReferralRequested", 1)
def _requested_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "client_since": None}


@event("ReferralAccepted", version=1, topic=topics.REFERRAL_REFERRALS)
class ReferralAccepted(DomainEvent):
    referral_id: str


@event("ReferralRejected", version=1, topic=topics.REFERRAL_REFERRALS)
class ReferralRejected(DomainEvent):
    referral_id: str
    reason: RejectReason
    note: str | None = Note


@event("ReferralStarted", version=1, topic=topics.REFERRAL_REFERRALS)
class ReferralStarted(DomainEvent):
    referral_id: str


@event("ReferralPutOnHold", version=1, topic=topics.REFERRAL_REFERRALS)
class ReferralPutOnHold(DomainEvent):
    referral_id: str
    reason: HoldReason
    note: str | None = Note


@event("ReferralResumed", version=1, topic=topics.REFERRAL_REFERRALS)
class ReferralResumed(DomainEvent):
    referral_id: str


@event("ReferralCompleted", version=1, topic=topics.REFERRAL_REFERRALS)
class ReferralCompleted(DomainEvent):
    """Done, with the outcome; `went_alone` is the self-reliance signal (the client went without the bridge worker)."""

    referral_id: str
    outcome: Outcome
    went_alone: bool


@event("ReferralFailed", version=1, topic=topics.REFERRAL_REFERRALS)
class ReferralFailed(DomainEvent):
    referral_id: str
    reason: FailReason
    note: str | None = Note


@event("ReferralCancelled", version=1, topic=topics.REFERRAL_REFERRALS)
class ReferralCancelled(DomainEvent):
    referral_id: str
    by: CancelledBy
    reason: CancelReason


@event("ReferralEnteredInError", version=1, topic=topics.REFERRAL_REFERRALS)
class ReferralEnteredInError(DomainEvent):
    """The requester made the referral by mistake: it never counted."""

    referral_id: str


@event("ReferralFlaggedOverdue", version=1, topic=topics.REFERRAL_REFERRALS)
class ReferralFlaggedOverdue(DomainEvent):
    """Still requested after the configured time: the partner has not answered."""

    referral_id: str
    hours: int = Field(ge=1)


@event("PartnerReferral", version=1, topic=topics.PARTNER_REFERRALS)
class PartnerReferral(DomainEvent):
    """The referral as its partner sees it, sent on the partner's own topic after every change.

    Only what the partner needs to act. Never contact details: intake keeps them encrypted and shares none in events.
    """

    referral_id: str
    organization_id: str
    service_id: str
    client_id: str
    status: Status
    change: str  # the event that caused this message, e.g. "ReferralRequested"
    themes: tuple[str, ...]
    client_languages: tuple[str, ...]
    mode: Mode
    priority: Priority
    requested_at: AwareDatetime
    overdue: bool = False
    reason: str | None = None
    outcome: Outcome | None = None
    went_alone: bool | None = None
    note: str | None = Note
