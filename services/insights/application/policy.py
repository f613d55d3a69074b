"""Queries of the policy views of issue 7 (unmet needs, …), answered from the views with small-cell suppression.

Like `queries.py`, every answer is suppressed before it leaves the application; a hidden count is `None`.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Sequence
from typing import Any, Literal

from contracts import taxonomy
from services.insights.application.queries import PeriodQuery, _sums, summed
from services.insights.domain import service_access as access
from services.insights.domain import service_languages as offer
from services.insights.domain import self_reliance as reliance
from services.insights.domain.suppression import ABOVE, below, suppress
from services.plumbing.projection.store import ProjectionStore

Period = Literal["month", "quarter", "year"]
NeedsPeriod = Literal["week", "month", "quarter", "year"]


class GroupedQuery(PeriodQuery):
    """A period query whose months are grouped into `period`s ("2026-Q1", "2026")."""

    period: Period = "month"


class ThemeQuery(GroupedQuery):
    """`level`: top-level themes, or sub-themes."""

    level: Literal["top", "sub"] = "top"


class UnmetNeedsQuery(ThemeQuery):
    """`period` may also be `week`: ISO weeks ("2026-W11", Europe/Brussels calendar); the months then select the weeks
    whose Thursday is in them, so every week is counted whole and in one month (2027-01-01 is in 2026-W53, December)."""

    period: NeedsPeriod = "month"  # type: ignore[assignment]


def period_of(month: str, period: Period) -> str:
    year, m = month.split("-")
    return {"month": month, "quarter": f"{year}-Q{(int(m) - 1) // 3 + 1}", "year": year}[period]


def period_in(row: dict[str, Any], period: NeedsPeriod) -> str:
    """The period of a view's row: its `week` (a weekly view's rows), or its `month` grouped into `period`."""
    return row["week"] if period == "week" else period_of(row["month"], period)


def regroup(rows: Sequence[dict[str, Any]], keys: Sequence[str], measures: Sequence[str],
            period: NeedsPeriod) -> list[dict[str, Any]]:
    """Rows per month (or week) summed into rows per period (key `period` instead of `month`)."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        p = period_in(r, period)
        row = out.setdefault((*(r[k] for k in keys), p), {**{k: r[k] for k in keys}, "period": p,
                                                          **dict.fromkeys(measures, 0)})
        for m in measures:
            row[m] += r.get(m, 0)
    return list(out.values())


