"""Queries of the catalogue, answered from its own query model (never from the event history)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.catalogue.application.handlers import Deps
from services.catalogue.application.views import links_of, record_of, themes_with_ancestors
from services.catalogue.domain.search import Candidate, Hit, ServiceQuery, rank
from services.plumbing.errors import NotFound, clip


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    next_offset: int | None


async def get(deps: Deps, kind: str, tenant: str, entity_id: str) -> dict[str, Any]:
    doc = await deps.views.get(kind, tenant, entity_id)  # type: ignore[arg-type]
    if doc is None:  # another municipality's is not found either: ids are per municipality
        raise NotFound(f"{kind} {clip(entity_id)} does not exist", field="id", value=entity_id)
    return doc


async def search_services(q: ServiceQuery, deps: Deps) -> SearchResult:
    """MongoDB narrows by municipality, status, theme and language (indexed); opening hours, places, cost and
    access are checked on the loaded records, then ranked and paged."""
    docs = await deps.views.find(
        "service", q.tenant, statuses=None if q.include_closed else ["active"],
        themes=themes_with_ancestors([q.theme]) if q.theme else None,
        language=q.language if q.language and not q.include_interpretation else None)
    location_ids = {x.location_id for d in docs for x in links_of(d)}
    locations = {d["_id"]: record_of(d) for d in await deps.views.many("location", q.tenant, sorted(location_ids))
                 if d["status"] == "active"}
    candidates = [Candidate(d["_id"], record_of(d), tuple(
        locations[x.location_id] for x in links_of(d) if x.location_id in locations)) for d in docs]
    hits = rank(candidates, q, deps.today())
    end = q.offset + q.page_size
    return SearchResult(hits[q.offset:end], len(hits), end if end < len(hits) else None)
