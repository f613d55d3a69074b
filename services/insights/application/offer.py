"""Gaps in the offer: where newcomers ask (theme × language × area) and the catalogue has no active service for the
theme in that language, or only full ones — ranked by the demand left unmet.

Demand comes from the `offer_demand` view (suppressed like every count); supply from `service_languages` (catalogue
facts, public, not suppressed). A service covers a theme row when it lists the theme, a sub-theme of it, or the
row's top-level theme; it covers a language when it lists it. A full service (capacity with no place available) covers
nothing but is counted in `services_full`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field

from contracts import taxonomy
from services.insights.application.policy import _is_top
from services.insights.application.queries import PeriodQuery, _sums
from services.insights.domain import offer_demand as demand
from services.insights.domain import service_languages as offer
from services.insights.domain.suppression import suppress
from services.insights.domain.unmet_needs import ALL, rows_of
from services.plumbing.projection.store import ProjectionStore

EVERY_OFFICE = "*"


class GapsQuery(PeriodQuery):
    """`level`: top-level themes or sub-themes; `by_office`: one row per office (else the municipality as a whole)."""

    level: Literal["top", "sub"] = "top"
    by_office: bool = False
    limit: int = Field(default=50, ge=1, le=500)


@dataclass
class Supply:
    themes: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    full: bool = False

    def covers(self, theme: str, language: str) -> bool:
        top = taxonomy.themes().top_level(theme) if theme in taxonomy.themes() else theme
        return language in self.languages and (theme in self.rows or top in self.themes)

    @property
    def rows(self) -> set[str]:
        return set(rows_of(self.themes))


async def gaps_in_offer(q: GapsQuery, views: ProjectionStore, threshold: int) -> dict[str, Any]:
    wanted = await _demand(q, views)
    table = suppress(wanted, threshold)
    supply = await _supply(q.tenant, views)
    gaps = []
    for ((theme, language), office), n in table.cells.items():
        matching = [s for s in supply.values() if s.covers(theme, language)]
        if any(not s.full for s in matching):
            continue
        gaps.append({"theme": theme, "language": language, "office": office, "questions": n,
                     "supply": "no-capacity" if matching else "none", "services_full": len(matching)})
    gaps.sort(key=lambda g: (g["questions"] is None, -(g["questions"] or 0), g["theme"], g["language"], g["office"]))
    return {"gaps": gaps[:q.limit], "threshold": threshold}


async def _demand(q: GapsQuery, views: ProjectionStore) -> dict[tuple[Any, str], int]:
    """Questions per ((theme, language), office) over the period, for the level asked."""
    rows = await _sums(q, views, demand.VIEW, ("office", "theme", "language"), ("questions",))
    cells: dict[tuple[Any, str], int] = defaultdict(int)
    for r in rows:
        if r["theme"] == ALL or _is_top(r["theme"]) != (q.level == "top") or not r["questions"]:
            continue
        cells[((r["theme"], r["language"]), r["office"] if q.by_office else EVERY_OFFICE)] += r["questions"]
    return {k: n for k, n in cells.items() if n}


async def _supply(tenant: str, views: ProjectionStore) -> dict[str, Supply]:
    """What each active service of `tenant` offers now: its themes, languages, and whether it is full."""
    pipeline = [{"$match": {"tenant": tenant}},
                {"$group": {"_id": {"service": "$service", "kind": "$kind", "value": "$value"},
                            "offered": {"$sum": "$offered"}}}]
    out: dict[str, Supply] = defaultdict(Supply)
    async for d in await views.collection(offer.VIEW).aggregate(pipeline):
        if d["offered"] <= 0:
            continue
        service, kind, value = d["_id"]["service"], d["_id"]["kind"], d["_id"]["value"]
        if kind == "theme":
            out[service].themes.add(value)
        elif kind == "language":
            out[service].languages.add(value)
        elif kind == "capacity":
            out[service].full = True
    return out
