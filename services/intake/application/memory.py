"""In-memory adapters of intake's ports: the defaults in `Deps`, for unit tests and the authorisation matrix."""
from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from services.intake.application.ports import Stored
from services.intake.application.referrals import ReferralEntry, Step, entries, stored
from services.plumbing.keyring import Keyring


class InMemoryKeyStore:
    def __init__(self) -> None:
        self.keys: dict[str, Stored | None] = {}  # None = tombstone of an erased client

    async def add(self, client_id: str, wrapped: str) -> Stored | None:
        return self.keys.setdefault(client_id, wrapped)

    async def get(self, client_id: str) -> Stored | None:
        return self.keys.get(client_id)

    async def replace(self, client_id: str, old: Stored, new: str) -> bool:
        if self.keys.get(client_id) != old:
            return False
        self.keys[client_id] = new
        return True

    async def erase(self, client_id: str) -> None:
        self.keys[client_id] = None

    async def stored(self) -> AsyncIterator[tuple[str, Stored]]:
        for client_id, value in list(self.keys.items()):
            if value is not None:
                yield client_id, value


class InMemoryKeyWrapper:
    """A KEK keyring held in memory (`keyring.Keyring`), like the local file's but never written anywhere."""

    def __init__(self, ring: Keyring | None = None) -> None:
        self.ring = Keyring() if ring is None else ring

    async def wrap(self, key: bytes, context: str) -> str:
        return self.ring.wrap(key, context)

    async def unwrap(self, wrapped: str, context: str) -> bytes:
        return self.ring.unwrap(wrapped, context)

    async def rewrap(self, wrapped: str, context: str) -> str:
        return self.ring.rewrap(wrapped, context)

    async def latest(self) -> int:
        return self.ring.latest()

    async def rotate(self) -> int:
        return self.ring.rotate()

    async def retire(self, below: int) -> None:
        self.ring.retire(below)


class InMemoryQuestionViews:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    async def put(self, doc: dict[str, Any]) -> None:
        old = self.docs.get(doc["_id"])
        if old is None or old["version"] < doc["version"]:
            self.docs[doc["_id"]] = dict(doc)

    async def of_office(self, tenant: str, office_id: str, day: str, *, after: str | None = None,
                        limit: int = 20) -> Sequence[dict[str, Any]]:
        return self._find(tenant, {"office_id": office_id, "day": day}, False, after, limit)

    async def of_client(self, tenant: str, client_id: str, *, open_only: bool = False, after: str | None = None,
                        limit: int = 20) -> Sequence[dict[str, Any]]:
        return self._find(tenant, {"client_id": client_id}, open_only, after, limit)

    def _find(self, tenant: str, wanted: dict[str, str], open_only: bool, after: str | None,
              limit: int) -> list[dict[str, Any]]:
        found = [d for _, d in sorted(self.docs.items())
                 if d["tenant"] == tenant and all(d[k] == v for k, v in wanted.items())
                 and (not open_only or d["status"] == "open") and (after is None or d["_id"] > after)]
        return found[:limit]


class InMemoryQuestionReferrals:
    def __init__(self) -> None:
        self.referrals: dict[str, dict[str, Any]] = {}  # tenant|referral id → {referral_id, tenant, ..., steps}
        self.questions: dict[str, set[str]] = {}  # question id → keys of its referrals

    async def record(self, step: Step) -> None:
        doc = self.referrals.setdefault(step.key, {"_id": step.key, "referral_id": step.referral_id, "steps": {}})
        doc["tenant"] = step.tenant
        doc |= {k: v for k, v in (("question_id", step.question_id), ("service_id", step.service_id)) if v}
        doc["steps"][str(step.version)] = stored(step)
        if step.question_id:
            self.questions.setdefault(step.question_id, set()).add(step.key)

    async def of_question(self, tenant: str, question_id: str) -> list[ReferralEntry]:
        return [e for r in sorted(self.questions.get(question_id, ())) for e in entries(self.referrals.get(r), tenant)]
