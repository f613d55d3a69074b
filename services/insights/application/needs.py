"""UnmetNeeds: per theme and period what became of the questions, and why no service answered (gap reasons), both
levels of themes suppressed together so that no answer, and no pair of answers, gives a hidden count away.

Three kinds of lines tie the published counts together, beyond each table's own rows and columns:
- a theme's `gaps` in the rows is the total of its reasons in `gap_reasons`, and a period's gaps over all themes the
  total of the `*` reasons: the gaps table and each period's themes × reasons table are suppressed in turn, each
  hiding what the other hides on their shared totals, until neither hides more;
- a top-level cell shown in the `top` answer is (when its questions carry sub-theme codes) the sum of its sub-themes'
  cells in the `sub` answer: among them, never exactly one may be hidden. A second one is hidden then, or if there is
  none, the top-level cell itself, and both answers are worked out again;
- the sub-themes of a hidden top-level cell are hidden too (they would add up to it).
Both levels are worked out for every question, so an answer does not depend on which level was asked before.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from contracts import taxonomy
from services.insights.application.policy import NeedsPeriod, ThemeQuery, UnmetNeedsQuery, _is_top, regroup
from services.insights.application.queries import _sums
from services.insights.domain import unmet_needs as view
from services.insights.domain.suppression import ABOVE, TOTAL, Suppressed, below, suppress
from services.plumbing import offload
from services.plumbing.projection.store import ProjectionStore



@dataclass
class Hidden:
    """Cells to hide whatever their count: per measure (theme, period), per period (theme, reason)."""

    measures: dict[str, set[Any]] = field(default_factory=lambda: defaultdict(set))
    reasons: dict[str, set[Any]] = field(default_factory=lambda: defaultdict(set))

    def __bool__(self) -> bool:
        return any(self.measures.values()) or any(self.reasons.values())


@dataclass
class Level:
    """One level's suppressed tables: per measure a theme × period table, per period a theme × reason table."""

    rows: list[dict[str, Any]]
    measures: dict[str, Suppressed]
    reasons: dict[str, Suppressed]


async def unmet_needs_by_theme(q: UnmetNeedsQuery | ThemeQuery, views: ProjectionStore, threshold: int
                               ) -> dict[str, Any]:
    """The rows and gap reasons of `q.level`, suppressed with the other level (module docstring). Weeks are read from
    the weekly view (a week's documents carry the month of its Thursday, which the months select)."""
    weekly = q.period == "week"
    raw = await _sums(q, views, view.WEEKLY if weekly else view.VIEW, ("theme", "week" if weekly else "month"),
                      (*view.MEASURES, *view.REASON_MEASURES))
    def suppressed(_: offload.Stop) -> dict[str, Any]:  # the CPU-heavy part, off the event loop
        top, sub = both_levels(raw, q.period, threshold)
        return answer(top if q.level == "top" else sub, threshold)
    return await offload.run(suppressed)


def both_levels(raw: Sequence[dict[str, Any]], period: NeedsPeriod, threshold: int) -> tuple[Level, Level]:
    """The top-level and sub-theme tables of the view's rows, suppressed together until neither hides more."""
    top_rows, sub_rows = (_level_rows(raw, level, period) for level in ("top", "sub"))
    below = _counts(sub_rows)
    # `again`/`kinds`: the measures to work out anew (None: all); `pinned`: what the sub level must hide of the `*`
    # counts both levels publish, because the top level hides it.
    hidden_top, pinned, top, again = Hidden(), Hidden(), None, None
    while True:
        top = _suppressed(top_rows, threshold, hidden_top, top, again)
        hidden_sub, sub, kinds = _below_hidden(top, sub_rows), None, None
        _add(hidden_sub, pinned)
        while True:
            sub = _suppressed(sub_rows, threshold, hidden_sub, sub, kinds)
            more_sub, more_top = _one_hidden_below(top, sub, below, threshold, kinds)
            if not more_top and not more_sub:
                more_top, more_sub = _shared_totals(top, sub)
                _add(pinned, more_sub)
                if not more_top and not more_sub:
                    return top, sub
            if more_top:
                break
            _add(hidden_sub, more_sub)
            kinds = _kinds(more_sub)
        _add(hidden_top, more_top)
        again = _kinds(more_top)


