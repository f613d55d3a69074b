"""In-memory fakes of the ports, for unit tests and the authorisation matrix."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from contracts.envelope import Envelope
from services.referral.application import reference
from services.referral.domain.referral import QuestionFacts, ServiceFacts


class InMemoryReference:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in reference.COLLECTIONS}

    def _doc(self, collection: str, tenant: str, entity_id: str) -> dict[str, Any] | None:
        return self.docs[collection].get(reference.key(tenant, entity_id))

    async def question(self, tenant: str, question_id: str) -> QuestionFacts | None:
        return reference.question_of(self._doc("questions", tenant, question_id))

    async def service(self, tenant: str, service_id: str) -> ServiceFacts | None:
        return reference.service_of(self._doc("services", tenant, service_id))

    async def consent(self, tenant: str, client_id: str) -> bool:
        return bool((self._doc("consents", tenant, client_id) or {}).get("referral_sharing"))

    async def client_since(self, tenant: str, client_id: str) -> date | None:
        return reference.since_of(self._doc("clients", tenant, client_id))

    async def office(self, tenant: str, office_id: str) -> bool:
        return self._doc("offices", tenant, office_id) is not None

    async def learn(self, envelope: Envelope) -> None:
        for change in reference.changes(envelope):
            docs, identity = self.docs[change.collection], {"tenant": change.tenant, "id": change.id}
            if change.earliest:
                old = docs.setdefault(change.key, identity)
                old.update({k: min(v, old.get(k, v)) for k, v in change.fields.items()})
                continue
            old = docs.get(change.key, {"v": 0})
            if old["v"] < change.version:
                docs[change.key] = {**old, **change.fields, **identity, "v": change.version}


class InMemoryViews:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    async def put(self, doc: dict[str, Any]) -> None:
        if self.docs.get(doc["_id"], {}).get("version", 0) < doc["version"]:
            self.docs[doc["_id"]] = doc

    async def find(self, tenant: str | None, where: dict[str, Any], offset: int, limit: int) -> list[dict[str, Any]]:
        hits = [d for d in self.docs.values()
                if (tenant is None or d["tenant"] == tenant) and all(d.get(k) == v for k, v in where.items())]
        return sorted(hits, key=lambda d: (d["requested_at"], d["_id"]))[offset:offset + limit]

    async def requested_before(self, moment: datetime, limit: int) -> list[dict[str, Any]]:
        due = [d for d in self.docs.values()
               if d["status"] == "requested" and not d["overdue"] and d["requested_at"] < moment]
        return sorted(due, key=lambda d: d["requested_at"])[:limit]
