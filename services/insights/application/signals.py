"""Signals (issue 7, question 8): the signals bridge workers reported to policy, with their text, a page at a time
(newest first), and their counts per theme, barrier and period (suppressed like every count; hidden = None)."""
from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from pydantic import Field, field_validator

from services.insights.application.barriers import one_level, theme_parent
from services.insights.application.policy import ThemeQuery, measured_levels, regroup
from services.insights.application.queries import PeriodQuery, _sums
from services.insights.domain import signals as view
from services.insights.domain.unmet_needs import ALL
from services.plumbing import offload
from services.plumbing.projection.store import ProjectionStore

Code = Field(default=None, min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9.-]*$")
FIELDS = ("signal", "month", "at", "office", "themes", "barriers", "services", "text")


def _token(order: str) -> str:
    return base64.urlsafe_b64encode(order.encode()).decode().rstrip("=")


class SignalsQuery(PeriodQuery):
    """A page of signals: `theme` (a signal about a sub-theme is found by its top-level theme too) and `barrier`
    filter; `page_token` is the `next_page_token` of the page before."""

    theme: str | None = Code
    barrier: str | None = Code
    page_size: int = Field(default=20, ge=1, le=100)
    page_token: str | None = None

    @field_validator("page_token")
    @classmethod
    def _ours(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            after = base64.urlsafe_b64decode(v + "=" * (-len(v) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError):
            after = ""
        if "|" not in after or _token(after) != v:
            raise ValueError("not a next_page_token of this listing")
        return v

    @property
    def after(self) -> str | None:
        """The sort key of the last signal of the page before."""
        return base64.urlsafe_b64decode(self.page_token + "=" * (-len(self.page_token) % 4)).decode() \
            if self.page_token else None


async def list_signals(q: SignalsQuery, views: ProjectionStore) -> dict[str, Any]:
    """Newest first; `next_page_token` is "" on the last page."""
    match: dict[str, Any] = {"tenant": q.tenant}
    months = {k: v for k, v in (("$gte", q.from_month), ("$lte", q.to_month)) if v}
    for name, condition in (("month", months), ("theme_rows", q.theme), ("barriers", q.barrier),
                            ("order", {"$lt": q.after} if q.after else None)):
        if condition:
            match[name] = condition
    docs = await views.collection(view.VIEW).find(match).sort("order", -1).limit(q.page_size + 1).to_list()
    page = docs[:q.page_size]
    return {"signals": [{k: d[k] for k in FIELDS} for d in page],
            "next_page_token": _token(page[-1]["order"]) if len(docs) > q.page_size else ""}


async def signal_counts(q: ThemeQuery, views: ProjectionStore, threshold: int) -> dict[str, Any]:
    rows = await _sums(q, views, view.COUNTS, ("theme", "barrier", "month"), ("signals",))
    return await offload.run(lambda _: count_table(q, rows, threshold))


def count_table(q: ThemeQuery, rows: Sequence[dict[str, Any]], threshold: int) -> dict[str, Any]:
    """Signals per (theme, barrier) pair and period at one theme level, as one table whose per-period totals are
    the (`*`, `*`) rows (each signal once); both levels suppressed together (`policy.measured_levels`)."""
    def pairs(level: str) -> list[dict[str, Any]]:
        grouped = regroup(one_level(rows, level), ("theme", "barrier"), ("signals",), q.period)
        return [{"pair": (r["theme"], r["barrier"]), "period": r["period"], "signals": r["signals"]}
                for r in grouped if r["signals"]]

    top, sub = measured_levels(pairs("top"), pairs("sub"), "pair", ("signals",), threshold, (ALL, ALL),
                               lambda pair: (theme_parent(pair[0]), pair[1]))
    table, total = top if q.level == "top" else sub
    return {"rows": [{"theme": r["pair"][0], "barrier": r["pair"][1], "period": r["period"], "signals": r["signals"]}
                     for r in table], "total": total["signals"], "threshold": threshold}
