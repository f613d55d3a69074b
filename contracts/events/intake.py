"""Events of the intake service: the life of a newcomer's question.

Payloads carry no names, contact details or national numbers: a client is a random pseudonym (`client_id`).
Theme and barrier codes come from `contracts.taxonomy`; languages are ISO 639 codes. Clients, offices and signals
have their own modules (`intake_client`, `intake_office`, `intake_signal`).
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from contracts import topics
from contracts.events.registry import DomainEvent, event, upcaster

Code = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9.-]*$")
Outcome = Literal["answered", "referred", "gap", "withdrawn", "unreachable"]


@event("QuestionRegistered", version=1, topic=topics.INTAKE_QUESTIONS)
class QuestionRegisteredV1(DomainEvent):
    """A bridge worker recorded a newcomer's question at first contact.

    `themes` are codes of the themes taxonomy (the first is the main theme); `client_languages` and `language_used`
    are ISO 639 codes; `channel` is a code of the channels taxonomy.
    """

    model_config = ConfigDict(title="QuestionRegistered")  # the published v1 schema keeps its title

    question_id: str
    office_id: str
    client_id: str
    channel: str = Code
    themes: tuple[str, ...] = Field(min_length=1)
    client_languages: tuple[str, ...] = Field(min_length=1)
    language_used: str
    interpreter_needed: bool = False
    urgent: bool = False


@event("QuestionRegistered", version=2, topic=topics.INTAKE_QUESTIONS)
class QuestionRegistered(DomainEvent):
    """A bridge worker recorded a newcomer's question at first contact.

    `themes` are codes of the themes taxonomy (the first is the main theme); `barriers` codes of the barriers
    taxonomy (v2; v1 events are read with no barriers); `client_languages` and `language_used` are ISO 639 codes;
    `channel` is a code of the channels taxonomy.
    """

    question_id: str
    office_id: str
    client_id: str
    channel: str = Code
    themes: tuple[str, ...] = Field(min_length=1)
    barriers: tuple[str, ...] = ()
    client_languages: tuple[str, ...] = Field(min_length=1)
    language_used: str
    interpreter_needed: bool = False
    urgent: bool = False


@upcaster("QuestionRegistered", 1)
def _registered_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "barriers": []}


@event("QuestionClarified", version=1, topic=topics.INTAKE_QUESTIONS)
class QuestionClarified(DomainEvent):
    """Clarification showed what the question really is: its themes and barriers as they are now (the full lists)."""

    question_id: str
    themes: tuple[str, ...] = Field(min_length=1)
    barriers: tuple[str, ...] = ()


@event("QuestionInformed", version=1, topic=topics.INTAKE_QUESTIONS)
class QuestionInformed(DomainEvent):
    """The bridge worker answered directly: informed, showed the way, or explained a letter (`letter_explained`).

    `themes` are the themes the information was about (a subset or all of the question's themes).
    """

    question_id: str
    themes: tuple[str, ...] = Field(min_length=1)
    letter_explained: bool = False


@event("ClientAccompanied", version=1, topic=topics.INTAKE_QUESTIONS)
class ClientAccompanied(DomainEvent):
    """The bridge worker went along with the client to a service: `service` is a catalogue service id or a short
    label of the desk; `minutes` the time spent, travel included."""

    question_id: str
    service: str = Field(min_length=1, max_length=200)
    minutes: int = Field(ge=1, le=24 * 60)


# Why no service in the city answers a need, as policy counts it (findhelp's and FHIR's referral reasons, seen from
# the offer): none offers it; all are full or have waiting lists; their conditions exclude the newcomer (residence
# status, age, income, address); not in a language the newcomer understands; too expensive; out of reach (distance,
# transport, opening hours); only online; something else (say what in `reason`).
GapReason = Literal["no-service", "no-capacity", "not-eligible", "language", "cost", "not-reachable", "digital-only",
                    "other"]
GAP_REASONS: tuple[str, ...] = GapReason.__args__  # type: ignore[attr-defined]
UNRECORDED = "unrecorded"  # the reason code of a v1 gap, recorded before there were codes


@event("GapRecorded", version=1, topic=topics.INTAKE_QUESTIONS)
class GapRecordedV1(DomainEvent):
    """No service in the city answers this need: the `theme` left unmet and why (about the offer, never the person)."""

    model_config = ConfigDict(title="GapRecorded")  # the published v1 schema keeps its title

    question_id: str
    theme: str = Code
    reason: str = Field(min_length=1, max_length=1000)


@event("GapRecorded", version=2, topic=topics.INTAKE_QUESTIONS)
class GapRecorded(DomainEvent):
    """No service in the city answers this need: the `theme` left unmet, why as a code policy can count
    (`reason_code`, `GapReason`; v1 events are read as "unrecorded") and, optionally, in words (`reason`: about the
    offer, never the person; free text, which insights never reads)."""

    question_id: str
    theme: str = Code
    reason_code: GapReason | Literal["unrecorded"]
    reason: str = Field(default="", max_length=1000)


@upcaster("GapRecorded", 1)
def _gap_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "reason_code": UNRECORDED}


@event("QuestionClosed", version=1, topic=topics.INTAKE_QUESTIONS)
class QuestionClosed(DomainEvent):
    """The question is done, with its `outcome`: answered, referred, gap (no offer), withdrawn, unreachable."""

    question_id: str
    outcome: Outcome


@event("QuestionReopened", version=1, topic=topics.INTAKE_QUESTIONS)
class QuestionReopened(DomainEvent):
    """A closed question is open again, e.g. when the client comes back about it on a later visit."""

    question_id: str
    reason: str = Field(default="", max_length=1000)
