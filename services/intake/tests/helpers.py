"""Builders shared by intake's tests: valid commands, a context, in-memory dependencies."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from contracts.envelope import Actor, Role
from contracts.events.intake_office import BridgeWorkerJoined, OfficeOpened
from services.intake.application.handlers import Context, Deps, handle
from services.intake.domain import client, office, signal
from services.intake.domain import commands as c
from services.plumbing.eventstore import Commit, EventStore
from services.plumbing.eventstore.memory import InMemoryEventStore

CTX = Context(Actor(staff_id="staff-7", role=Role.FRONT_OFFICE), "corr-1")
TENANT = "kortrijk"
REGISTER = dict(tenant=TENANT, office_id="huis-van-de-kortrijkzaan", channel="whatsapp",
                themes=("housing", "letters.explain-letter"), client_languages=("ara", "fr"), language_used="ar")


def cid() -> str:
    return uuid.uuid4().hex


def deps() -> Deps:
    return Deps(store=InMemoryEventStore())


class Desk:
    """A bridge worker's desk over in-memory fakes: each method is one command with a fresh command id."""

    def __init__(self, d: Deps | None = None, tenant: str = TENANT) -> None:
        self.deps, self.tenant = d or deps(), tenant

    async def run(self, cls: type, **fields: Any) -> dict[str, Any]:
        fields.setdefault("command_id", cid())
        return await handle(cls(tenant=self.tenant, **fields), CTX, self.deps)

    async def register(self, **changes: Any) -> str:
        fields = {**REGISTER, **changes}
        fields.pop("tenant")
        await self.office(fields["office_id"])
        return (await self.run(c.RegisterQuestion, **fields))["question_id"]

    async def office(self, office_id: str) -> None:
        """The office opened, if it is not yet: a question is registered at an office of the municipality."""
        if await self.deps.store.first(office.stream_of(self.tenant, office_id)) is None:
            await self.run(office.OpenOffice, office_id=office_id, name="Onthaal")

    async def types(self, stream_id: str) -> list[str]:
        return [e.type for e in await self.deps.store.load(stream_id)]


async def legacy_office(store: EventStore, tenant: str, office_id: str,
                        workers: dict[str, tuple[str, ...]]) -> str:
    """An office stream as intake wrote it before `OfficeLanguagesCounted` existed: opened, workers joined, no tally.
    Appended straight to the store, as today's commands would count the languages with every change."""
    stream_id = office.stream_of(tenant, office_id)
    events = [OfficeOpened(office_id=office_id, name="Onthaal"),
              *(BridgeWorkerJoined(office_id=office_id, staff_id=s, languages=langs) for s, langs in workers.items())]
    await store.append(Commit.of(events, stream_id=stream_id, first_version=1, tenant=tenant, actor=CTX.actor,
                                 command_id=cid(), correlation_id="corr-legacy", occurred_at=datetime.now(UTC),
                                 result={"office_id": office_id, "stream_version": len(events)}))
    return stream_id


__all__ = ["CTX", "Desk", "REGISTER", "TENANT", "c", "cid", "client", "deps", "legacy_office", "office",
           "signal"]
