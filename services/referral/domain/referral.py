"""The referral aggregate: state changes only by applying events; each decision is a pure function that returns
events or raises `ReferralRefused` naming the reason."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from contracts.events import DomainEvent
from contracts.events import referral as ev
from services.referral.domain import commands as c
from services.referral.domain.errors import ReferralRefused, Unknown, UnknownReferral

OPEN = frozenset({"requested", "accepted", "in-progress", "on-hold"})
STATUS_AFTER: dict[type[DomainEvent], str] = {
    ev.ReferralRequested: "requested", ev.ReferralAccepted: "accepted", ev.ReferralRejected: "rejected",
    ev.ReferralStarted: "in-progress", ev.ReferralPutOnHold: "on-hold", ev.ReferralResumed: "in-progress",
    ev.ReferralCompleted: "completed", ev.ReferralFailed: "failed", ev.ReferralCancelled: "cancelled",
    ev.ReferralEnteredInError: "entered-in-error",
}


@dataclass(frozen=True)
class QuestionFacts:
    """What the referral knows of a question, from intake's events."""

    question_id: str
    tenant: str
    client_id: str
    office_id: str
    status: str
    themes: tuple[str, ...]
    client_languages: tuple[str, ...]
    urgent: bool = False


@dataclass(frozen=True)
class ServiceFacts:
    """What the referral knows of a catalogue service, from the catalogue's events."""

    service_id: str
    tenant: str
    organization_id: str | None
    status: str


@dataclass(frozen=True)
class Referral:
    referral_id: str
    version: int = 0
    status: str | None = None
    requested: ev.ReferralRequested | None = None
    requested_at: datetime | None = None
    overdue: bool = False

    @property
    def exists(self) -> bool:
        return self.requested is not None

    @property
    def organization_id(self) -> str:
        assert self.requested is not None
        return self.requested.organization_id

    def apply(self, event: DomainEvent, occurred_at: datetime | None = None) -> Referral:
        state = replace(self, version=self.version + 1)
        if isinstance(event, ev.ReferralRequested):
            state = replace(state, requested=event, requested_at=occurred_at)
        if isinstance(event, ev.ReferralFlaggedOverdue):
            state = replace(state, overdue=True)
        if (status := STATUS_AFTER.get(type(event))) is not None:
            state = replace(state, status=status)
        return state

    @classmethod
    def replay(cls, referral_id: str, events: Iterable[tuple[DomainEvent, datetime]]) -> Referral:
        state = cls(referral_id)
        for event, at in events:
            state = state.apply(event, at)
        return state


def refer(state: Referral, cmd: c.ReferToService, question: QuestionFacts | None, service: ServiceFacts | None,
          consent: bool, client_since: date | None = None) -> list[DomainEvent]:
    """Refer only an open question, to an active service of a partner, with the client's consent to share.
    `client_since` is the client's first visit, as intake's events told the referral service (None: not known)."""
    if state.exists:
        raise ReferralRefused("referral_id", f"referral {state.referral_id} already exists")
    if question is None or question.tenant != cmd.tenant:
        raise Unknown("question_id", "question", cmd.question_id)
    if question.status != "open":
        raise ReferralRefused("question_id", f"question {cmd.question_id} is closed: reopen it before referring")
    if service is None or service.tenant != cmd.tenant:
        raise Unknown("service_id", "service", cmd.service_id)
    if service.status != "active":
        raise ReferralRefused("service_id", f"service {cmd.service_id} is {service.status}: refer to an active one")
    if not service.organization_id:
        raise ReferralRefused("service_id", f"service {cmd.service_id} belongs to no partner organisation")
    if not consent:
        raise ReferralRefused("consent", f"client {question.client_id} has not consented to share the question "
                                         "with a service (record consent in intake first)")
    return [ev.ReferralRequested(
        referral_id=state.referral_id, question_id=question.question_id, client_id=question.client_id,
        service_id=cmd.service_id, organization_id=service.organization_id, office_id=question.office_id,
        themes=cmd.themes or question.themes, mode=cmd.mode,
        priority="urgent" if question.urgent else cmd.priority, client_languages=question.client_languages,
        note=cmd.note, client_since=client_since)]


