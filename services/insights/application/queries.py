"""Queries policy teams ask, answered from the views (never from the event history), with small-cell suppression.

Every answer is suppressed here, before it leaves the application: the API, the CLI and the report only ever see
suppressed tables. A hidden count is `None`.
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from contracts.tenants import MUNICIPALITIES
from services.insights.domain import language_demand as languages
from services.insights.domain import questions_per_theme as themes
from services.insights.domain import workload
from services.insights.domain.suppression import suppress
from services.plumbing import dates
from services.plumbing.errors import clip
from services.plumbing.projection.store import ProjectionStore

Month = Annotated[str | None, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$"), AfterValidator(dates.month_text)]


class PeriodQuery(BaseModel):
    """One municipality, months from..to inclusive (either open)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant: str
    from_month: Month = None  # within the accepted dates (plumbing/dates.py)
    to_month: Month = None

    @field_validator("tenant")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in MUNICIPALITIES:
            raise ValueError(f"unknown municipality {clip(v)}")
        return v

    @field_validator("to_month")
    @classmethod
    def _not_before_from(cls, v: str | None, info: ValidationInfo) -> str | None:
        start = info.data.get("from_month")
        if v and start and v < start:
            raise ValueError(f"{v} lies before from_month {start}")
        return v


QuestionsPerThemeQuery = PeriodQuery


async def _sums(q: PeriodQuery, views: ProjectionStore, view: str, keys: tuple[str, ...],
                measures: tuple[str, ...], where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The view's counters summed over the partitions owning its documents, per key, within the period (and of the
    documents whose fields equal `where`'s)."""
    match: dict[str, Any] = {"tenant": q.tenant, **(where or {})}
    months = {k: v for k, v in (("$gte", q.from_month), ("$lte", q.to_month)) if v}
    if months:
        match["month"] = months
    return await summed(views, view, match, keys, measures)


async def summed(views: ProjectionStore, view: str, match: dict[str, Any], keys: tuple[str, ...],
                 measures: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of `keys` with each measure summed over the matching documents (absent counts as 0).

    One read of the documents, summed here: FerretDB 1.x answers only a `$group`'s first `$sum` (so a `$group` would
    be needed per measure, each reading the whole collection again), and a read of a view's documents (packed: a few
    per month) costs less than one such `$group`."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    async for d in views.documents(view, match, (*keys, *measures)):
        at = tuple(d.get(k) for k in keys)
        if (row := out.get(at)) is None:
            row = out[at] = {**{k: d[k] for k in keys if k in d}, **dict.fromkeys(measures, 0)}
        for m in measures:
            row[m] += d.get(m, 0)
    return list(out.values())


async def questions_per_theme(q: PeriodQuery, views: ProjectionStore, threshold: int) -> dict[str, Any]:
    rows = await _sums(q, views, themes.VIEW, ("theme", "month"), ("questions",))
    per_month = {r["month"]: r["questions"] for r in rows if r["theme"] == themes.ALL_THEMES}
    cells = {(r["theme"], r["month"]): r["questions"] for r in rows if r["theme"] != themes.ALL_THEMES}
    table = suppress(cells, threshold, per_month, sum(per_month.values()))
    return {"rows": [{"theme": t, "month": m, "questions": n} for (t, m), n in sorted(table.cells.items(), key=_by_month)],
            "total": table.total, "threshold": threshold}


async def workload_by_channel(q: PeriodQuery, views: ProjectionStore, threshold: int) -> dict[str, Any]:
    """Questions and accompaniments per (office, channel) × month, each suppressed as its own table; the minutes spent
    accompanying are shown where, and only where, the number of accompaniments they add up is (a hidden count's
    minutes would tell how long one or two clients were helped)."""
    rows = await _sums(q, views, workload.VIEW, ("office", "channel", "month"), workload.MEASURES)
    at = {((r["office"], r["channel"]), r["month"]): r for r in rows}
    asked = suppress({cell: r["questions"] for cell, r in at.items()}, threshold)
    went = suppress({cell: r["accompaniments"] for cell, r in at.items()}, threshold)

    def minutes(shown: int | None, spent: int) -> int | None:
        return None if shown is None else spent

    # The total's minutes less the visible cells' are the hidden cells' together: shown only if they are no one's
    # or at least `threshold` accompaniments' (two hidden cells of one accompaniment each would otherwise tell).
    in_hidden = (went.total or 0) - sum(n for n in went.cells.values() if n is not None)
    total_minutes = minutes(went.total if in_hidden == 0 or in_hidden >= threshold else None,
                            sum(r["minutes_accompanying"] for r in rows))
    return {"rows": [{"office": o, "channel": c, "month": m, "questions": n, "accompaniments": went.cells[(o, c), m],
                      "minutes_accompanying": minutes(went.cells[(o, c), m], at[(o, c), m]["minutes_accompanying"])}
                     for ((o, c), m), n in sorted(asked.cells.items(), key=_by_month)],
            "total": asked.total, "accompaniments": went.total,
            "minutes_accompanying": total_minutes,
            "threshold": threshold}


async def language_demand(q: PeriodQuery, views: ProjectionStore, threshold: int) -> dict[str, Any]:
    rows = await _sums(q, views, languages.VIEW, ("language", "month"), languages.MEASURES)
    everyone = languages.ALL_LANGUAGES
    out: dict[tuple[str, str], dict[str, Any]] = {}
    total: dict[str, Any] = {"language": everyone, "month": ""}
    for measure in languages.MEASURES:
        per_month = {r["month"]: r[measure] for r in rows if r["language"] == everyone}
        table = suppress({(r["language"], r["month"]): r[measure] for r in rows if r["language"] != everyone},
                         threshold, per_month, sum(per_month.values()))
        for (language, month), n in table.cells.items():
            out.setdefault((language, month), {"language": language, "month": month})[measure] = n
        total[measure] = table.total
    return {"rows": sorted(out.values(), key=lambda r: (r["month"], r["language"])), "total": total,
            "threshold": threshold}


def _by_month(item: tuple[tuple[Any, str], Any]) -> tuple[str, str]:
    return item[0][1], str(item[0][0])
