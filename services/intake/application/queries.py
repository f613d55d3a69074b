"""Reads of the front office: a question with its history, a client's questions, an office's questions of a day,
a client (decrypted while their key exists), an office with its bridge workers. Lists are paginated by id."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contracts.envelope import Envelope
from contracts.events import decode
from contracts.events.intake_client import ClientContactDetailsRecorded, ClientErased, ClientNoteAdded
from services.intake.application import crypto
from services.intake.application.references import resolved
from services.intake.application.referrals import ReferralEntry, merge
from services.intake.application.unit import Deps, load
from services.intake.application.views import day_of
from services.intake.domain import client, office
from services.intake.domain import commands as c
from services.intake.domain.errors import Unknown
from services.intake.domain.question import Question


@dataclass(frozen=True)
class QuestionWithHistory:
    state: Question
    history: list[Envelope]
    referrals: list[ReferralEntry] = field(default_factory=list)

    @property
    def timeline(self) -> list[Envelope | ReferralEntry]:
        """The question's events with the steps of its referrals merged in by time."""
        return merge(self.history, self.referrals)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_page_token: str


@dataclass(frozen=True)
class ClientView:
    client_id: str
    erased: bool
    consent: dict[str, bool]
    contact_details: client.ContactDetails | None
    notes: list[tuple[str, str, datetime]]  # (note id, text, written at)


@resolved
async def get_question(q: c.GetQuestion, deps: Deps) -> QuestionWithHistory:
    stream = await load(deps, q.question_id, q.tenant)
    if not stream:
        raise Unknown(f"question_id: question {q.question_id!r} does not exist")
    referrals = await deps.referrals.of_question(q.tenant, q.question_id)
    return QuestionWithHistory(Question.replay(q.question_id, map(decode, stream)), stream, referrals)


def _page(found: Sequence[dict[str, Any]], size: int) -> Page:
    """`found` holds one more than a page when there is a next one (asked for `size + 1`)."""
    more = len(found) > size
    return Page(list(found[:size]), found[size - 1]["_id"] if more else "")


@resolved
async def client_questions(q: c.ListClientQuestions, deps: Deps) -> Page:
    return _page(await deps.views.of_client(q.tenant, q.client_id, open_only=not q.include_closed,
                                            after=q.page_token, limit=q.page_size + 1), q.page_size)


@resolved
async def office_questions(q: c.ListOfficeQuestions, deps: Deps) -> Page:
    return _page(await deps.views.of_office(q.tenant, q.office_id, q.day or day_of(deps.now()),
                                            after=q.page_token, limit=q.page_size + 1), q.page_size)


@resolved
async def get_client(q: client.GetClient, deps: Deps) -> ClientView:
    stream = await load(deps, q.client_id, q.tenant)
    if not stream:
        raise Unknown(f"client_id: client {q.client_id!r} does not exist")
    events = [(e, decode(e)) for e in stream]
    key = await deps.keys.get(q.client_id)
    sealed = any(isinstance(ev, (ClientContactDetailsRecorded, ClientNoteAdded)) for _, ev in events)
    if any(isinstance(ev, ClientErased) for _, ev in events) or (key is None and sealed):
        return ClientView(q.client_id, True, {}, None, [])  # a key deleted before ClientErased was appended
    key = key or b""
    consent: dict[str, bool] = {}
    details, notes = None, []
    for envelope, event in events:
        if event.event_type == "ClientConsentRecorded":
            consent = event.model_dump(exclude={"client_id"})
        elif isinstance(event, ClientContactDetailsRecorded):
            text = crypto.unseal(key, q.client_id, client.Sealed(event.ciphertext, event.nonce))
            details = client.ContactDetails.model_validate_json(text) if text else None
        elif isinstance(event, ClientNoteAdded):
            text = crypto.unseal(key, q.client_id, client.Sealed(event.ciphertext, event.nonce))
            notes.append((event.note_id, text or "", envelope.occurred_at))
    return ClientView(q.client_id, False, consent, details, notes)


@resolved
async def get_office(q: office.GetOffice, deps: Deps) -> office.Office:
    stream_id = office.stream_of(q.tenant, q.office_id)
    stream = await load(deps, stream_id, q.tenant)
    if not stream:
        raise Unknown(f"office_id: office {q.office_id!r} does not exist")
    return office.Office.replay(stream_id, map(decode, stream))
