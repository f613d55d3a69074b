"""In-memory adapters of intake's ports: the defaults in `Deps`, for unit tests and the authorisation matrix."""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from services.intake.application.referrals import ReferralEntry, Step, entries, stored


class InMemoryKeyStore:
    def __init__(self) -> None:
        self.keys: dict[str, bytes | None] = {}  # None = tombstone of an erased client

    async def get_or_create(self, client_id: str) -> bytes | None:
        return self.keys.setdefault(client_id, os.urandom(32))

    async def get(self, client_id: str) -> bytes | None:
        return self.keys.get(client_id)

    async def erase(self, client_id: str) -> None:
        self.keys[client_id] = None


class InMemoryQuestionViews:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    async def put(self, doc: dict[str, Any]) -> None:
        old = self.docs.get(doc["_id"])
        if old is None or old["version"] < doc["version"]:
            self.docs[doc["_id"]] = dict(doc)

    async def find(self, tenant: str, *, client_id: str | None = None, office_id: str | None = None,
                   day: str | None = None, open_only: bool = False, after: str | None = None,
                   limit: int = 20) -> Sequence[dict[str, Any]]:
        wanted = {"tenant": tenant, "client_id": client_id, "office_id": office_id, "day": day}
        found = [d for _, d in sorted(self.docs.items())
                 if all(v is None or d[k] == v for k, v in wanted.items())
                 and (not open_only or d["status"] == "open") and (after is None or d["_id"] > after)]
        return found[:limit]


class InMemoryQuestionReferrals:
    def __init__(self) -> None:
        self.referrals: dict[str, dict[str, Any]] = {}  # referral id → {_id, tenant, question_id, service_id, steps}
        self.questions: dict[str, set[str]] = {}  # question id → referral ids

    async def record(self, step: Step) -> None:
        doc = self.referrals.setdefault(step.referral_id, {"_id": step.referral_id, "steps": {}})
        doc["tenant"] = step.tenant
        doc |= {k: v for k, v in (("question_id", step.question_id), ("service_id", step.service_id)) if v}
        doc["steps"][str(step.version)] = stored(step)
        if step.question_id:
            self.questions.setdefault(step.question_id, set()).add(step.referral_id)

    async def of_question(self, tenant: str, question_id: str) -> list[ReferralEntry]:
        return [e for r in sorted(self.questions.get(question_id, ())) for e in entries(self.referrals.get(r), tenant)]
