"""Use cases of intake: load, decide, append. `HANDLERS` is the service's table of contents."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contracts.envelope import Actor, new_event_id
from services.intake.domain import question
from services.intake.domain.commands import Command, RegisterQuestion
from services.plumbing.eventstore import Commit, EventStore


@dataclass(frozen=True)
class Context:
    """Who asks, under which correlation id. Filled by the entry point from the call's credentials."""

    actor: Actor
    correlation_id: str


@dataclass
class Deps:
    store: EventStore
    published: Callable[[], None] = lambda: None  # wakes the relay after an append
    new_id: Callable[[], str] = new_event_id
    now: Callable[[], datetime] = lambda: datetime.now(UTC)


async def register_question(cmd: RegisterQuestion, ctx: Context, deps: Deps) -> dict[str, Any]:
    if (earlier := await deps.store.by_command(cmd.command_id)) is not None:
        return earlier.result
    question_id, client_id = f"q-{deps.new_id()}", cmd.client_id or f"c-{deps.new_id()}"
    events = question.register(question.Question(question_id), cmd, client_id)
    result = {"question_id": question_id, "client_id": client_id, "stream_version": len(events)}
    commit = Commit.of(events, stream_id=question_id, first_version=1, tenant=cmd.tenant, actor=ctx.actor,
                       command_id=cmd.command_id, correlation_id=ctx.correlation_id,
                       occurred_at=cmd.occurred_at or deps.now(), result=result)
    stored = await deps.store.append(commit)
    deps.published()
    return stored.result


HANDLERS: dict[type[Command], Callable[..., Any]] = {
    RegisterQuestion: register_question,
}


async def handle(cmd: Command, ctx: Context, deps: Deps) -> dict[str, Any]:
    return await HANDLERS[type(cmd)](cmd, ctx, deps)
