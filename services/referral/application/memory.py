"""In-memory fakes of the ports, for unit tests and the authorisation matrix."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from contracts.envelope import Envelope
from services.referral.application import reference
from services.referral.domain.referral import QuestionFacts, ServiceFacts


class InMemoryReference:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, dict[str, Any]]] = {"questions": {}, "services": {}, "consents": {}, "clients": {}}

    async def question(self, question_id: str) -> QuestionFacts | None:
        doc = self.docs["questions"].get(question_id)
        return reference.question_of(doc and {**doc, "_id": question_id})

    async def service(self, service_id: str) -> ServiceFacts | None:
        doc = self.docs["services"].get(service_id)
        return reference.service_of(doc and {**doc, "_id": service_id})

    async def consent(self, client_id: str) -> bool:
        return bool(self.docs["consents"].get(client_id, {}).get("referral_sharing"))

    async def client_since(self, client_id: str) -> date | None:
        return reference.since_of(self.docs["clients"].get(client_id))

    async def learn(self, envelope: Envelope) -> None:
        for change in reference.changes(envelope):
            docs = self.docs[change.collection]
            if change.earliest:
                old = docs.setdefault(change.key, {})
                old.update({k: min(v, old.get(k, v)) for k, v in change.fields.items()})
                continue
            old = docs.get(change.key, {"v": 0})
            if old["v"] < change.version:
                docs[change.key] = {**old, **change.fields, "v": change.version}


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
