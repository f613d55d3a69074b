"""The question aggregate: state built only by applying its events; decisions are pure functions of state + command.

Lifecycle: new → open (registered) → closed → open (reopened) …;
clarify, inform, accompany and gap need it open.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from contracts.events import DomainEvent
from contracts.events.intake import (
    ClientAccompanied, GapRecorded, QuestionClarified, QuestionClosed, QuestionInformed, QuestionRegistered,
    QuestionReopened)
from services.intake.domain import commands as c
from services.intake.domain.errors import QuestionRuleViolated, Unknown


@dataclass(frozen=True)
class Question:
    question_id: str
    version: int = 0
    status: str = "new"
    office_id: str = ""
    client_id: str = ""
    themes: tuple[str, ...] = ()
    barriers: tuple[str, ...] = ()
    helped: bool = False  # informed or accompanied at least once
    gaps: frozenset[str] = frozenset()
    outcome: str = ""

    def apply(self, event: DomainEvent) -> Question:
        nxt = replace(self, version=self.version + 1)
        match event:
            case QuestionRegistered():
                return replace(nxt, status="open", office_id=event.office_id, client_id=event.client_id,
                               themes=event.themes, barriers=event.barriers)
            case QuestionClarified():
                return replace(nxt, themes=event.themes, barriers=event.barriers)
            case QuestionInformed() | ClientAccompanied():
                return replace(nxt, helped=True)
            case GapRecorded():
                return replace(nxt, gaps=self.gaps | {event.theme})
            case QuestionClosed():
                return replace(nxt, status="closed", outcome=event.outcome)
            case QuestionReopened():
                return replace(nxt, status="open", outcome="")
        raise QuestionRuleViolated(f"question cannot apply {type(event).__name__}")

    @classmethod
    def replay(cls, question_id: str, events: Iterable[DomainEvent]) -> Question:
        state = cls(question_id)
        for event in events:
            state = state.apply(event)
        return state


def _open(state: Question) -> None:
    if state.status == "new":
        raise Unknown(f"question_id: question {state.question_id!r} does not exist")
    if state.status == "closed":
        raise QuestionRuleViolated(f"question_id: question {state.question_id} is closed; reopen it first")


def register(state: Question, cmd: c.RegisterQuestion, client_id: str) -> list[DomainEvent]:
    """A question is registered once; the first theme listed is its main theme."""
    if state.status != "new":
        raise QuestionRuleViolated(f"question_id: question {state.question_id} is already registered")
    return [QuestionRegistered(
        question_id=state.question_id, office_id=cmd.office_id, client_id=client_id, channel=cmd.channel,
        themes=cmd.themes, barriers=cmd.barriers, client_languages=cmd.client_languages,
        language_used=cmd.language_used, interpreter_needed=cmd.interpreter_needed, urgent=cmd.urgent)]


def clarify(state: Question, cmd: c.ClarifyQuestion) -> list[DomainEvent]:
    """Clarification must change the themes or the barriers."""
    _open(state)
    if (cmd.themes, cmd.barriers) == (state.themes, state.barriers):
        raise QuestionRuleViolated("themes: the themes and barriers are already these; nothing to clarify")
    return [QuestionClarified(question_id=state.question_id, themes=cmd.themes, barriers=cmd.barriers)]


def inform(state: Question, cmd: c.InformClient) -> list[DomainEvent]:
    """Information is about the question's own themes; a new theme needs a clarification first."""
    _open(state)
    if stray := [t for t in cmd.themes if t not in state.themes]:
        raise QuestionRuleViolated(f"themes: {stray[0]!r} is not a theme of this question; clarify it first")
    return [QuestionInformed(question_id=state.question_id, themes=cmd.themes or state.themes,
                             letter_explained=cmd.letter_explained)]


def accompany(state: Question, cmd: c.AccompanyClient) -> list[DomainEvent]:
    _open(state)
    return [ClientAccompanied(question_id=state.question_id, service=cmd.service, minutes=cmd.minutes)]


def record_gap(state: Question, cmd: c.RecordGap) -> list[DomainEvent]:
    """A gap is about one of the question's themes, recorded once per theme."""
    _open(state)
    if cmd.theme not in state.themes:
        raise QuestionRuleViolated(f"theme: {cmd.theme!r} is not a theme of this question; clarify it first")
    if cmd.theme in state.gaps:
        raise QuestionRuleViolated(f"theme: a gap for {cmd.theme!r} is already recorded on this question")
    return [GapRecorded(question_id=state.question_id, theme=cmd.theme, reason_code=cmd.reason_code,
                        reason=cmd.reason)]


def close(state: Question, cmd: c.CloseQuestion) -> list[DomainEvent]:
    """'answered' needs the client informed or accompanied; 'gap' needs a recorded gap."""
    _open(state)
    if cmd.outcome == "answered" and not state.helped:
        raise QuestionRuleViolated("outcome: 'answered' needs the client informed or accompanied first")
    if cmd.outcome == "gap" and not state.gaps:
        raise QuestionRuleViolated("outcome: 'gap' needs a gap recorded first")
    return [QuestionClosed(question_id=state.question_id, outcome=cmd.outcome)]


def reopen(state: Question, cmd: c.ReopenQuestion) -> list[DomainEvent]:
    if state.status == "new":
        raise Unknown(f"question_id: question {state.question_id!r} does not exist")
    if state.status != "closed":
        raise QuestionRuleViolated(f"question_id: question {state.question_id} is open; only a closed one reopens")
    return [QuestionReopened(question_id=state.question_id, reason=cmd.reason)]
