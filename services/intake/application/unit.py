"""Context, dependencies and the one way every command is carried out: load, decide, append (retrying on conflict)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from contracts.envelope import Actor, Envelope, new_event_id
from contracts.events import DomainEvent, decode
from services.intake.application.keys import ClientKeys
from services.intake.application.memory import (
    InMemoryKeyStore,
    InMemoryKeyWrapper,
    InMemoryQuestionReferrals,
    InMemoryQuestionViews,
)
from services.intake.application.ports import QuestionReferrals, QuestionViews
from services.intake.domain.errors import RuleViolated, Unknown
from services.intake.domain.fields import Command
from services.plumbing.eventstore import Commit, ConcurrencyError, EventStore, started_by

RETRIES = 3


@dataclass(frozen=True)
class Context:
    """Who asks, under which correlation id. Filled by the entry point from the call's credentials."""

    actor: Actor
    correlation_id: str


@dataclass
class Deps:
    store: EventStore
    keys: ClientKeys = field(default_factory=lambda: ClientKeys(InMemoryKeyStore(), InMemoryKeyWrapper()))
    views: QuestionViews = field(default_factory=InMemoryQuestionViews)
    referrals: QuestionReferrals = field(default_factory=InMemoryQuestionReferrals)  # learnt from the referral topic
    published: Callable[[], None] = lambda: None  # wakes the relay after an append
    new_id: Callable[[], str] = new_event_id
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


class Aggregate(Protocol):
    version: int

    def apply(self, event: DomainEvent) -> Any: ...


async def load(deps: Deps, stream_id: str, tenant: str, cached: bool = False) -> list[Envelope]:
    """The stream's events (`cached`: as this process last knew them); a stream of another municipality is as
    unknown as a missing one."""
    envelopes = await deps.store.load(stream_id, cached=cached)
    if envelopes and envelopes[0].tenant != tenant:
        raise Unknown(f"{stream_id!r} does not exist")
    return envelopes


async def execute(cmd: Command, ctx: Context, deps: Deps, *, stream_id: str,
                  initial: Callable[[], Aggregate], decide: Callable[[Any], Sequence[DomainEvent]],
                  result: Callable[[Any], dict[str, Any]],
                  before: Callable[[Any], Awaitable[None]] | None = None,
                  after: Callable[[Any, Sequence[Envelope]], Awaitable[None]] | None = None,
                  occurred_at: datetime | None = None, new_stream: bool = False) -> dict[str, Any]:
    """Carry out one command on one stream. A retried command_id returns its first answer and writes nothing (the
    store knows command ids per municipality: one used in another is as new here): found among the stream's events
    when its first attempt was stored (`started_by`), else refused by the store's unique command id on append (an
    id reused on another stream) — no lookup before deciding; a conflicting append reloads and decides again.
    `before` runs side effects that must precede the append (key deletion); `after` updates the query model from the
    new state and the whole stream.

    `new_stream`: the stream id was just made up, so there is nothing to load and no earlier attempt to look up
    first; a retry is still answered with its first result, by the store's unique command_id on append.
    """
    if before is not None and not new_stream and (
            earlier := await deps.store.by_command(cmd.command_id, tenant=cmd.tenant)) is not None:
        return earlier.result  # its side effect is not for a retry (the id may even be reused on another stream)
    for attempt in range(RETRIES):
        # the first attempt decides on what this process knows of the stream: the append refuses a decision on a
        # stream another process has written since, and a refusal is made again on the stream as stored
        envelopes = [] if new_stream else await load(deps, stream_id, cmd.tenant, cached=attempt == 0)
        if (earlier := await started_by(deps.store, cmd.command_id, envelopes)) is not None:
            return earlier.result
        state = initial()
        for envelope in envelopes:
            state = state.apply(decode(envelope))
        try:
            events = decide(state)
        except (RuleViolated, Unknown):
            if attempt == 0 and not new_stream:
                continue
            raise
        for event in events:
            state = state.apply(event)
        commit = Commit.of(events, stream_id=stream_id, first_version=state.version - len(events) + 1,
                           tenant=cmd.tenant, actor=ctx.actor, command_id=cmd.command_id,
                           correlation_id=ctx.correlation_id, occurred_at=occurred_at or deps.now(),
                           result={**result(state), "stream_version": state.version})
        if before is not None:
            await before(state)
        try:
            stored = await deps.store.append(commit)
        except ConcurrencyError:
            if attempt == RETRIES - 1:
                raise
            continue
        if stored.commit_id != commit.commit_id:
            return stored.result
        deps.published()
        if after is not None:
            await after(state, [*envelopes, *stored.events])
        return stored.result
    raise AssertionError("unreachable")
