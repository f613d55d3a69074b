"""Queries policy teams ask, answered from the views (never from the event history)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.tenants import MUNICIPALITIES
from services.insights.domain.questions_per_theme import ALL_THEMES, VIEW
from services.plumbing.projection.store import ProjectionStore

Month = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")


class QuestionsPerThemeQuery(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant: str
    from_month: str | None = Month
    to_month: str | None = Month

    @field_validator("tenant")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in MUNICIPALITIES:
            raise ValueError(f"unknown municipality {v!r}")
        return v


async def questions_per_theme(q: QuestionsPerThemeQuery, views: ProjectionStore) -> dict[str, Any]:
    match: dict[str, Any] = {"tenant": q.tenant}
    months = {k: v for k, v in (("$gte", q.from_month), ("$lte", q.to_month)) if v}
    if months:
        match["month"] = months
    pipeline = [
        {"$match": match},
        {"$group": {"_id": {"theme": "$theme", "month": "$month"}, "questions": {"$sum": "$questions"}}},
        {"$sort": {"_id.month": 1, "_id.theme": 1}},
    ]
    rows = [{"theme": d["_id"]["theme"], "month": d["_id"]["month"], "questions": d["questions"]}
            async for d in await views.collection(VIEW).aggregate(pipeline)]
    total = sum(r["questions"] for r in rows if r["theme"] == ALL_THEMES)
    return {"rows": [r for r in rows if r["theme"] != ALL_THEMES], "total": total}
