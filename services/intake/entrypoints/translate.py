"""Protobuf ↔ intake's commands, queries and read results. Translation only: no business rule here."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from contracts.envelope import Envelope
from contracts.proto import intake_pb2 as pb
from services.intake.application.queries import ClientView, Page, QuestionWithHistory
from services.intake.application.referrals import ReferralEntry
from services.intake.domain.office import Office


def fields(request: Any, model: type[BaseModel]) -> dict[str, Any]:
    """The request's fields that the model knows. Empty optional fields are left out so their defaults apply;
    empty required ones are kept, so validation names them."""
    out = {}
    for f in request.DESCRIPTOR.fields:
        info = model.model_fields.get(f.name)
        if info is None or f.name == "tenant" or f.message_type is not None:
            continue
        value = getattr(request, f.name)
        value = tuple(value) if f.is_repeated else value
        if info.is_required() or value not in ("", (), 0):
            out[f.name] = value
    return out


def reply(cls: Any, result: Mapping[str, Any]) -> Any:
    return cls(**{k: v for k, v in result.items() if k in cls.DESCRIPTOR.fields_by_name})


def summary(doc: Mapping[str, Any]) -> Any:
    return reply(pb.QuestionSummary, {**doc, "question_id": doc["_id"]})


def question_detail(found: QuestionWithHistory) -> Any:
    s, first = found.state, found.history[0]
    head = pb.QuestionSummary(
        question_id=s.question_id, client_id=s.client_id, office_id=s.office_id, status=s.status, themes=s.themes,
        barriers=s.barriers, outcome=s.outcome, channel=first.payload["channel"],
        urgent=first.payload.get("urgent", False), registered_at=first.occurred_at.isoformat())
    history = [history_entry(item) for item in found.timeline]
    return pb.QuestionDetail(question=head, history=history, stream_version=s.version)


def history_entry(item: Envelope | ReferralEntry) -> Any:
    """A question event (its stream version, its payload) or a referral step (version 0: not the question's; the
    referral id and the referral's own version in the details)."""
    if isinstance(item, ReferralEntry):
        details = {**item.details, "referral_id": item.referral_id, "referral_version": item.version}
        return pb.HistoryEntry(version=0, type=item.type, occurred_at=item.occurred_at.isoformat(),
                               staff_id=item.staff_id, details_json=json.dumps(details, sort_keys=True))
    return pb.HistoryEntry(version=item.stream_version, type=item.type, occurred_at=item.occurred_at.isoformat(),
                           staff_id=item.actor.staff_id, details_json=json.dumps(item.payload, sort_keys=True))


def question_page(page: Page) -> Any:
    return pb.QuestionPage(questions=[summary(d) for d in page.items], next_page_token=page.next_page_token)


def client_detail(view: ClientView) -> Any:
    details = view.contact_details.model_dump() if view.contact_details else {}
    notes = [pb.Note(note_id=i, text=t, written_at=at.isoformat()) for i, t, at in view.notes]
    return pb.ClientDetail(client_id=view.client_id, erased=view.erased, notes=notes, **view.consent, **details)


def office_detail(state: Office) -> Any:
    workers = [pb.BridgeWorker(staff_id=s, languages=langs) for s, langs in sorted(state.workers.items())]
    spoken = sorted({lang for langs in state.workers.values() for lang in langs})
    return pb.OfficeDetail(office_id=state.office_id, name=state.name, bridge_workers=workers, languages=spoken)
