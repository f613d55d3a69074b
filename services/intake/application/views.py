"""The front office's query model of questions, written by the handler right after each append.

Derived data: rebuilding it is replaying the question streams through `document()`. A crash between the append and
the write leaves a document one change behind; the question's next command rewrites it from the replayed state.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from contracts.envelope import Envelope
from services.intake.domain.question import Question

BRUSSELS = ZoneInfo("Europe/Brussels")


def day_of(moment: datetime) -> str:
    return moment.astimezone(BRUSSELS).date().isoformat()


def document(state: Question, stream: Sequence[Envelope]) -> dict[str, Any]:
    first = stream[0]
    return {
        "_id": state.question_id, "tenant": first.tenant, "version": state.version, "status": state.status,
        "office_id": state.office_id, "client_id": state.client_id, "themes": list(state.themes),
        "barriers": list(state.barriers), "outcome": state.outcome, "channel": first.payload["channel"],
        "urgent": first.payload.get("urgent", False), "registered_at": first.occurred_at.isoformat(),
        "day": day_of(first.occurred_at),
    }
