"""Commands about a question, validated at the edge: every error names its field and the reason."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from contracts.events.intake import GapReason, Outcome
from services.intake.domain.fields import (
    Barriers, Channel, ClientId, Command, Day, HistoryReason, Id, Label, Languages, Language, Moment, PageSize, Query,
    Reason, Theme, Themes)

__all__ = ["Command", "RegisterQuestion", "ClarifyQuestion", "InformClient", "AccompanyClient", "RecordGap",
           "CloseQuestion", "ReopenQuestion", "GetQuestion", "ListClientQuestions", "ListOfficeQuestions"]


class RegisterQuestion(Command):
    office_id: Id
    client_id: ClientId | None = None  # a returning client's pseudonym; None = a new client
    channel: Channel
    themes: Themes
    barriers: Barriers = ()
    client_languages: Languages
    language_used: Language
    interpreter_needed: bool = False
    urgent: bool = False
    occurred_at: Moment = None


class QuestionCommand(Command):
    question_id: Id


class ClarifyQuestion(QuestionCommand):
    themes: Themes
    barriers: Barriers = ()


class InformClient(QuestionCommand):
    themes: tuple[Theme, ...] = Field(default=(), max_length=8)  # empty = all the question's themes
    letter_explained: bool = False


class AccompanyClient(QuestionCommand):
    service: Label  # a catalogue service id or a short label of the desk
    minutes: int = Field(ge=1, le=24 * 60)


class RecordGap(QuestionCommand):
    theme: Theme
    reason_code: GapReason
    reason: Annotated[Reason, Field(validate_default=True)] = ""  # in words; needed with "other"

    @field_validator("reason")
    @classmethod
    def _said_when_other(cls, v: str, info: ValidationInfo) -> str:
        if info.data.get("reason_code") == "other" and not v.strip():
            raise ValueError("say in words why no service answers, when reason_code is 'other'")
        return v


class CloseQuestion(QuestionCommand):
    outcome: Outcome


class ReopenQuestion(QuestionCommand):
    reason: HistoryReason = ""


class GetQuestion(Query):
    question_id: Id


class ListClientQuestions(Query):
    client_id: ClientId
    include_closed: bool = False
    page_size: PageSize = 20
    page_token: Id | None = None


class ListOfficeQuestions(Query):
    office_id: Id
    day: Day = None  # None = today in Europe/Brussels
    page_size: PageSize = 20
    page_token: Id | None = None
