"""Use cases of referrals: load, decide, append (domain events + the partner's view), refresh the query model.
`HANDLERS` is the table of contents."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import reduce
from typing import Any

from contracts.envelope import Actor, Envelope, new_event_id
from contracts.events import DomainEvent, decode
from services.referral.application.outbound import Senders, addressed
from services.referral.application.ports import ReferenceData, ReferralViews
from services.referral.domain import commands as c
from services.referral.domain import referral as r
from services.referral.domain.errors import ReferralRefused, UnknownReferral
from services.plumbing.errors import FailedPrecondition, NotFound
from services.plumbing.eventstore import Commit, EventStore, started_by


@dataclass(frozen=True)
class Context:
    """Who asks, under which correlation id. Filled by the entry point from the call's credentials."""

    actor: Actor
    correlation_id: str = field(default_factory=new_event_id)


@dataclass
class Deps:
    store: EventStore
    views: ReferralViews
    reference: ReferenceData
    published: Callable[[], None] = lambda: None  # wakes the relay after an append
    senders: Senders = field(default_factory=Senders)  # ephemeral secret; the composition root passes the configured
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


async def history(deps: Deps, referral_id: str, tenant: str | None) -> tuple[r.Referral, list[Envelope]]:
    """The referral replayed from its stream; one of another municipality is as good as absent."""
    envelopes = await deps.store.load(referral_id)
    if envelopes and tenant is not None and envelopes[0].tenant != tenant:
        raise UnknownReferral(f"referral {referral_id} does not exist")
    return r.Referral.replay(referral_id, ((decode(e), e.occurred_at) for e in envelopes)), envelopes


def document(state: r.Referral, tenant: str, updated_at: datetime, last: DomainEvent) -> dict[str, Any]:
    """The query model's document of a referral."""
    req = state.requested
    assert req is not None and state.status is not None
    return {"_id": state.referral_id, "tenant": tenant, "version": state.version, "status": state.status,
            "open": state.status in r.OPEN, "overdue": state.overdue, "question_id": req.question_id,
            "client_id": req.client_id, "office_id": req.office_id, "service_id": req.service_id,
            "organization_id": req.organization_id, "themes": list(req.themes), "mode": req.mode,
            "priority": req.priority, "requested_at": state.requested_at, "updated_at": updated_at,
            "reason": getattr(last, "reason", None), "outcome": getattr(last, "outcome", None),
            "went_alone": getattr(last, "went_alone", None)}


async def _append(cmd: c.Command, ctx: Context, deps: Deps, state: r.Referral, tenant: str,
                  events: list[DomainEvent]) -> dict[str, Any]:
    result = {"referral_id": state.referral_id, "status": state.status or "", "version": state.version}
    if not events:
        return result
    now = deps.now()
    after = reduce(lambda s, e: s.apply(e, now), events, state)
    partner = r.partner_view(after, events[-1].event_type, events[-1])
    result = {"referral_id": after.referral_id, "status": after.status, "version": after.version + 1}
    commit = addressed(Commit.of([*events, partner], stream_id=state.referral_id, first_version=state.version + 1,
                                 tenant=tenant, actor=ctx.actor, command_id=cmd.command_id,
                                 correlation_id=ctx.correlation_id, occurred_at=now, result=result), deps.senders)
    stored = await deps.store.append(commit)
    deps.published()
    if stored.commit_id == commit.commit_id:
        await deps.views.put(document(after.apply(partner), tenant, now, events[-1]))
    return stored.result


async def refer_to_service(cmd: c.ReferToService, ctx: Context, deps: Deps) -> dict[str, Any]:
    state, envelopes = await history(deps, cmd.referral_id, cmd.tenant)
    if (earlier := await started_by(deps.store, cmd.command_id, envelopes)) is not None:
        return earlier.result
    question = await deps.reference.question(cmd.question_id)
    service = await deps.reference.service(cmd.service_id)
    consent = question is not None and await deps.reference.consent(question.client_id)
    since = question and await deps.reference.client_since(question.client_id)
    return await _append(cmd, ctx, deps, state, cmd.tenant, r.refer(state, cmd, question, service, consent, since))


async def change(cmd: c.Command, ctx: Context, deps: Deps) -> dict[str, Any]:
    state, envelopes = await history(deps, cmd.referral_id, cmd.tenant)
    events = r.decide(state, cmd)
    return await _append(cmd, ctx, deps, state, envelopes[0].tenant, events)


HANDLERS: dict[type[c.Command], Callable[..., Any]] = {
    c.ReferToService: refer_to_service,
    c.Accept: change, c.Reject: change, c.Start: change, c.Hold: change, c.Resume: change,
    c.Complete: change, c.Fail: change, c.Cancel: change, c.MarkEnteredInError: change, c.FlagOverdue: change,
}


async def handle(cmd: c.Command, ctx: Context, deps: Deps) -> dict[str, Any]:
    """Run the command's use case once per command id; refusals become the errors the gRPC layer maps."""
    if (earlier := await deps.store.by_command(cmd.command_id, tenant=cmd.tenant)) is not None:
        return earlier.result
    try:
        return await HANDLERS[type(cmd)](cmd, ctx, deps)
    except UnknownReferral as exc:
        raise NotFound(str(exc)) from exc
    except ReferralRefused as exc:
        raise FailedPrecondition(str(exc)) from exc