def measured(rows: Sequence[dict[str, Any]], key: str, measures: Sequence[str], threshold: int,
             everyone: Hashable | None = None,
             hidden_already: Collection[tuple[Hashable, str]] = ()) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each measure suppressed as its own (key × period) table; `everyone`'s rows give the per-period totals;
    `hidden_already` (key, period) cells are hidden in every measure.

    Returns the rows (key, period, measures) and the total per measure (a hidden one is None)."""
    out: dict[tuple[Hashable, str], dict[str, Any]] = {}
    total: dict[str, Any] = {}
    for m in measures:
        per_period = {r["period"]: r[m] for r in rows if r[key] == everyone} if everyone is not None else None
        table = suppress({(r[key], r["period"]): r[m] for r in rows if r[key] != everyone}, threshold, per_period,
                         sum(per_period.values()) if per_period is not None else None, hidden_already)
        for (k, p), n in table.cells.items():
            out.setdefault((k, p), {key: k, "period": p})[m] = n
        total[m] = table.total
    return sorted(out.values(), key=lambda r: (r["period"], str(r[key]))), total


def measured_levels(top: Sequence[dict[str, Any]], sub: Sequence[dict[str, Any]], key: str,
                    measures: Sequence[str], threshold: int, everyone: Hashable,
                    parent: Callable[[Any], Any]) -> tuple[tuple[list[dict[str, Any]], dict[str, Any]],
                                                           tuple[list[dict[str, Any]], dict[str, Any]]]:
    """`measured` of a top-level and a sub-theme table (rows per key and period), suppressed together so that the two
    answers side by side give nothing away: a sub-theme row whose top-level cell is hidden (in any measure) is hidden,
    and where a top-level cell is shown, never exactly one of its sub-themes' cells (`parent(key)`) is hidden — a
    second is, or with none to hide, the top-level cell, and both are worked out again (`suppression.below`)."""
    true = {(r[key], r["period"]): r for r in sub}
    hidden_top: set[tuple[Hashable, str]] = set()
    while True:
        top_rows, top_total = measured(top, key, measures, threshold, everyone, hidden_top)
        shown = {(r[key], r["period"], m): r[m] for r in top_rows for m in measures}
        hidden_sub = {(r[key], r["period"]) for r in sub if r[key] != everyone
                      and any(shown.get((parent(r[key]), r["period"], m), 0) is None for m in measures)}
        while True:
            sub_rows, sub_total = measured(sub, key, measures, threshold, everyone, hidden_sub)
            groups: dict[tuple[Any, str, str], list[dict[str, Any]]] = defaultdict(list)
            for r in sub_rows:
                for m in measures:
                    groups[(parent(r[key]), r["period"], m)].append(r)
            more_sub: set[tuple[Hashable, str]] = set()
            more_top: set[tuple[Hashable, str]] = set()
            for (above, p, m), line in groups.items():
                if not shown.get((above, p, m)):
                    continue
                target = below(shown[(above, p, m)], [((r[key], p), r[m], true[(r[key], p)][m]) for r in line],
                               threshold)
                if target is ABOVE:
                    more_top.add((above, p))
                elif target is not None:
                    more_sub.add(target)
            if more_top:
                break
            if not more_sub:
                return (top_rows, top_total), (sub_rows, sub_total)
            hidden_sub |= more_sub
        hidden_top |= more_top


def _is_top(code: str) -> bool:
    return code not in taxonomy.themes() or taxonomy.themes().top_level(code) == code


STATUSES = ("requested", "accepted", "rejected", "completed", "failed")


async def service_access(q: GroupedQuery, views: ProjectionStore, threshold: int) -> dict[str, Any]:
    """Per organization, service and period: referral counts, share in mode accompanied, median days (from the
    histograms; hidden with the count they describe), reason codes, and languages asked vs offered."""
    raw = await access_rows(q, views)
    rows, total = status_rows(raw, threshold)
    hist: dict[tuple[str, str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    asked: dict[tuple[str, str], int] = defaultdict(int)
    for r in raw:
        if r["facet"] in ("days_accepted", "days_completed"):
            hist[(r["organization"], r["service"], r["period"], r["facet"])][r["value"]] += r["n"]
        elif r["facet"] == "language":
            asked[(r["service"], r["value"])] += r["n"]
    for row in (*rows, total):
        row["share_accompanied"] = share(row["accompanied"], row["requested"])
    for row in rows:
        o, s, p = row["organization"], row["service"], row["period"]
        for stage in ("accepted", "completed"):
            shown = row[stage] is not None and row[stage] >= threshold
            row[f"median_days_{stage}"] = access.median(hist[(o, s, p, f"days_{stage}")]) if shown else None
    reasons = reason_cells(raw, threshold)
    offered = await _offered(q.tenant, views)
    languages = suppress(asked, threshold)
    return {"rows": rows, "total": total, "threshold": threshold,
            "reasons": [{"organization": k[0], "service": k[1], "kind": k[2], "reason": k[3], "period": p,
                         "referrals": n} for (k, p), n in sorted(reasons.items(), key=lambda i: (i[0][1], i[0][0]))],
            "languages": [{"service": s, "language": lang, "asked": n, "offered": (s, lang) in offered}
                          for (s, lang), n in sorted(languages.cells.items())]}


def status_rows(raw: Sequence[dict[str, Any]], threshold: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Referrals per organization, service and period by status (and mode accompanied), each measure suppressed.

    `accompanied` has a complement, the requests in another mode (requested − accompanied): where that is small, the
    accompanied count is hidden from the start (and so is the total's, with a cell beside it)."""
    cells: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTED, 0))
    for r in raw:
        where = (r["organization"], r["service"], r["period"])
        if r["facet"] == "status" and r["value"] in STATUSES:
            cells[where][r["value"]] += r["n"]
        elif r["facet"] == "mode" and r["value"] == "accompanied":
            cells[where]["accompanied"] += r["n"]
    flat = [{"service": (o, s), "period": p, **c} for (o, s, p), c in cells.items()]
    rows, total = measured(flat, "service", STATUSES, threshold)
    accompanied, total["accompanied"] = _accompanied(flat, threshold)
    for row in rows:
        row["accompanied"] = accompanied[(row["service"], row["period"])]
        (o, s) = row.pop("service")
        row.update(organization=o, service=s)
    return rows, total


COUNTED = (*STATUSES, "accompanied")


