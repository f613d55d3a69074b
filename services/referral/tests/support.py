"""Builders for referral tests: upstream events (as intake and the catalogue publish them) and a ready referral."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from contracts.envelope import Actor, Envelope, Role
from contracts.events import DomainEvent, catalogue, intake, intake_client, intake_office
from services.plumbing.eventstore.memory import InMemoryEventStore
from services.referral.application.handlers import Context, Deps
from services.referral.application.memory import InMemoryReference, InMemoryViews

TENANT, PARTNER, OTHER_PARTNER = "kortrijk", "ocmw-kortrijk", "vzw-elders"
FRONT = Context(Actor(staff_id="bw-1", role=Role.FRONT_OFFICE))
PARTNER_CTX = Context(Actor(staff_id="p-1", role=Role.PARTNER))


def envelope(event: DomainEvent, stream_id: str, version: int = 1, tenant: str = TENANT,
             at: datetime | None = None) -> Envelope:
    return Envelope(type=event.event_type, schema_version=event.schema_version, stream_id=stream_id,
                    stream_version=version, tenant=tenant, occurred_at=at or datetime.now(UTC),
                    correlation_id="c", actor=Actor(staff_id="s", role=Role.FRONT_OFFICE),
                    payload=event.model_dump(mode="json"))


def upstream(question: str = "q-1", client: str = "cl-1", service: str = "svc-1", organization: str = PARTNER,
             consent: bool = True, tenant: str = TENANT) -> list[Envelope]:
    """An open question, an active service of `organization`, the client's consent (or refusal) to share, and the
    question's office, all in `tenant`."""
    return [
        envelope(intake.QuestionRegistered(question_id=question, office_id="office-1", client_id=client,
                                           channel="walk-in", themes=("housing",), client_languages=("ar",),
                                           language_used="nl"), question, tenant=tenant),
        envelope(catalogue.ServiceRegistered(service_id=service, record=catalogue.ServiceRecord(
            organization_id=organization, name="Woonloket")), service, tenant=tenant),
        envelope(intake_client.ClientConsentRecorded(client_id=client, referral_sharing=consent), client,
                 tenant=tenant),
        envelope(intake_office.OfficeOpened(office_id="office-1", name="Onthaal"), f"office:{tenant}:office-1",
                 tenant=tenant),
    ]


def first_visits(client: str = "cl-1") -> list[Envelope]:
    """The client registered on 12 March; a question of theirs recorded later with the day it was asked, 10 March
    (23:30 UTC, already the 11th in Brussels); another question on 1 April."""
    def question(q: str, at: datetime) -> Envelope:
        return envelope(intake.QuestionRegistered(question_id=q, office_id="office-1", client_id=client,
                                                  channel="walk-in", themes=("work",), client_languages=("ar",),
                                                  language_used="nl"), q, at=at)
    return [envelope(intake_client.ClientRegistered(client_id=client), client, at=datetime(2026, 3, 12, 9, tzinfo=UTC)),
            question("q-late", datetime(2026, 4, 1, 9, tzinfo=UTC)),
            question("q-early", datetime(2026, 3, 10, 23, 30, tzinfo=UTC))]


async def deps_with(*envelopes: Envelope) -> Deps:
    reference = InMemoryReference()
    for e in envelopes:
        await reference.learn(e)
    return Deps(store=InMemoryEventStore(), views=InMemoryViews(), reference=reference)


def stream(referral_id: str, tenant: str = TENANT) -> str:
    """The stream (and query-model key) of a referral: ids are per municipality."""
    return f"referral:{tenant}:{referral_id}"


def cid() -> str:
    return uuid.uuid4().hex


def args(**kw: Any) -> dict[str, Any]:
    return {"command_id": cid(), **kw}
