"""In-memory query model for unit tests; passes the same contract tests as the MongoDB adapter."""
from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from services.catalogue.domain.entity import Kind


class InMemoryViews:
    def __init__(self) -> None:
        self.docs: dict[tuple[str, str, str], dict[str, Any]] = {}  # (kind, tenant, id) → document

    async def put(self, doc: dict[str, Any]) -> None:
        key = (doc["kind"], doc["tenant"], doc["_id"])
        if key not in self.docs or self.docs[key]["version"] <= doc["version"]:
            self.docs[key] = copy.deepcopy(doc)

    async def get(self, kind: Kind, tenant: str, entity_id: str) -> dict[str, Any] | None:
        doc = self.docs.get((kind, tenant, entity_id))
        return copy.deepcopy(doc) if doc else None

    async def many(self, kind: Kind, tenant: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        keys = [(kind, tenant, i) for i in sorted(set(ids))]
        return [copy.deepcopy(self.docs[k]) for k in keys if k in self.docs]

    async def find(self, kind: Kind, tenant: str, *, statuses: Sequence[str] | None = None,
                   themes: Sequence[str] | None = None, language: str | None = None) -> list[dict[str, Any]]:
        found = [d for (k, t, _), d in self.docs.items() if k == kind and t == tenant
                 and (statuses is None or d["status"] in statuses)
                 and (themes is None or set(themes) & set(d["themes_all"]))
                 and (language is None or language in d["languages"])]
        return [copy.deepcopy(d) for d in sorted(found, key=lambda d: d["_id"])]
