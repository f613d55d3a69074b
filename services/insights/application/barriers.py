"""Barriers (issue 7, question 5): per barrier, questions per theme and period, and per service and period the
referrals that failed for it and the signals naming it. Every table is suppressed before it leaves; hidden = None.

Per barrier, the theme × period table has the `*` row (each question once) as per-period totals and shows one level
of themes (a sub-theme also counts under its top-level theme, so two levels side by side would give a hidden count
away by subtraction); both levels are suppressed together (`policy.measured_levels`), so asking both levels gives
nothing away either. The failed referrals are `ServiceAccess`'s reason cells as
they are suppressed there (`policy.reason_cells`); the signals per service are a table of their own (a signal
naming two services counts under both, so its total counts mentions).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contracts import taxonomy
from services.insights.application.policy import (
    ThemeQuery, _is_top, access_rows, measured, measured_levels, reason_cells, regroup)
from services.insights.application.queries import _sums
from services.insights.domain import barriers as view
from services.insights.domain.unmet_needs import ALL
from services.plumbing import offload
from services.plumbing.projection.store import ProjectionStore


def one_level(rows: Sequence[dict[str, Any]], level: str) -> list[dict[str, Any]]:
    """The rows of the themes of `level` ("top" or "sub") and the `*` rows."""
    return [r for r in rows if r["theme"] == ALL or _is_top(r["theme"]) == (level == "top")]


async def barriers(q: ThemeQuery, views: ProjectionStore, threshold: int) -> dict[str, Any]:
    questions = await _sums(q, views, view.VIEW, ("barrier", "theme", "month"), ("questions",))
    signals = await _sums(q, views, view.SIGNALS, ("barrier", "service", "month"), ("signals",))
    access = await access_rows(q, views)
    return await offload.run(lambda _: tables(q, questions, signals, access, threshold))


def tables(q: ThemeQuery, questions: Sequence[dict[str, Any]], signals: Sequence[dict[str, Any]],
           access: Sequence[dict[str, Any]], threshold: int) -> dict[str, Any]:
    """The answer from the views' rows per month (`access`: `policy.access_rows`, with periods)."""
    asked = {level: [r for r in regroup(one_level(questions, level), ("barrier", "theme"), ("questions",), q.period)
                     if r["questions"]] for level in ("top", "sub")}  # cells a clarification emptied: none
    named = [r for r in regroup(signals, ("barrier", "service"), ("signals",), q.period) if r["signals"]]
    failed = [{"barrier": b, "organization": o, "service": s, "period": p, "referrals": n}
              for ((o, s, kind, reason), p), n in reason_cells(access, threshold).items()
              if kind == "failed" and (b := view.barrier_of(reason)) is not None]
    codes = sorted({r["barrier"] for r in [*asked[q.level], *named, *failed]})
    return {"barriers": [_barrier(b, asked, q.level, named, failed, threshold) for b in codes], "threshold": threshold}


def theme_parent(code: str) -> str:
    """A theme row's top-level theme (`*`, `""` and unknown codes are their own)."""
    return taxonomy.themes().top_level(code) if code in taxonomy.themes() else code


def _barrier(barrier: str, asked: dict[str, list[dict[str, Any]]], level: str, signals: list[dict[str, Any]],
             failed: list[dict[str, Any]], threshold: int) -> dict[str, Any]:
    top, sub = measured_levels(*([r for r in asked[at] if r["barrier"] == barrier] for at in ("top", "sub")), "theme",
                               ("questions",), threshold, ALL, theme_parent)
    themes, total = top if level == "top" else sub
    services, mentions = measured([r for r in signals if r["barrier"] == barrier], "service", ("signals",),
                                  threshold)
    return {"barrier": barrier, "themes": themes, "questions": total["questions"],
            "failed": sorted((r for r in failed if r["barrier"] == barrier),
                             key=lambda r: (r["period"], r["organization"], r["service"])),
            "signals": services, "signal_mentions": mentions["signals"]}