def answer(level: Level, threshold: int) -> dict[str, Any]:
    """One level's rows, totals and gap reasons (theme `*`: over all themes), a hidden count as None."""
    reasons = []
    for p, table in level.reasons.items():
        reasons += [{"theme": t, "period": p, "reason": code, "gaps": n} for (t, code), n in table.cells.items()]
        reasons += [{"theme": view.ALL, "period": p, "reason": code, "gaps": n} for code, n in table.col_totals.items()]
    rows = [{"theme": r["theme"], "period": r["period"],
             **{m: level.measures[m].cells[(r["theme"], r["period"])] for m in view.MEASURES}}
            for r in level.rows if r["theme"] != view.ALL]
    return {"rows": sorted(rows, key=lambda r: (r["period"], r["theme"])),
            "total": {m: level.measures[m].total for m in view.MEASURES}, "threshold": threshold,
            "gap_reasons": sorted(reasons, key=lambda r: (r["period"], r["theme"] != view.ALL, r["theme"], r["reason"]))}


def _level_rows(raw: Sequence[dict[str, Any]], level: str, period: NeedsPeriod) -> list[dict[str, Any]]:
    """The rows of one level of themes (and `*`), per period; none for a theme a clarification moved every question
    from."""
    wanted = [r for r in raw if r["theme"] == view.ALL or _is_top(r["theme"]) == (level == "top")]
    return [r for r in regroup(wanted, ("theme",), (*view.MEASURES, *view.REASON_MEASURES), period)
            if any(r[m] for m in view.MEASURES)]


def _suppressed(rows: Sequence[dict[str, Any]], threshold: int, hidden: Hidden, before: Level | None = None,
                kinds: set[str] | None = None) -> Level:
    """Each measure as a theme × period table (the `*` rows its period totals); `gaps` and the reasons in turn.
    With `before` and `kinds`, only those measures are worked out anew (`gaps` stands for the reasons too)."""
    anew = before is None or kinds is None
    everyone = [r for r in rows if r["theme"] == view.ALL]
    themes = [r for r in rows if r["theme"] != view.ALL]
    measures: dict[str, Suppressed] = {} if before is None else dict(before.measures)
    per_period: dict[str, dict[str, int]] = {}
    for m in view.MEASURES:
        per_period[m] = {r["period"]: r[m] for r in everyone}
        if m != "gaps" and (anew or m in kinds):  # type: ignore[operator]
            measures[m] = suppress({(r["theme"], r["period"]): r[m] for r in themes}, threshold, per_period[m],
                                   sum(per_period[m].values()), hidden.measures[m])
    if not anew and "gaps" not in kinds and before is not None:  # type: ignore[operator]
        return Level(list(rows), measures, before.reasons)
    gap_cells = {(r["theme"], r["period"]): r["gaps"] for r in themes}
    periods = sorted({r["period"] for r in rows})
    cells = {p: {(r["theme"], code): n for r in themes if r["period"] == p for code in view.REASONS
                 if (n := r[f"gaps_{code}"])} for p in periods}
    columns: dict[str, dict[str, int]] = {}
    for p in periods:  # per reason over all themes: each question once, under its first gap's reason
        columns[p] = {code: n for r in everyone if r["period"] == p for code in view.REASONS if (n := r[f"gaps_{code}"])}
        columns[p].update({code: 0 for _, code in cells[p] if code not in columns[p]})
    extra = set(hidden.measures["gaps"])
    while True:
        gaps = suppress(gap_cells, threshold, per_period["gaps"], sum(per_period["gaps"].values()), extra)
        reasons, grown = {}, False
        for p in periods:
            if not cells[p] and not columns[p]:
                continue
            shared = {(t, TOTAL) for (t, q), n in gaps.cells.items() if q == p and n is None}
            if gaps.col_totals.get(p, 0) is None:
                shared.add((TOTAL, TOTAL))
            table = reasons[p] = suppress(cells[p], threshold, columns[p], per_period["gaps"].get(p),
                                          shared | hidden.reasons[p])
            for t, n in table.row_totals.items():
                if n is None and gaps.cells.get((t, p)) and (t, p) not in extra:
                    extra.add((t, p))
                    grown = True
            if table.total is None and gaps.col_totals.get(p) and (TOTAL, p) not in extra:
                extra.add((TOTAL, p))
                grown = True
        if not grown:
            measures["gaps"] = gaps
            return Level(list(rows), measures, reasons)


def _below_hidden(top: Level, sub_rows: Sequence[dict[str, Any]]) -> Hidden:
    """The sub-themes (per measure, per reason) of the top-level cells the top answer hides."""
    hidden = Hidden()
    for r in sub_rows:
        if r["theme"] == view.ALL:
            continue
        parent, p = _parent(r["theme"]), r["period"]
        for m in view.MEASURES:
            if top.measures[m].cells.get((parent, p), 0) is None:
                hidden.measures[m].add((r["theme"], p))
        if p in top.reasons:
            for code in view.REASONS:
                if top.reasons[p].cells.get((parent, code), 0) is None:
                    hidden.reasons[p].add((r["theme"], code))
    return hidden


