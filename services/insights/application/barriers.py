"""Barriers (issue 7, question 5): per barrier, questions per theme and period, and per service and period the
referrals that failed for it and the signals naming it. Every table is suppressed before it leaves; hidden = None.

Per barrier, the theme × period table has the `*` row (each question once) as per-period totals and shows one level
of themes (a sub-theme also counts under its top-level theme, so two levels side by side would give a hidden count
away by subtraction); the sub-level answer also hides the sub-themes of every top-level count the top-level answer
hides, so asking both levels gives nothing away either. The failed referrals are `ServiceAccess`'s reason cells as
they are suppressed there (`policy.reason_cells`); the signals per service are a table of their own (a signal
naming two services counts under both, so its total counts mentions).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contracts import taxonomy
from services.insights.application.policy import (
    ThemeQuery, _is_top, access_rows, measured, period_of, reason_cells, regroup)
from services.insights.application.queries import _sums
from services.insights.domain import barriers as view
from services.insights.domain.unmet_needs import ALL
from services.plumbing.projection.store import ProjectionStore


def one_level(rows: Sequence[dict[str, Any]], level: str) -> list[dict[str, Any]]:
    """The rows of the themes of `level` ("top" or "sub") and the `*` rows."""
    return [r for r in rows if r["theme"] == ALL or _is_top(r["theme"]) == (level == "top")]


async def barriers(q: ThemeQuery, views: ProjectionStore, threshold: int) -> dict[str, Any]:
    return tables(q, await _sums(q, views, view.VIEW, ("barrier", "theme", "month"), ("questions",)),
                  await _sums(q, views, view.SIGNALS, ("barrier", "service", "month"), ("signals",)),
                  await access_rows(q, views), threshold)


def tables(q: ThemeQuery, questions: Sequence[dict[str, Any]], signals: Sequence[dict[str, Any]],
           access: Sequence[dict[str, Any]], threshold: int) -> dict[str, Any]:
    """The answer from the views' rows per month (`access`: `policy.access_rows`, with periods)."""
    asked = [r for r in regroup(one_level(questions, q.level), ("barrier", "theme"), ("questions",), q.period)
             if r["questions"]]  # cells a clarification emptied
    named = [r for r in regroup(signals, ("barrier", "service"), ("signals",), q.period) if r["signals"]]
    failed = [{"barrier": b, "organization": o, "service": s, "period": p, "referrals": n}
              for ((o, s, kind, reason), p), n in reason_cells(access, threshold).items()
              if kind == "failed" and (b := view.barrier_of(reason)) is not None]
    codes = sorted({r["barrier"] for r in [*asked, *named, *failed]})
    hidden = _hidden_above(q, questions, threshold) if q.level == "sub" else set()
    return {"barriers": [_barrier(b, asked, named, failed, threshold, hidden) for b in codes], "threshold": threshold}


def _hidden_above(q: ThemeQuery, questions: Sequence[dict[str, Any]], threshold: int) -> set[tuple[str, str, str]]:
    """(barrier, sub-theme, period) cells whose top-level theme the top-level answer hides: shown, they would tell
    what the hidden top-level count is made of (with the `*` total, even the count next to it)."""
    top = tables(q.model_copy(update={"level": "top"}), questions, [], [], threshold)
    hidden = {(b["barrier"], r["theme"], r["period"]) for b in top["barriers"] for r in b["themes"]
              if r["questions"] is None}
    subs = {(r["barrier"], r["theme"], period_of(r["month"], q.period)) for r in questions if not _is_top(r["theme"])}
    return {(b, t, p) for b, t, p in subs if (b, taxonomy.themes().top_level(t), p) in hidden}


def _barrier(barrier: str, questions: list[dict[str, Any]], signals: list[dict[str, Any]],
             failed: list[dict[str, Any]], threshold: int, hidden: set[tuple[str, str, str]]) -> dict[str, Any]:
    themes, total = measured([r for r in questions if r["barrier"] == barrier], "theme", ("questions",), threshold,
                             ALL, {(t, p) for b, t, p in hidden if b == barrier})
    services, mentions = measured([r for r in signals if r["barrier"] == barrier], "service", ("signals",),
                                  threshold)
    return {"barrier": barrier, "themes": themes, "questions": total["questions"],
            "failed": sorted((r for r in failed if r["barrier"] == barrier),
                             key=lambda r: (r["period"], r["organization"], r["service"])),
            "signals": services, "signal_mentions": mentions["signals"]}
