"""What the referral service learns from intake's and the catalogue's events: pure translation into small changes of
its own reference documents (latest state per question, service and client), guarded by stream version."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo
from typing import Any

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import catalogue, decode, intake, intake_client
from services.referral.domain.referral import QuestionFacts, ServiceFacts

TOPICS = (topics.CATALOGUE_SERVICES, topics.INTAKE_QUESTIONS, topics.INTAKE_CLIENTS)
SERVICE_FIELDS = {"organization_id", "status"}
BRUSSELS = ZoneInfo("Europe/Brussels")
NEEDED = frozenset({"ServiceRegistered", "ServiceUpdated", "ServiceClosed", "QuestionRegistered", "QuestionClarified",
                    "QuestionClosed", "QuestionReopened", "ClientRegistered", "ClientConsentRecorded",
                    "ClientErased"})


@dataclass(frozen=True)
class Change:
    collection: str  # questions | services | consents | clients
    key: str
    version: int
    fields: dict[str, Any]
    earliest: bool = False  # keep each field's smallest value seen (order-free: no version guard)


def changes(envelope: Envelope) -> list[Change]:
    """The reference changes one event causes (none for events the referral does not need)."""
    if envelope.type not in NEEDED:
        return []
    e, v, tenant = decode(envelope), envelope.stream_version, envelope.tenant
    match e:
        case catalogue.ServiceRegistered():
            fields = {"tenant": tenant, "organization_id": e.record.organization_id, "status": e.record.status}
            return [Change("services", e.service_id, v, fields)]
        case catalogue.ServiceUpdated():
            fields = {k: e.changes[k] for k in SERVICE_FIELDS & e.changes.keys()}
            return [Change("services", e.service_id, v, fields)]
        case catalogue.ServiceClosed():
            return [Change("services", e.service_id, v, {"status": e.status})]
        case intake.QuestionRegistered():
            fields = {"tenant": tenant, "client_id": e.client_id, "office_id": e.office_id, "status": "open",
                      "themes": list(e.themes), "client_languages": list(e.client_languages), "urgent": e.urgent}
            return [Change("questions", e.question_id, v, fields), _first_visit(e.client_id, envelope)]
        case intake.QuestionClarified():
            return [Change("questions", e.question_id, v, {"themes": list(e.themes)})]
        case intake.QuestionClosed():
            return [Change("questions", e.question_id, v, {"status": "closed"})]
        case intake.QuestionReopened():
            return [Change("questions", e.question_id, v, {"status": "open"})]
        case intake_client.ClientRegistered():  # the first visit: later referrals count in its cohort
            return [_first_visit(e.client_id, envelope)]
        case intake_client.ClientConsentRecorded():
            return [Change("consents", e.client_id, v, {"tenant": tenant, "referral_sharing": e.referral_sharing})]
        case intake_client.ClientErased():
            return [Change("consents", e.client_id, v, {"tenant": tenant, "referral_sharing": False})]
    return []


def _first_visit(client_id: str, envelope: Envelope) -> Change:
    """The client's first visit: the earliest day of their registration and of any question (which may be recorded
    later with the day it was asked)."""
    day = envelope.occurred_at.astimezone(BRUSSELS).date().isoformat()
    return Change("clients", client_id, envelope.stream_version, {"since": day}, earliest=True)


def partner_of(envelope: Envelope) -> str | None:
    """The partner organisation a service event names (its referrals will go to that partner's topic)."""
    found = [c.fields.get("organization_id") for c in changes(envelope) if c.collection == "services"]
    return next((p for p in found if p), None)


def question_of(doc: dict[str, Any] | None) -> QuestionFacts | None:
    if not doc or "client_id" not in doc:
        return None
    return QuestionFacts(question_id=doc["_id"], tenant=doc["tenant"], client_id=doc["client_id"],
                         office_id=doc["office_id"], status=doc["status"], themes=tuple(doc["themes"]),
                         client_languages=tuple(doc["client_languages"]), urgent=doc.get("urgent", False))


def since_of(doc: dict[str, Any] | None) -> date | None:
    return date.fromisoformat(doc["since"]) if doc and doc.get("since") else None


def service_of(doc: dict[str, Any] | None) -> ServiceFacts | None:
    if not doc or "tenant" not in doc:
        return None
    return ServiceFacts(service_id=doc["_id"], tenant=doc["tenant"], organization_id=doc.get("organization_id"),
                        status=doc.get("status", "active"))
