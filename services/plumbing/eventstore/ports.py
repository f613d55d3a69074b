"""Port of the event store, shared by the MongoDB adapter and the in-memory fake (same contract tests)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import Actor, Envelope, new_event_id
from contracts.events import DomainEvent


class ConcurrencyError(Exception):
    """Another command appended to the stream first; reload and decide again."""


class StoreUnavailable(Exception):
    """The database cannot be reached; nothing was written."""


class Commit(BaseModel):
    """The events of one command on one stream, stored atomically as one document.

    A command id is the caller's within its municipality: the store keeps one commit per (tenant, command id), so
    the same id used in another municipality is a command of its own there, never an answer from here.
    """

    model_config = ConfigDict(frozen=True)

    commit_id: str = Field(default_factory=new_event_id)
    stream_id: str
    first_version: int
    command_id: str
    events: tuple[Envelope, ...]
    result: dict[str, Any] = Field(default_factory=dict)
    published: bool = False

    @classmethod
    def of(cls, events: Sequence[DomainEvent], *, stream_id: str, first_version: int, tenant: str, actor: Actor,
           command_id: str, correlation_id: str, occurred_at: datetime, result: dict[str, Any]) -> Commit:
        """Wrap the events a command decided in envelopes, numbered from `first_version`."""
        envelopes = tuple(
            Envelope(type=e.event_type, schema_version=e.schema_version, stream_id=stream_id,
                     stream_version=first_version + i, tenant=tenant, occurred_at=occurred_at,
                     correlation_id=correlation_id, causation_id=command_id, actor=actor,
                     payload=e.model_dump(mode="json"))
            for i, e in enumerate(events))
        return cls(stream_id=stream_id, first_version=first_version, command_id=command_id, events=envelopes,
                   result=result)

    @property
    def tenant(self) -> str:
        """The municipality the commit's events belong to: the scope of its command id."""
        return self.events[0].tenant if self.events else ""


class Parked(BaseModel):
    """A commit Kafka refused for good (too large, a topic it cannot have): the relay publishes nothing more of its
    stream until an operator retries it after a fix or resolves it (`wegwijs relay`)."""

    model_config = ConfigDict(frozen=True)

    stream_id: str
    commit_id: str
    first_version: int
    tenant: str
    error: str
    since: datetime
    retry_asked: datetime | None = None


class EventStore(Protocol):
    async def append(self, commit: Commit) -> Commit:
        """Store `commit` unless its command_id was seen in its municipality (`commit.tenant`): then return the first
        commit and write nothing. The same command id of another municipality does not count.

        Raises ConcurrencyError if the stream already has a commit at `commit.first_version`.
        """
        ...

    async def by_command(self, command_id: str, thorough: bool = False, *, tenant: str) -> Commit | None:
        """The commit an earlier attempt of this command made in `tenant`'s municipality, if known cheaply (there is
        no lookup across municipalities: a command id is the caller's within its own).
        May miss a command that started a stream; `append` answers such a retry with the first commit all the same.
        `thorough`: never miss it, at the cost of a scan where it is not known cheaply (for a caller that saw this
        command's events in the stream but whose command would now be refused, like opening an open office again).
        """
        ...

    async def load(self, stream_id: str, cached: bool = False) -> list[Envelope]:
        """All events of a stream, in version order. `cached`: what this process last read or wrote of the stream
        will do, with no read when it has it: another process's later commits may be missing, and an append decided
        on them is refused (ConcurrencyError), after which the stream is read again."""
        ...

    async def first(self, stream_id: str) -> Envelope | None:
        """The stream's first event (whose municipality the stream is), without loading the rest; None: no stream."""
        ...

    async def unpublished(self, limit: int) -> Sequence[Commit]:
        """Commits not yet acknowledged by Kafka, oldest first; none of a stream with a parked commit (they wait)."""
        ...

    async def mark_published(self, commit_ids: Sequence[str]) -> None: ...

    async def park(self, commit: Commit, error: str) -> Parked:
        """Record that Kafka refused `commit` for good: its stream waits (not in `unpublished`) from now on."""
        ...

    async def parked(self) -> Sequence[Parked]:
        """The parked commits as the database has them now (another process may have parked, retried or resolved
        one: the store's view of which streams wait follows), oldest first."""
        ...

    async def waiting(self, stream_id: str) -> Sequence[Commit]:
        """The parked commit of `stream_id` and the stream's later unpublished commits, in version order."""
        ...

    async def ask_retry(self, stream_id: str) -> Parked | None:
        """An operator's request that the relay publish the parked commit again (after a fix); None: none parked."""
        ...

    async def unpark(self, stream_id: str) -> None:
        """The parked commit and the ones waiting behind it are published: the stream flows again."""
        ...

    async def resolve(self, stream_id: str, reason: str, by: str) -> Parked | None:
        """An operator gives up on the parked commit: it is never published (its events stay in the store), and the
        stream's later commits flow again. None: nothing parked on that stream."""
        ...


async def started_by(store: EventStore, command_id: str, stream: Sequence[Envelope]) -> Commit | None:
    """The commit with which this command started `stream` (already loaded), if it did: a retry of a command that
    starts a stream finds no command marker (none is written for those), and deciding again could be refused (an
    office already open, a referral that exists), so the caller answers with this commit's result instead."""
    if any(e.causation_id == command_id for e in stream):
        return await store.by_command(command_id, thorough=True, tenant=stream[0].tenant)
    return None
