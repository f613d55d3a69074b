"""Signals: a bridge worker reports a bottleneck to policy. Each signal is its own one-event stream."""
from __future__ import annotations

from pydantic import Field, model_validator

from contracts.events import DomainEvent
from contracts.events.intake_signal import SignalReported
from services.intake.domain.fields import Barriers, Command, Id, PolicyLabel, PolicyText, Theme


class ReportSignal(Command):
    office_id: Id
    themes: tuple[Theme, ...] = Field(default=(), max_length=8)
    barriers: Barriers = ()
    services: tuple[PolicyLabel, ...] = Field(default=(), max_length=20)
    text: PolicyText

    @model_validator(mode="after")
    def _about_something(self) -> ReportSignal:
        if not (self.themes or self.barriers):
            raise ValueError("a signal names at least one theme or barrier")
        return self


def report(signal_id: str, cmd: ReportSignal) -> list[DomainEvent]:
    return [SignalReported(signal_id=signal_id, office_id=cmd.office_id, themes=cmd.themes, barriers=cmd.barriers,
                           services=cmd.services, text=cmd.text)]
