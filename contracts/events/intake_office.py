"""Events of intake's offices: the municipality's offices and their bridge workers — the supply side of language
coverage. Bridge workers are pseudonymous staff ids, never names."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contracts import topics
from contracts.events.registry import DomainEvent, event


@event("OfficeOpened", version=1, topic=topics.INTAKE_OFFICES)
class OfficeOpened(DomainEvent):
    """A municipality opened an office (a desk where bridge workers meet newcomers); `name` is the desk's public
    name, e.g. "Huis van de Kortrijkzaan"."""

    office_id: str
    name: str = Field(min_length=1, max_length=200)


@event("BridgeWorkerJoined", version=1, topic=topics.INTAKE_OFFICES)
class BridgeWorkerJoined(DomainEvent):
    """A bridge worker (pseudonymous `staff_id`) works at the office and speaks `languages` (ISO 639)."""

    office_id: str
    staff_id: str
    languages: tuple[str, ...] = Field(min_length=1)


@event("BridgeWorkerLanguagesChanged", version=1, topic=topics.INTAKE_OFFICES)
class BridgeWorkerLanguagesChanged(DomainEvent):
    """The languages a bridge worker speaks, as they are now (the full list)."""

    office_id: str
    staff_id: str
    languages: tuple[str, ...] = Field(min_length=1)


@event("OfficeLanguagesCounted", version=1, topic=topics.INTAKE_OFFICES)
class OfficeLanguagesCounted(DomainEvent):
    """How many of the office's bridge workers speak each language (ISO 639 code → workers), as it is after the
    change committed with it: the whole tally, never who. A language no one at the office speaks is left out.

    Intake appends it in the same commit as every change of the office's workers or their languages, so readers that
    must not hold staff ids (insights) learn the office's language coverage without them."""

    office_id: str
    languages: dict[str, Annotated[int, Field(ge=1)]]
