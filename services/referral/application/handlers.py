"""Use cases of referrals: load, decide, append (domain events + the partner's view), refresh the query model.
`HANDLERS` is the table of contents."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import reduce
from typing import Any

from contracts.envelope import Actor, new_event_id
from contracts.events import DomainEvent
from services.referral.application.located import Located, history, located, new_referral_id
from services.referral.application.outbound import Senders, addressed
from services.referral.application.ports import ReferenceData, ReferralViews
from services.referral.domain import commands as c
from services.referral.domain import referral as r
from services.referral.domain.errors import ReferralRefused, Unknown
from services.plumbing.errors import FailedPrecondition, InvalidArgument, NotFound
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


def document(state: r.Referral, stream: str, tenant: str, updated_at: datetime,
             last: DomainEvent) -> dict[str, Any]:
    """The query model's document of a referral, keyed by its stream (ids are per municipality)."""
    req = state.requested
    assert req is not None and state.status is not None
    return {"_id": stream, "referral_id": state.referral_id, "tenant": tenant, "version": state.version,
            "status": state.status, "open": state.status in r.OPEN, "overdue": state.overdue,
            "question_id": req.question_id, "client_id": req.client_id, "office_id": req.office_id,
            "service_id": req.service_id, "organization_id": req.organization_id, "themes": list(req.themes),
            "mode": req.mode,
            "priority": req.priority, "requested_at": state.requested_at, "updated_at": updated_at,
            "reason": getattr(last, "reason", None), "outcome": getattr(last, "outcome", None),
            "went_alone": getattr(last, "went_alone", None)}


def _answer(stored: Commit, at: Located, partner: str | None) -> dict[str, Any]:
    """The first answer to a command id seen before in the municipality; a partner gets it only for this referral
    (never the answer about a referral addressed to another partner)."""
    if partner is not None and stored.stream_id != at.stream:
        raise InvalidArgument("command_id", "used before for another referral: send a new command id")
    return stored.result


async def _append(cmd: c.Command, ctx: Context, deps: Deps, at: Located, events: list[DomainEvent]) -> dict[str, Any]:
    state = at.state
    result = {"referral_id": state.referral_id, "status": state.status or "", "version": state.version}
    if not events:
        return result
    now = deps.now()
    after = reduce(lambda s, e: s.apply(e, now), events, state)
    partner = r.partner_view(after, events[-1].event_type, events[-1])
    result = {"referral_id": after.referral_id, "status": after.status, "version": after.version + 1}
    commit = addressed(Commit.of([*events, partner], stream_id=at.stream, first_version=state.version + 1,
                                 tenant=at.tenant, actor=ctx.actor, command_id=cmd.command_id,
                                 correlation_id=ctx.correlation_id, occurred_at=now, result=result), deps.senders)
    stored = await deps.store.append(commit)
    deps.published()
    if stored.commit_id == commit.commit_id:
        await deps.views.put(document(after.apply(partner), at.stream, at.tenant, now, events[-1]))
    return _answer(stored, at, r.partner_of(cmd))


async def _known(found: Any, field: str, noun: str, value: str) -> Any:
    if (facts := await found) is None:
        raise Unknown(field, noun, value)
    return facts


async def refer_to_service(cmd: c.ReferToService, ctx: Context, deps: Deps) -> dict[str, Any]:
    """Refer a question of the caller's municipality to a service of its catalogue, on the strength of the consent
    its client gave in that municipality: every id is looked up inside `cmd.tenant`."""
    at = await history(deps.store, cmd.tenant, cmd.referral_id or new_referral_id(cmd.tenant, cmd.command_id))
    if (earlier := await started_by(deps.store, cmd.command_id, at.envelopes)) is not None:
        return earlier.result
    ref = deps.reference
    question = await _known(ref.question(cmd.tenant, cmd.question_id), "question_id", "question", cmd.question_id)
    service = await _known(ref.service(cmd.tenant, cmd.service_id), "service_id", "service", cmd.service_id)
    consent = await ref.consent(cmd.tenant, question.client_id)
    since = await ref.client_since(cmd.tenant, question.client_id)
    return await _append(cmd, ctx, deps, at, r.refer(at.state, cmd, question, service, consent, since))


async def change(cmd: c.Command, ctx: Context, deps: Deps) -> dict[str, Any]:
    """A command on an existing referral: found as its caller may see it, then its command id (a retry), then the
    decision."""
    at = await located(deps.store, cmd)
    if (earlier := await deps.store.by_command(cmd.command_id, tenant=at.tenant)) is not None:
        return _answer(earlier, at, r.partner_of(cmd))
    return await _append(cmd, ctx, deps, at, r.decide(at.state, cmd))


HANDLERS: dict[type[c.Command], Callable[..., Any]] = {
    c.ReferToService: refer_to_service,
    c.Accept: change, c.Reject: change, c.Start: change, c.Hold: change, c.Resume: change,
    c.Complete: change, c.Fail: change, c.Cancel: change, c.MarkEnteredInError: change, c.FlagOverdue: change,
}


def not_found(exc: Unknown) -> NotFound:
    """NOT_FOUND "field: <what> '<id>' does not exist": one message for another municipality's id and for none."""
    return NotFound(exc.reason, field=exc.field, value=exc.value)


async def handle(cmd: c.Command, ctx: Context, deps: Deps) -> dict[str, Any]:
    """Run the command's use case once per command id within the referral's municipality; refusals become the
    errors the gRPC layer maps."""
    try:
        return await HANDLERS[type(cmd)](cmd, ctx, deps)
    except Unknown as exc:
        raise not_found(exc) from exc
    except ReferralRefused as exc:
        raise FailedPrecondition(str(exc)) from exc
