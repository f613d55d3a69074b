"""The office aggregate: an office of a municipality and its bridge workers with the languages they speak."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from typing import Annotated

from pydantic import Field

from contracts.events import DomainEvent
from contracts.events.intake_office import (
    BridgeWorkerJoined, BridgeWorkerLanguagesChanged, OfficeLanguagesCounted, OfficeOpened)
from services.intake.domain.errors import OfficeRuleViolated, Unknown
from services.intake.domain.fields import Command, Id, Languages, Query
from services.plumbing.screening import PUBLIC


class OpenOffice(Command):
    """Office ids are chosen by the municipality and are its own: another's office of the same id is no obstacle."""

    creates = frozenset({"office_id"})
    office_id: Id
    name: Annotated[str, PUBLIC] = Field(min_length=1, max_length=200)  # about the office, never a client


class AddBridgeWorker(Command):
    office_id: Id
    staff_id: Id
    languages: Languages


class ChangeBridgeWorkerLanguages(AddBridgeWorker):
    pass


class RecountOfficeLanguages(Command):
    """An admin's repair: commit the office's tally again, for offices whose workers were recorded before
    `OfficeLanguagesCounted` existed (their last tally is missing or no longer matches the workers)."""

    office_id: Id


class GetOffice(Query):
    office_id: Id


def stream_of(tenant: str, office_id: str) -> str:
    """Office ids are chosen by the municipality, so the stream is scoped by tenant."""
    return f"office:{tenant}:{office_id}"


@dataclass(frozen=True)
class Office:
    stream_id: str
    version: int = 0
    office_id: str = ""
    name: str = ""
    workers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    counted: dict[str, int] | None = None  # the last tally committed; None: the stream holds none

    def apply(self, event: DomainEvent) -> Office:
        nxt = replace(self, version=self.version + 1)
        match event:
            case OfficeOpened():
                return replace(nxt, office_id=event.office_id, name=event.name)
            case BridgeWorkerJoined() | BridgeWorkerLanguagesChanged():
                return replace(nxt, workers={**self.workers, event.staff_id: event.languages})
            case OfficeLanguagesCounted():
                return replace(nxt, counted=dict(event.languages))
        raise OfficeRuleViolated(f"office cannot apply {type(event).__name__}")

    @classmethod
    def replay(cls, stream_id: str, events: Iterable[DomainEvent]) -> Office:
        state = cls(stream_id)
        for event in events:
            state = state.apply(event)
        return state


def _exists(state: Office, office_id: str) -> None:
    if not state.version:
        raise Unknown(f"office_id: office {office_id!r} does not exist; open it first")


def open_office(state: Office, cmd: OpenOffice) -> list[DomainEvent]:
    if state.version:
        raise OfficeRuleViolated(f"office_id: office {cmd.office_id} is already open")
    return [OfficeOpened(office_id=cmd.office_id, name=cmd.name)]


def add_worker(state: Office, cmd: AddBridgeWorker) -> list[DomainEvent]:
    _exists(state, cmd.office_id)
    if cmd.staff_id in state.workers:
        raise OfficeRuleViolated(f"staff_id: {cmd.staff_id} already works at {cmd.office_id}")
    return _counted(state, BridgeWorkerJoined(office_id=cmd.office_id, staff_id=cmd.staff_id,
                                              languages=cmd.languages))


def change_languages(state: Office, cmd: ChangeBridgeWorkerLanguages) -> list[DomainEvent]:
    _exists(state, cmd.office_id)
    if cmd.staff_id not in state.workers:
        raise Unknown(f"staff_id: bridge worker {cmd.staff_id!r} does not exist at office {cmd.office_id!r}")
    if state.workers[cmd.staff_id] == cmd.languages:
        raise OfficeRuleViolated("languages: the bridge worker already has exactly these languages")
    return _counted(state, BridgeWorkerLanguagesChanged(office_id=cmd.office_id, staff_id=cmd.staff_id,
                                                        languages=cmd.languages))


def recount_languages(state: Office, cmd: RecountOfficeLanguages) -> list[DomainEvent]:
    """The office's tally, refused only when the last tally committed says the same. An office with no workers and
    no tally yet gets an empty one (`{}`): it moves no counter in insights, and afterwards a recount is refused like
    at any office whose tally is up to date."""
    _exists(state, cmd.office_id)
    tally = languages_counted(state)
    if tally.languages == state.counted:
        raise OfficeRuleViolated(f"office_id: the languages of office {cmd.office_id} are counted already")
    return [tally]


def languages_counted(state: Office) -> OfficeLanguagesCounted:
    """The office's tally: per language, how many of its bridge workers speak it (no staff ids)."""
    tally = Counter(language for spoken in state.workers.values() for language in spoken)
    return OfficeLanguagesCounted(office_id=state.office_id, languages=dict(sorted(tally.items())))


def _counted(state: Office, change: DomainEvent) -> list[DomainEvent]:
    """A change of the workers, followed in the same commit by the tally after it."""
    return [change, languages_counted(state.apply(change))]
