"""Protobuf ↔ plain data for the referral API. No business rule here."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from contracts.envelope import Envelope
from contracts.proto import referral_pb2 as pb
from services.referral.application.queries import Detail, Page


def optional(value: str) -> str | None:
    return value or None


def moment(value: datetime | None) -> str:
    if value is None:
        return ""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def reply(result: dict[str, Any]) -> pb.ReferralReply:
    return pb.ReferralReply(referral_id=result["referral_id"], status=result["status"],
                            stream_version=result["version"])


def referral(doc: dict[str, Any]) -> pb.Referral:
    return pb.Referral(
        referral_id=doc["referral_id"], tenant=doc["tenant"], question_id=doc["question_id"], client_id=doc["client_id"],
        office_id=doc["office_id"], service_id=doc["service_id"], partner_id=doc["organization_id"],
        status=doc["status"], themes=doc["themes"], mode=doc["mode"], priority=doc["priority"],
        overdue=doc["overdue"], reason=doc.get("reason") or "", outcome=doc.get("outcome") or "",
        went_alone=bool(doc.get("went_alone")), requested_at=moment(doc["requested_at"]),
        updated_at=moment(doc.get("updated_at")))


def entry(e: Envelope) -> pb.HistoryEntry:
    return pb.HistoryEntry(version=e.stream_version, type=e.type, occurred_at=moment(e.occurred_at),
                           staff_id=e.actor.staff_id, role=e.actor.role.value, details_json=json.dumps(e.payload))


def detail(d: Detail) -> pb.ReferralDetail:
    return pb.ReferralDetail(referral=referral(d.view), history=[entry(e) for e in d.history])


def page(p: Page) -> pb.ReferralPage:
    return pb.ReferralPage(referrals=[referral(d) for d in p.referrals], next_page_token=p.next_page_token)