def _counts(rows: Sequence[dict[str, Any]]) -> dict[str, dict[Any, int]]:
    """A level's true counts: per measure by (theme, period), per period by (theme, reason)."""
    counts: dict[str, dict[Any, int]] = defaultdict(dict)
    for r in rows:
        for m in view.MEASURES:
            counts[m][(r["theme"], r["period"])] = r[m]
        for code in view.REASONS:
            counts[r["period"]][(r["theme"], code)] = r[f"gaps_{code}"]
    return counts


def _one_hidden_below(top: Level, sub: Level, counts: dict[str, dict[Any, int]], threshold: int,
                      kinds: set[str] | None = None) -> tuple[Hidden, Hidden]:
    """Where a shown top-level cell and its sub-themes' cells break `suppression.below`: a sub-theme cell to hide,
    or the top-level cell (`counts`: the sub-level's, `_counts`; `kinds`: only these measures, `gaps` with the
    reasons, changed since the last look)."""
    more_sub, more_top = Hidden(), Hidden()
    groups: dict[tuple[str, str, str], list[tuple[Any, int | None]]] = defaultdict(list)  # (kind, parent, period)
    for m, table in sub.measures.items():
        if kinds is None or m in kinds:
            for (t, p), n in table.cells.items():
                groups[(m, _parent(t), p)].append(((t, p), n))
    for p, table in sub.reasons.items() if kinds is None or "gaps" in kinds else ():
        for (t, code), n in table.cells.items():
            groups[(f"reason:{code}", _parent(t), p)].append(((t, code), n))
    for (kind, parent, p), line in groups.items():
        if kind.startswith("reason:"):
            code = kind.removeprefix("reason:")
            above = top.reasons[p].cells.get((parent, code)) if p in top.reasons else None
            raw = counts[p]
        else:
            above = top.measures[kind].cells.get((parent, p))
            raw = counts[kind]
        if not above:  # hidden in the top answer (its sub-themes are hidden already) or 0
            continue
        target = below(above, [(c, n, raw.get(c, 0)) for c, n in line], threshold)
        if target is None:
            continue
        if target is not ABOVE:
            (more_sub.reasons[p] if kind.startswith("reason:") else more_sub.measures[kind]).add(target)
        elif kind.startswith("reason:"):
            more_top.reasons[p].add((parent, kind.removeprefix("reason:")))
        else:
            more_top.measures[kind].add((parent, p))
    return more_sub, more_top


def _shared_totals(top: Level, sub: Level) -> tuple[Hidden, Hidden]:
    """The `*` counts both levels publish (or add up to), hidden in one and shown in the other: for the other to hide
    too (the top level, the sub level)."""
    more_top, more_sub = Hidden(), Hidden()
    for m in view.MEASURES:
        more_sub.measures[m] |= _totals_hidden_only_in(top.measures[m], sub.measures[m])
        more_top.measures[m] |= _totals_hidden_only_in(sub.measures[m], top.measures[m])
    for p in top.reasons.keys() & sub.reasons.keys():
        more_sub.reasons[p] |= _totals_hidden_only_in(top.reasons[p], sub.reasons[p])
        more_top.reasons[p] |= _totals_hidden_only_in(sub.reasons[p], top.reasons[p])
    return more_top, more_sub


def _totals_hidden_only_in(one: Suppressed, other: Suppressed) -> set[Any]:
    """The column totals and the grand total `one` hides and `other` shows."""
    cells: set[Any] = {(TOTAL, c) for c, n in one.col_totals.items() if n is None and other.col_totals.get(c) is not None}
    if one.total is None and other.total is not None:
        cells.add((TOTAL, TOTAL))
    return cells


def _kinds(more: Hidden) -> set[str]:
    """The measures `more` hides cells of (`gaps` for any reason)."""
    return {m for m, cells in more.measures.items() if cells} | ({"gaps"} if any(more.reasons.values()) else set())


@lru_cache(maxsize=1024)
def _parent(code: str) -> str:
    """The top-level theme of a sub-theme code (the taxonomy's lookup is slow for the thousands a question asks)."""
    return taxonomy.themes().top_level(code)


def _add(into: Hidden, more: Hidden) -> None:
    for m, cells in more.measures.items():
        into.measures[m] |= cells
    for p, cells in more.reasons.items():
        into.reasons[p] |= cells
