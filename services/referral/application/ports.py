"""Ports of the referral service: what it knows of other services (from their events) and its query model."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from contracts.envelope import Envelope
from services.referral.domain.referral import QuestionFacts, ServiceFacts


class ReferenceData(Protocol):
    """Questions, services, consent, first visits and offices as the referral service learnt them from intake's and
    the catalogue's events. Every lookup is inside `tenant`: another municipality's is as unknown as a missing one."""

    async def question(self, tenant: str, question_id: str) -> QuestionFacts | None: ...

    async def service(self, tenant: str, service_id: str) -> ServiceFacts | None: ...

    async def consent(self, tenant: str, client_id: str) -> bool:
        """True when the client's latest consent allows sharing the question with a service."""
        ...

    async def client_since(self, tenant: str, client_id: str) -> date | None:
        """The day intake registered the client (their first visit), None when not (yet) known."""
        ...

    async def office(self, tenant: str, office_id: str) -> bool:
        """True when intake opened this office in `tenant`."""
        ...

    async def learn(self, envelope: Envelope) -> None:
        """Apply one event of intake or the catalogue, in its municipality; an older or repeated version changes
        nothing."""
        ...


class ReferralViews(Protocol):
    """One document per referral (its latest state), for the bridge worker's lists."""

    async def put(self, doc: dict[str, Any]) -> None:
        """Store `doc` unless a document of a higher version is there already."""
        ...

    async def find(self, tenant: str | None, where: dict[str, Any], offset: int, limit: int) -> list[dict[str, Any]]:
        """Documents of `tenant` (any when None) with the given field values, oldest request first."""
        ...

    async def requested_before(self, moment: datetime, limit: int) -> list[dict[str, Any]]:
        """Referrals still requested, not yet flagged overdue, requested before `moment`."""
        ...
