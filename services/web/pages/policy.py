"""The policy dashboard (policy and admin roles): the insight questions as charts and tables, filters for the months,
the period (week, month, quarter), the office and the theme level, a CSV per table and a printable page of them all.

Every number comes from InsightsService, already suppressed there (`policy_tables` shows a hidden count as "<5");
the names of services and organisations come from the catalogue (`names.py`: its export page by page, public facts),
kept a few minutes per municipality so a page does not export the catalogue each time. No request to insights names
an office (the API takes none): the office filter picks rows of the answers.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import grpc
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from services.client import Client
from services.web import names as catalogue_names
from services.web import render
from services.web.pages import common
from services.web.pages import policy_tables as pt
from services.web.web import backend, requires, tenant
from services.web.words import N_

PERIODS = ("week", "month", "quarter")
LEVELS = ("top", "sub")


@dataclass(frozen=True)
class Filters:
    from_month: str
    to_month: str
    period: str
    level: str
    office: str

    def months(self) -> dict[str, str]:
        return {"from_month": self.from_month, "to_month": self.to_month}

    def grouped(self) -> str:
        """The period for rpcs that group months: a week is had only from UnmetNeeds, the others answer months."""
        return "month" if self.period == "week" else self.period

    def query(self) -> str:
        return "&".join(f"{k}={v}" for k, v in vars(self).items() if v)


@dataclass(frozen=True)
class View:
    title: str
    fetch: Callable[[Client, Filters], Awaitable[list[Any]]]
    build: Callable[[list[Any], Any, pt.Names, Filters], list[pt.Table]]
    uses: tuple[str, ...] = ()  # the filters that change this view besides the months


def _months_back(today: date, n: int) -> str:
    y, m = divmod(today.year * 12 + today.month - 1 - n, 12)
    return f"{y:04d}-{m + 1:02d}"


def filters(request: Request) -> Filters:
    q = request.query_params
    today = date.today()
    period = q.get("period", "month")
    level = q.get("level", "top")
    return Filters(q.get("from_month") or _months_back(today, 11), q.get("to_month") or _months_back(today, 0),
                   period if period in PERIODS else "month", level if level in LEVELS else "top",
                   q.get("office", "")[:200])


async def _one(call: Awaitable[Any]) -> list[Any]:
    return [await call]


VIEWS: dict[str, View] = {
    "themes": View(N_("Questions per theme"),
                   lambda c, f: _one(c.insights_call("QuestionsPerTheme", **f.months())),
                   lambda a, lang, n, f: pt.questions_per_theme(a[0], lang, n)),
    "needs": View(N_("Unmet needs"),
                  lambda c, f: _one(c.insights_call("UnmetNeeds", **f.months(), period=f.period, level=f.level)),
                  lambda a, lang, n, f: pt.unmet_needs(a[0], lang, n), ("period", "level")),
    "gaps": View(N_("Gaps in the offer"),
                 lambda c, f: _one(c.insights_call("GapsInOffer", **f.months(), level=f.level,
                                                   by_office=bool(f.office), limit=200)),
                 lambda a, lang, n, f: _office_gaps(a[0], lang, n, f), ("level", "office")),
    "services": View(N_("Access to services"),
                     lambda c, f: _one(c.insights_call("ServiceAccess", **f.months(), period=f.grouped())),
                     lambda a, lang, n, f: pt.service_access(a[0], lang, n), ("period",)),
    "self-reliance": View(N_("Self-reliance"),
                          lambda c, f: _one(c.insights_call("SelfReliance", **f.months(), period=f.grouped())),
                          lambda a, lang, n, f: pt.self_reliance(a[0], lang, n), ("period",)),
    "languages": View(N_("Languages"),
                      lambda c, f: asyncio.gather(
                          c.insights_call("LanguageCoverage", **f.months(), period=f.grouped()),
                          c.insights_call("LanguageDemand", **f.months())),
                      lambda a, lang, n, f: pt.language_coverage(a[0], lang, n) + pt.language_demand(a[1], lang, n),
                      ("period",)),
    "barriers": View(N_("Barriers"),
                     lambda c, f: _one(c.insights_call("Barriers", **f.months(), period=f.grouped(), level=f.level)),
                     lambda a, lang, n, f: pt.barriers(a[0], lang, n), ("period", "level")),
    "signals": View(N_("Signals"),
                    lambda c, f: asyncio.gather(
                        c.insights_call("SignalCounts", **f.months(), period=f.grouped(), level=f.level),
                        c.insights_call("ListSignals", **f.months(), page_size=50)),
                    lambda a, lang, n, f: pt.signal_counts(a[0], lang, n) + pt.signal_list(a[1], lang, n, f.office),
                    ("period", "level", "office")),
    "workload": View(N_("Workload"),
                     lambda c, f: _one(c.insights_call("WorkloadByChannel", **f.months())),
                     lambda a, lang, n, f: pt.workload(a[0], lang, n, f.office), ("office",)),
}


def _office_gaps(answer: Any, lang: Any, names: pt.Names, f: Filters) -> list[pt.Table]:
    if f.office:
        kept = [g for g in answer.gaps if g.office == f.office]
        del answer.gaps[:]
        answer.gaps.extend(kept)
    return pt.gaps_in_offer(answer, lang, names)


async def _tables(request: Request, slug: str, f: Filters) -> tuple[list[pt.Table], list[str], list[str], int]:
    """The view's tables, the offices to filter on, the refusals (shown above the tables) and the page's status."""
    view = VIEWS[slug]
    client = backend(request)
    lang = render.language(request)
    fetched, fault = await common.call(request, asyncio.gather(
        view.fetch(client, f), catalogue_names.of(client, tenant(request)),
        client.insights_call("WorkloadByChannel", **f.months()) if "office" in view.uses else asyncio.sleep(0)),
        {"from_month", "to_month", "period", "level"})
    if fetched is None:
        return [], [], [*fault.general, *(f"{k}: {v}" for k, v in fault.fields.items())], _status(fault.code)
    answers, found, work = fetched
    offices = pt.offices_of(work) if work is not None else []
    request.state.threshold = next((a.threshold for a in answers if getattr(a, "threshold", 0)), 0)
    return view.build(answers, lang, found, f), offices, [], 200


def _status(code: grpc.StatusCode | None) -> int:
    """A service that could not answer is 503 (try again); a refused filter 422."""
    return 503 if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED) else 422


@requires("policy", "admin")
async def home(request: Request) -> Response:
    query = request.url.query
    return RedirectResponse("/policy/themes" + (f"?{query}" if query else ""), status_code=303)


@requires("policy", "admin")
async def page(request: Request) -> Response:
    slug = request.path_params["view"]
    if slug not in VIEWS:
        raise HTTPException(404)
    f = filters(request)
    tables, offices, general, status = await _tables(request, slug, f)
    lang = render.language(request)
    return render.page(request, "policy/view.html", status=status, slug=slug, view=VIEWS[slug],
                       threshold=getattr(request.state, "threshold", 0) or 5,
                       views=VIEWS, f=f, tables=tables, offices=offices, general=general,
                       office_name=lambda o: pt.office_name(o, lang), periods=PERIODS, levels=LEVELS)


@requires("policy", "admin")
async def download(request: Request) -> Response:
    """One table of a view as CSV: the numbers as the API answered them, a hidden count as "<5"."""
    slug = request.path_params["view"]
    if slug not in VIEWS:
        raise HTTPException(404)
    f = filters(request)
    tables, _, general, status = await _tables(request, slug, f)
    if general:
        raise HTTPException(status, "; ".join(general))
    try:
        table = tables[int(request.query_params.get("table", "0"))]
    except (ValueError, IndexError):
        raise HTTPException(404, "table: no such table in this view") from None
    name = f"wegwijs-{tenant(request)}-{slug}-{tables.index(table) + 1}-{f.from_month}-{f.to_month}"
    return Response(table.csv(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}.csv"'})


@requires("policy", "admin")
async def report(request: Request) -> Response:
    """Every view on one page, laid out for printing (the browser's print to paper or PDF)."""
    f = filters(request)
    parts = await asyncio.gather(*(_tables(request, slug, f) for slug in VIEWS))
    sections = [(VIEWS[slug], tables) for slug, (tables, _, _, _) in zip(VIEWS, parts, strict=True)]
    general = [m for _, _, g, _ in parts for m in g]
    status = max(s for _, _, _, s in parts)
    return render.page(request, "policy/report.html", status=status, sections=sections, f=f,
                       threshold=getattr(request.state, "threshold", 0) or 5,
                       general=general, today=common.today())


routes = [
    Route("/policy", home),
    Route("/policy/report", report),
    Route("/policy/{view}.csv", download),
    Route("/policy/{view}", page),
]
