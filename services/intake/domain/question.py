"""The question aggregate: state built only by applying its events; decisions are pure functions."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from contracts.events import DomainEvent
from contracts.events.intake import QuestionRegistered
from services.intake.domain.commands import RegisterQuestion
from services.intake.domain.errors import QuestionRuleViolated


@dataclass(frozen=True)
class Question:
    question_id: str
    version: int = 0
    status: str = "new"

    def apply(self, event: DomainEvent) -> Question:
        match event:
            case QuestionRegistered():
                return Question(self.question_id, self.version + 1, "open")
        raise QuestionRuleViolated(f"question cannot apply {type(event).__name__}")

    @classmethod
    def replay(cls, question_id: str, events: Iterable[DomainEvent]) -> Question:
        state = cls(question_id)
        for event in events:
            state = state.apply(event)
        return state


def register(state: Question, cmd: RegisterQuestion, client_id: str) -> list[DomainEvent]:
    """A question is registered once; the first theme listed is its main theme."""
    if state.status != "new":
        raise QuestionRuleViolated(f"question {state.question_id} is already registered")
    return [QuestionRegistered(
        question_id=state.question_id, office_id=cmd.office_id, client_id=client_id, channel=cmd.channel,
        themes=cmd.themes, client_languages=cmd.client_languages, language_used=cmd.language_used,
        interpreter_needed=cmd.interpreter_needed, urgent=cmd.urgent)]
