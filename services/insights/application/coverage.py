"""Language coverage (issue 7, question 4): the languages newcomers speak against the languages the bridge workers
and the services offer, how often an interpreter was needed, and the questions in a language no one covers.

Demand, per language and period of registration: `questions` and `interpreter_needed` from `language_demand`,
suppressed exactly as `LanguageDemand` suppresses them (language × period, the `*` row as column totals), so the two
answers show the same cells hidden alike. Supply, as it is now: bridge workers per office from `office_languages`,
active services from `service_languages` — counts of staff and of the offer, public to the municipality's policy
team, not suppressed.

A question is one **no one covers** in a language it was asked in (a language the newcomer speaks) when no bridge
worker at the office where it was asked speaks that language and no active service of the municipality offers it.
Counted from `offer_demand`'s `*` theme row (each question once per language, office and month of registration).
`no_one_covers` is suppressed as its own language × period table; a cell is hidden from the start where the
language's `questions` is hidden or where the questions that were covered (questions − no_one_covers) are few, since
either would otherwise be had by subtraction.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from services.insights.application.policy import GroupedQuery, _offered, measured, period_of, regroup
from services.insights.application.queries import _sums, summed
from services.insights.domain import language_demand as demand
from services.insights.domain import offer_demand as asked
from services.insights.domain import office_languages as workers
from services.insights.domain.suppression import suppress
from services.insights.domain.unmet_needs import ALL
from services.plumbing import offload
from services.plumbing.projection.store import ProjectionStore

MEASURES = ("questions", "interpreter_needed")


async def language_coverage(q: GroupedQuery, views: ProjectionStore, threshold: int) -> dict[str, Any]:
    offered = Counter(language for _, language in await _offered(q.tenant, views))
    asked_at = await _sums(q, views, asked.VIEW, ("office", "language", "month"), ("questions",), where={"theme": ALL})
    spoken_by = await _sums(q, views, demand.VIEW, ("language", "month"), MEASURES)
    workers_at = await _workers(q.tenant, views)
    return await offload.run(lambda _: tables(q, spoken_by, asked_at, workers_at, offered, threshold))


async def _workers(tenant: str, views: ProjectionStore) -> dict[tuple[str, str], int]:
    """Bridge workers per (office, language) now, where there are any."""
    rows = await summed(views, workers.VIEW, {"tenant": tenant}, ("office", "language"), ("workers",))
    return {(r["office"], r["language"]): r["workers"] for r in rows if r["workers"] > 0}


def tables(q: GroupedQuery, spoken_by: Sequence[dict[str, Any]], asked_at: Sequence[dict[str, Any]],
           workers_at: Mapping[tuple[str, str], int], services: Mapping[str, int], threshold: int) -> dict[str, Any]:
    """The answer from the views' rows per month: `spoken_by` of `language_demand` (language, month, measures),
    `asked_at` of `offer_demand`'s `*` row (office, language, month, questions); bridge workers per (office,
    language) and active services per language, now."""
    grouped = regroup(spoken_by, ("language",), MEASURES, q.period)
    rows, total = measured(grouped, "language", MEASURES, threshold, demand.ALL_LANGUAGES)
    true = {(r["language"], r["period"]): r["questions"] for r in grouped if r["language"] != demand.ALL_LANGUAGES}
    uncovered: dict[tuple[str, str], int] = defaultdict(int)
    for r in asked_at:
        if not services.get(r["language"]) and not workers_at.get((r["office"], r["language"])):
            uncovered[(r["language"], period_of(r["month"], q.period))] += r["questions"]
    cells, total["no_one_covers"] = _suppressed(uncovered, true, rows, threshold)
    for row in rows:
        row["no_one_covers"] = cells[(row["language"], row["period"])]
    return {"rows": rows, "total": {"language": demand.ALL_LANGUAGES, "period": "", **total}, "threshold": threshold,
            "offer": [_offer(lang, workers_at, services) for lang in sorted({r["language"] for r in rows})]}


def _suppressed(uncovered: Mapping[tuple[str, str], int], questions: Mapping[tuple[str, str], int],
                rows: Sequence[dict[str, Any]], threshold: int) -> tuple[dict[Hashable, int | None], int | None]:
    """`no_one_covers` per (language, period) of `questions`, suppressed: hidden from the start beside a hidden
    questions count and where the covered rest is few."""
    hidden_questions = {(r["language"], r["period"]) for r in rows if r["questions"] is None}
    cells = {at: uncovered.get(at, 0) for at in questions}
    complement_small = {at for at, n in cells.items() if 0 < questions[at] - n < threshold}
    table = suppress(cells, threshold, hidden_already=hidden_questions | complement_small)
    return dict(table.cells), table.total


def _offer(language: str, workers_at: Mapping[tuple[str, str], int], services: Mapping[str, int]) -> dict[str, Any]:
    at = [n for (_, lang), n in workers_at.items() if lang == language and n > 0]
    return {"language": language, "bridge_workers": sum(at), "offices": len(at), "services": services.get(language, 0),
            "covered_nowhere": not at and not services.get(language)}
