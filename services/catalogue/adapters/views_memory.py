"""In-memory query model for unit tests; passes the same contract tests as the MongoDB adapter."""
from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from services.catalogue.domain.entity import Kind


class InMemoryViews:
    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], dict[str, Any]] = {}

    async def put(self, doc: dict[str, Any]) -> None:
        key = (doc["kind"], doc["_id"])
        if key not in self.docs or self.docs[key]["version"] <= doc["version"]:
            self.docs[key] = copy.deepcopy(doc)

    async def get(self, kind: Kind, entity_id: str) -> dict[str, Any] | None:
        doc = self.docs.get((kind, entity_id))
        return copy.deepcopy(doc) if doc else None

    async def many(self, kind: Kind, ids: Sequence[str]) -> list[dict[str, Any]]:
        return [copy.deepcopy(self.docs[(kind, i)]) for i in sorted(set(ids)) if (kind, i) in self.docs]

    async def find(self, kind: Kind, tenant: str, *, statuses: Sequence[str] | None = None,
                   themes: Sequence[str] | None = None, language: str | None = None) -> list[dict[str, Any]]:
        found = [d for (k, _), d in self.docs.items() if k == kind and d["tenant"] == tenant
                 and (statuses is None or d["status"] in statuses)
                 and (themes is None or set(themes) & set(d["themes_all"]))
                 and (language is None or language in d["languages"])]
        return [copy.deepcopy(d) for d in sorted(found, key=lambda d: d["_id"])]
