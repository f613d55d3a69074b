"""What the referral service learns from intake's and the catalogue's events: pure translation into small changes of
its own reference documents (latest state per question, service, client and office), guarded by stream version.

Every document is the municipality's own: keyed by the event's tenant and the id its payload names (`key`), since
ids are per municipality (two municipalities may both have a client, an office or a service "svc-1"). A lookup names
the caller's municipality, so another municipality's question, service, consent or office is never found."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo
from typing import Any

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import catalogue, decode, intake, intake_client, intake_office
from services.referral.domain.referral import QuestionFacts, ServiceFacts

TOPICS = (topics.CATALOGUE_SERVICES, topics.INTAKE_QUESTIONS, topics.INTAKE_CLIENTS, topics.INTAKE_OFFICES)
SERVICE_FIELDS = {"organization_id", "status"}
BRUSSELS = ZoneInfo("Europe/Brussels")
NEEDED = frozenset({"ServiceRegistered", "ServiceUpdated", "ServiceClosed", "QuestionRegistered", "QuestionClarified",
                    "QuestionClosed", "QuestionReopened", "ClientRegistered", "ClientConsentRecorded",
                    "ClientErased", "OfficeOpened"})
COLLECTIONS = ("questions", "services", "consents", "clients", "offices")


def key(tenant: str, entity_id: str) -> str:
    """The `_id` of a reference document: `|` never occurs in a municipality's code, so keys cannot collide."""
    return f"{tenant}|{entity_id}"


@dataclass(frozen=True)
class Change:
    collection: str  # one of COLLECTIONS
    tenant: str
    id: str
    version: int
    fields: dict[str, Any]
    earliest: bool = False  # keep each field's smallest value seen (order-free: no version guard)

    @property
    def key(self) -> str:
        return key(self.tenant, self.id)


def changes(envelope: Envelope) -> list[Change]:
    """The reference changes one event causes (none for events the referral does not need), each in the event's
    municipality."""
    if envelope.type not in NEEDED:
        return []
    e, tenant = decode(envelope), envelope.tenant

    def change(collection: str, entity_id: str, **fields: Any) -> list[Change]:
        return [Change(collection, tenant, entity_id, envelope.stream_version, fields)]
    match e:
        case catalogue.ServiceRegistered():
            return change("services", e.service_id, registered=True, organization_id=e.record.organization_id,
                          status=e.record.status)
        case catalogue.ServiceUpdated():
            return change("services", e.service_id, **{k: e.changes[k] for k in SERVICE_FIELDS & e.changes.keys()})
        case catalogue.ServiceClosed():
            return change("services", e.service_id, status=e.status)
        case intake.QuestionRegistered():
            return [*change("questions", e.question_id, client_id=e.client_id, office_id=e.office_id, status="open",
                            themes=list(e.themes), client_languages=list(e.client_languages), urgent=e.urgent),
                    _first_visit(e.client_id, envelope), office_known(tenant, e.office_id)]
        case intake.QuestionClarified():
            return change("questions", e.question_id, themes=list(e.themes))
        case intake.QuestionClosed():
            return change("questions", e.question_id, status="closed")
        case intake.QuestionReopened():
            return change("questions", e.question_id, status="open")
        case intake_client.ClientRegistered():  # the first visit: later referrals count in its cohort
            return [_first_visit(e.client_id, envelope)]
        case intake_client.ClientConsentRecorded():
            return change("consents", e.client_id, referral_sharing=e.referral_sharing)
        case intake_client.ClientErased():
            return change("consents", e.client_id, referral_sharing=False)
        case intake_office.OfficeOpened():
            return [office_known(tenant, e.office_id)]
    return []


def _first_visit(client_id: str, envelope: Envelope) -> Change:
    """The client's first visit: the earliest day of their registration and of any question (which may be recorded
    later with the day it was asked)."""
    day = envelope.occurred_at.astimezone(BRUSSELS).date().isoformat()
    return Change("clients", envelope.tenant, client_id, envelope.stream_version, {"since": day}, earliest=True)


def office_known(tenant: str, office_id: str) -> Change:
    """The office exists: intake opened it, or a question was asked there (an office opened before the topic's
    retention is known so). Order-free, like a first visit."""
    return Change("offices", tenant, office_id, 0, {"known": True}, earliest=True)


def partner_of(envelope: Envelope) -> str | None:
    """The partner organisation a service event names (its referrals will go to that partner's topic)."""
    found = [c.fields.get("organization_id") for c in changes(envelope) if c.collection == "services"]
    return next((p for p in found if p), None)


def question_of(doc: dict[str, Any] | None) -> QuestionFacts | None:
    if not doc or "client_id" not in doc:
        return None
    return QuestionFacts(question_id=doc["id"], tenant=doc["tenant"], client_id=doc["client_id"],
                         office_id=doc["office_id"], status=doc["status"], themes=tuple(doc["themes"]),
                         client_languages=tuple(doc["client_languages"]), urgent=doc.get("urgent", False))


def since_of(doc: dict[str, Any] | None) -> date | None:
    return date.fromisoformat(doc["since"]) if doc and doc.get("since") else None


def service_of(doc: dict[str, Any] | None) -> ServiceFacts | None:
    if not doc or not doc.get("registered"):
        return None
    return ServiceFacts(service_id=doc["id"], tenant=doc["tenant"], organization_id=doc.get("organization_id"),
                        status=doc.get("status", "active"))