def _accompanied(flat: Sequence[dict[str, Any]], threshold: int) -> tuple[dict[tuple[Any, str], int | None], int | None]:
    def small(requested: int, accompanied: int) -> bool:
        return 0 < requested - accompanied < threshold
    complement_small = {(r["service"], r["period"]) for r in flat if small(r["requested"], r["accompanied"])}
    table = suppress({(r["service"], r["period"]): r["accompanied"] for r in flat}, threshold,
                     hidden_already=complement_small)
    cells, grand = dict(table.cells), table.total
    if grand is not None and small(sum(r["requested"] for r in flat), grand):
        grand = None
        if all(n is not None for n in cells.values()) and (shown := [c for c, n in cells.items() if n]):
            cells[min(shown, key=lambda c: (cells[c], str(c)))] = None  # else the cells would add up to it
    return cells, grand


def reason_cells(raw: Sequence[dict[str, Any]], threshold: int) -> dict[tuple[Any, str], int | None]:
    """Referrals per (organization, service, kind, reason code) × period, `kind` rejected or failed. `ServiceAccess`
    shows these cells, and `Barriers` the failed ones naming a barrier: the same cells, hidden alike.

    The reasons of one service, kind and period add up to its `rejected`/`failed` count in `status_rows`, so each such
    group is a line: a small count is hidden; if the group's count is shown and one reason is hidden, the smallest
    other one is hidden too; if the count is hidden, the visible reasons must not add up to it, so one is hidden."""
    reasons: dict[tuple[Any, str], int] = defaultdict(int)
    for r in raw:
        if r["facet"] in ("rejected", "failed"):
            reasons[((r["organization"], r["service"], r["facet"], r["value"]), r["period"])] += r["n"]
    rows, _ = status_rows(raw, threshold)
    counts = {(r["organization"], r["service"], kind, r["period"]): r[kind] for r in rows for kind in ("rejected", "failed")}
    groups: dict[tuple[Any, ...], list[tuple[Any, str]]] = defaultdict(list)
    for cell in reasons:
        (o, s, kind, _), p = cell
        groups[(o, s, kind, p)].append(cell)
    hidden = {cell for cell, n in reasons.items() if 0 < n < threshold}
    for group, line in groups.items():
        visible = sorted((c for c in line if c not in hidden), key=lambda c: (reasons[c], str(c)))
        already = len(line) - len(visible)
        need = (already == 0) if counts.get(group) is None else (already == 1)
        hidden.update(visible[:int(need)])
    return {cell: None if cell in hidden else n for cell, n in reasons.items()}


async def access_rows(q: GroupedQuery, views: ProjectionStore) -> list[dict[str, Any]]:
    """The `service_access` counters per organization, service, facet, value and period."""
    raw = await _sums(q, views, access.VIEW, ("organization", "service", "facet", "value", "month"), ("n",))
    for r in raw:
        r["period"] = period_of(r["month"], q.period)
    return raw


async def _offered(tenant: str, views: ProjectionStore) -> set[tuple[str, str]]:
    """(service, language) pairs active services of `tenant` offer now (catalogue facts: no suppression)."""
    rows = await summed(views, offer.VIEW, {"tenant": tenant, "kind": "language"}, ("service", "value"),
                        ("offered",))
    return {(r["service"], r["value"]) for r in rows if r["offered"] > 0}


async def self_reliance(q: GroupedQuery, views: ProjectionStore, threshold: int) -> dict[str, Any]:
    """Per cohort (month of the first visit) and period (of the request): returning clients' later referrals
    completed, and of those, how many the client went to alone. Suppressed as one table whose columns are "went
    alone" and "accompanied" (so neither can be had from the other and the total), rows (cohort, period)."""
    raw = await _sums(q, views, reliance.VIEW, ("cohort", "month"), reliance.MEASURES)
    grouped = regroup(raw, ("cohort",), reliance.MEASURES, q.period)
    cells: dict[tuple[Hashable, Hashable], int] = {}
    for r in grouped:
        cells[((r["cohort"], r["period"]), "alone")] = r["went_alone"]
        cells[((r["cohort"], r["period"]), "accompanied")] = r["completed"] - r["went_alone"]
    table = suppress(cells, threshold)
    rows = [{"cohort": c, "period": p, "completed": table.row_totals[(c, p)],
             "went_alone": table.cells[((c, p), "alone")]} for c, p in sorted({k for k, _ in cells}, key=_by_period)]
    for row in rows:
        row["share_went_alone"] = share(row["went_alone"], row["completed"])
    total = {"completed": table.total, "went_alone": table.col_totals.get("alone", 0)}
    total["share_went_alone"] = share(total["went_alone"], total["completed"])
    return {"rows": rows, "total": total, "threshold": threshold}


def share(part: int | None, whole: int | None) -> float | None:
    """part / whole when both are visible and whole is not 0."""
    return part / whole if part is not None and whole else None


def _by_period(key: tuple[str, str]) -> tuple[str, str]:
    return key[1], key[0]
