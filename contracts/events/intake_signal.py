"""Events of intake's signals: bottlenecks bridge workers report to policy makers."""
from __future__ import annotations

from pydantic import Field

from contracts import topics
from contracts.events.registry import DomainEvent, event


@event("SignalReported", version=1, topic=topics.INTAKE_SIGNALS)
class SignalReported(DomainEvent):
    """A bridge worker reported a bottleneck to policy: the themes and barriers it concerns, the services affected
    (catalogue ids or labels) and a description. The text is about the offer, never about a person."""

    signal_id: str
    office_id: str
    themes: tuple[str, ...] = ()
    barriers: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    text: str = Field(min_length=1, max_length=4000)
