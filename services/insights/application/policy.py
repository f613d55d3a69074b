"""Queries of the policy views of issue 7 (unmet needs, …), answered from the views with small-cell suppression.

Like `queries.py`, every answer is suppressed before it leaves the application; a hidden count is `None`.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, Literal

from contracts import taxonomy
from services.insights.application.queries import PeriodQuery, _sums, summed
from services.insights.domain import service_access as access
from services.insights.domain import service_languages as offer
from services.insights.domain import unmet_needs
from services.insights.domain.suppression import suppress
from services.plumbing.projection.store import ProjectionStore

Period = Literal["month", "quarter", "year"]


class GroupedQuery(PeriodQuery):
    """A period query whose months are grouped into `period`s ("2026-Q1", "2026")."""

    period: Period = "month"


class ThemeQuery(GroupedQuery):
    """`level`: top-level themes, or sub-themes."""

    level: Literal["top", "sub"] = "top"


def period_of(month: str, period: Period) -> str:
    year, m = month.split("-")
    return {"month": month, "quarter": f"{year}-Q{(int(m) - 1) // 3 + 1}", "year": year}[period]


def regroup(rows: Sequence[dict[str, Any]], keys: Sequence[str], measures: Sequence[str],
            period: Period) -> list[dict[str, Any]]:
    """Rows per month summed into rows per period (key `period` instead of `month`)."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        p = period_of(r["month"], period)
        row = out.setdefault((*(r[k] for k in keys), p), {**{k: r[k] for k in keys}, "period": p,
                                                          **dict.fromkeys(measures, 0)})
        for m in measures:
            row[m] += r.get(m, 0)
    return list(out.values())


def measured(rows: Sequence[dict[str, Any]], key: str, measures: Sequence[str], threshold: int,
             everyone: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each measure suppressed as its own (key × period) table; `everyone`'s rows give the per-period totals.

    Returns the rows (key, period, measures) and the total per measure (a hidden one is None)."""
    out: dict[tuple[Hashable, str], dict[str, Any]] = {}
    total: dict[str, Any] = {}
    for m in measures:
        per_period = {r["period"]: r[m] for r in rows if r[key] == everyone} if everyone is not None else None
        table = suppress({(r[key], r["period"]): r[m] for r in rows if r[key] != everyone}, threshold, per_period,
                         sum(per_period.values()) if per_period is not None else None)
        for (k, p), n in table.cells.items():
            out.setdefault((k, p), {key: k, "period": p})[m] = n
        total[m] = table.total
    return sorted(out.values(), key=lambda r: (r["period"], str(r[key]))), total


def _is_top(code: str) -> bool:
    return code not in taxonomy.themes() or taxonomy.themes().top_level(code) == code


async def unmet_needs_by_theme(q: ThemeQuery, views: ProjectionStore, threshold: int) -> dict[str, Any]:
    view = unmet_needs
    rows = await _sums(q, views, view.VIEW, ("theme", "month"), view.MEASURES)
    wanted = [r for r in rows if r["theme"] == view.ALL or _is_top(r["theme"]) == (q.level == "top")]
    grouped = [r for r in regroup(wanted, ("theme",), view.MEASURES, q.period)
               if any(r[m] for m in view.MEASURES)]  # a theme a clarification moved every question from
    table, total = measured(grouped, "theme", view.MEASURES, threshold, view.ALL)
    return {"rows": table, "total": total, "threshold": threshold}


STATUSES = ("requested", "accepted", "rejected", "completed", "failed")


async def service_access(q: GroupedQuery, views: ProjectionStore, threshold: int) -> dict[str, Any]:
    """Per organization, service and period: referral counts, share in mode accompanied, median days (from the
    histograms; hidden with the count they describe), reason codes, and languages asked vs offered."""
    raw = await _sums(q, views, access.VIEW, ("organization", "service", "facet", "value", "month"), ("n",))
    for r in raw:
        r["period"] = period_of(r["month"], q.period)
    cells: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTED, 0))
    hist: dict[tuple[str, str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    reasons: dict[tuple[Hashable, str], int] = defaultdict(int)
    asked: dict[tuple[str, str], int] = defaultdict(int)
    for r in raw:
        where = (r["organization"], r["service"], r["period"])
        if r["facet"] == "status" and r["value"] in STATUSES:
            cells[where][r["value"]] += r["n"]
        elif r["facet"] == "mode" and r["value"] == "accompanied":
            cells[where]["accompanied"] += r["n"]
        elif r["facet"] in ("days_accepted", "days_completed"):
            hist[(*where, r["facet"])][r["value"]] += r["n"]
        elif r["facet"] in ("rejected", "failed"):
            reasons[((r["organization"], r["service"], r["facet"], r["value"]), r["period"])] += r["n"]
        elif r["facet"] == "language":
            asked[(r["service"], r["value"])] += r["n"]
    flat = [{"service": (o, s), "period": p, **c} for (o, s, p), c in cells.items()]
    rows, total = measured(flat, "service", COUNTED, threshold)
    for row in rows:
        (o, s), p = row.pop("service"), row["period"]
        row.update(organization=o, service=s)
        for stage in ("accepted", "completed"):
            shown = row[stage] is not None and row[stage] >= threshold
            row[f"median_days_{stage}"] = access.median(hist[(o, s, p, f"days_{stage}")]) if shown else None
    table = suppress(reasons, threshold)
    offered = await _offered(q.tenant, views)
    languages = suppress(asked, threshold)
    return {"rows": rows, "total": total, "threshold": threshold,
            "reasons": [{"organization": k[0], "service": k[1], "kind": k[2], "reason": k[3], "period": p,
                         "referrals": n} for (k, p), n in sorted(table.cells.items(), key=lambda i: (i[0][1], i[0][0]))],
            "languages": [{"service": s, "language": lang, "asked": n, "offered": (s, lang) in offered}
                          for (s, lang), n in sorted(languages.cells.items())]}


COUNTED = (*STATUSES, "accompanied")


async def _offered(tenant: str, views: ProjectionStore) -> set[tuple[str, str]]:
    """(service, language) pairs active services of `tenant` offer now (catalogue facts: no suppression)."""
    rows = await summed(views.collection(offer.VIEW), {"tenant": tenant, "kind": "language"}, ("service", "value"),
                        ("offered",))
    return {(r["service"], r["value"]) for r in rows if r["offered"] > 0}


async def self_reliance(q: GroupedQuery, views: ProjectionStore, threshold: int) -> dict[str, Any]:
    """Per referral mode and period (of the request): referrals completed, and of those, the client went alone."""
    raw = await _sums(q, views, access.VIEW, ("facet", "value", "month"), ("n",))
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"completed": 0, "went_alone": 0})
    for r in raw:
        if r["facet"] == "went_alone":
            mode, alone = r["value"].rsplit(":", 1)
            cell = cells[(mode, period_of(r["month"], q.period))]
            cell["completed"] += r["n"]
            cell["went_alone"] += r["n"] if alone == "yes" else 0
    rows, total = measured([{"mode": m, "period": p, **c} for (m, p), c in cells.items()], "mode",
                           ("completed", "went_alone"), threshold)
    return {"rows": rows, "total": total, "threshold": threshold}
