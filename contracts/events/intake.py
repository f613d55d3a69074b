"""Events of the intake service: the life of a newcomer's question.

Payloads carry no names, contact details or national numbers: a client is a random pseudonym (`client_id`).
"""
from __future__ import annotations

from pydantic import Field

from contracts import topics
from contracts.events.registry import DomainEvent, event

Code = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9.-]*$")


@event("QuestionRegistered", version=1, topic=topics.INTAKE_QUESTIONS)
class QuestionRegistered(DomainEvent):
    """A bridge worker recorded a newcomer's question at first contact.

    `themes` are codes of the themes taxonomy (the first is the main theme); `client_languages` and `language_used`
    are ISO 639 codes; `channel` is a code of the channels taxonomy.
    """

    question_id: str
    office_id: str
    client_id: str
    channel: str = Code
    themes: tuple[str, ...] = Field(min_length=1)
    client_languages: tuple[str, ...] = Field(min_length=1)
    language_used: str
    interpreter_needed: bool = False
    urgent: bool = False