def _expect(state: Referral, allowed: set[str], action: str) -> None:
    if not state.exists:
        raise UnknownReferral(state.referral_id)
    if state.status not in allowed:
        raise ReferralRefused("referral_id", f"cannot {action} a referral that is {state.status} "
                                             f"(only when {' or '.join(sorted(allowed))})")


def partner_of(cmd: c.Command) -> str | None:
    """The partner organisation a command acts for (None: a bridge worker's, or the system's)."""
    if isinstance(cmd, c.PartnerCommand) or (isinstance(cmd, c.Cancel) and cmd.by == "partner"):
        return cmd.organization_id
    return None


def visible(state: Referral, cmd: c.Command) -> None:
    """A referral that does not exist, or (for a partner) is addressed to another partner, is unknown alike."""
    if not state.exists or ((partner := partner_of(cmd)) is not None and state.organization_id != partner):
        raise UnknownReferral(state.referral_id)


def decide(state: Referral, cmd: c.Command) -> list[DomainEvent]:
    """The events a command on an existing referral causes, or a refusal naming the reason."""
    visible(state, cmd)
    rid = state.referral_id
    match cmd:
        case c.Accept():
            _expect(state, {"requested"}, "accept")
            return [ev.ReferralAccepted(referral_id=rid)]
        case c.Reject():
            _expect(state, {"requested"}, "reject")
            return [ev.ReferralRejected(referral_id=rid, reason=cmd.reason, note=cmd.note)]
        case c.Start():
            _expect(state, {"accepted"}, "start")
            return [ev.ReferralStarted(referral_id=rid)]
        case c.Hold():
            _expect(state, {"in-progress"}, "put on hold")
            return [ev.ReferralPutOnHold(referral_id=rid, reason=cmd.reason, note=cmd.note)]
        case c.Resume():
            _expect(state, {"on-hold"}, "resume")
            return [ev.ReferralResumed(referral_id=rid)]
        case c.Complete():
            _expect(state, {"in-progress"}, "complete")
            return [ev.ReferralCompleted(referral_id=rid, outcome=cmd.outcome, went_alone=cmd.went_alone)]
        case c.Fail():
            _expect(state, {"accepted", "in-progress", "on-hold"}, "fail")
            return [ev.ReferralFailed(referral_id=rid, reason=cmd.reason, note=cmd.note)]
        case c.Cancel():
            _expect(state, set(OPEN), "cancel")
            return [ev.ReferralCancelled(referral_id=rid, by=cmd.by, reason=cmd.reason)]
        case c.MarkEnteredInError():
            _expect(state, set(STATUS_AFTER.values()) - {"entered-in-error"}, "mark entered in error")
            return [ev.ReferralEnteredInError(referral_id=rid)]
        case c.FlagOverdue():
            _expect(state, {"requested"}, "flag overdue")
            return [] if state.overdue else [ev.ReferralFlaggedOverdue(referral_id=rid, hours=cmd.hours)]
    raise TypeError(f"no decision for {type(cmd).__name__}")


def partner_view(state: Referral, change: str, last: DomainEvent | None) -> ev.PartnerReferral:
    """What the partner receives after a change: the referral as it needs it to act, nothing more."""
    r = state.requested
    assert r is not None and state.status is not None and state.requested_at is not None
    return ev.PartnerReferral(
        referral_id=state.referral_id, organization_id=r.organization_id, service_id=r.service_id,
        client_id=r.client_id, status=state.status, change=change, themes=r.themes,
        client_languages=r.client_languages, mode=r.mode, priority=r.priority, requested_at=state.requested_at,
        overdue=state.overdue, reason=getattr(last, "reason", None), outcome=getattr(last, "outcome", None),
        went_alone=getattr(last, "went_alone", None), note=r.note)
