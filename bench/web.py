"""Wegwijs in the browser, timed: p50/p95 of the front office's pages and of the policy dashboard's views over the
demo year, beside the same gRPC calls made directly (what the page itself waits for), in one run.

Against what `make demo` leaves running (the four services, the web application on WEGWIJS_WEB_PORT with the
development sign-in):

    source deploy/local/env && .local/venv/bin/python bench/web.py [--rounds 40] [--tenant kortrijk]

Each round asks every page once, then its gRPC calls once, one after another (no concurrency: the latency of one
person's click). Goals: front-office pages p95 <= 150 ms, dashboard views p95 <= 300 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import httpx

from contracts.envelope import Role
from services.cli import mint
from services.client import Client, configured_credentials
from services.demo_year import OFFICES
from services.plumbing.settings import Settings
from services.web.pages.policy import VIEWS, Filters, filters

WEB = f"http://127.0.0.1:{os.environ.get('WEGWIJS_WEB_PORT', '7060')}"
GOALS = {"front office": 150.0, "dashboard": 300.0}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def ratio(page: list[float], direct: list[float]) -> str:
    """How many times the page's median is the median of its calls made directly ("—" for a page that calls none)."""
    calls = statistics.median(direct)
    return f"{statistics.median(page) / calls:.1f}" if calls >= 0.5 else "—"


async def signed_in(http: httpx.AsyncClient, **fields: str) -> None:
    page = await http.get("/dev/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf, "the development sign-in is off: run the web application with WEGWIJS_WEB_DEV_SIGNIN=true"
    answer = await http.post("/dev/signin", data={"csrf": csrf.group(1), **fields})
    assert answer.status_code == 303, answer.text[:300]


ERRORS: dict[str, int] = {}


async def timed(name: str, call: Callable[[], Awaitable[Any]]) -> float:
    """Milliseconds of one call; a page that is not 200 or a gRPC error is counted under ERRORS, still timed."""
    started = time.perf_counter()
    try:
        answer = await call()
        failed = isinstance(answer, httpx.Response) and answer.status_code != 200
    except grpc.aio.AioRpcError:
        failed = True
    if failed:
        ERRORS[name] = ERRORS.get(name, 0) + 1
    return (time.perf_counter() - started) * 1000


def direct_view(client: Client, slug: str) -> Callable[[], Awaitable[Any]]:
    """The insights calls a dashboard view makes (the catalogue's names are kept by the page, so not counted)."""
    f = filters_default()
    return lambda: VIEWS[slug].fetch(client, f)


def filters_default() -> Filters:
    class Q:  # the page's defaults: the last 12 months, per month, top-level themes
        query_params: dict[str, str] = {}
    return filters(Q())  # type: ignore[arg-type]


async def main(rounds: int, tenant: str) -> None:
    settings = Settings()
    office = OFFICES[tenant][0]
    grpc_client = Client(f"127.0.0.1:{settings.intake_port}", f"127.0.0.1:{settings.insights_port}", "",
                         configured_credentials(settings), referral=f"127.0.0.1:{settings.referral_port}",
                         catalogue=f"127.0.0.1:{settings.catalogue_port}")
    worker = grpc_client.as_(mint(Role.FRONT_OFFICE, tenant, staff_id="bench-worker"))
    policy = grpc_client.as_(mint(Role.POLICY, tenant, staff_id="bench-policy"))
    today = await worker.intake_call("ListOfficeQuestions", tenant=tenant, office_id=office)
    if not today.questions:
        raise SystemExit(f"no question today at {office}: run `make demo` first")
    qid = today.questions[0].question_id
    front_pages = {"today": "/front", "new question": "/front/questions/new", "question": f"/front/questions/{qid}"}
    front_direct: dict[str, Callable[[], Awaitable[Any]]] = {
        "today": lambda: asyncio.gather(worker.intake_call("GetOffice", tenant=tenant, office_id=office),
                                        worker.intake_call("ListOfficeQuestions", tenant=tenant, office_id=office)),
        "new question": lambda: asyncio.sleep(0),  # the form calls no service (the office is in the session)
        "question": lambda: asyncio.gather(
            worker.intake_call("GetQuestion", tenant=tenant, question_id=qid),
            worker.referral_call("ListReferralsOfQuestion", tenant=tenant, question_id=qid)),
    }
    times: dict[tuple[str, str, str], list[float]] = {}
    async with httpx.AsyncClient(base_url=WEB, timeout=30) as bw, httpx.AsyncClient(base_url=WEB, timeout=30) as pw:
        await signed_in(bw, role="front-office", municipality=tenant, office=office, staff_id="bench-worker")
        await signed_in(pw, role="policy", municipality=tenant, staff_id="bench-policy")
        for n in range(rounds + 2):  # two rounds of warm-up, not counted
            for name, path in front_pages.items():
                ms = await timed(f"{name} page", lambda p=path: bw.get(p))
                direct = await timed(f"{name} gRPC", front_direct[name])
                if n >= 2:
                    times.setdefault(("front office", name, "page"), []).append(ms)
                    times.setdefault(("front office", name, "gRPC"), []).append(direct)
            for slug in VIEWS:
                ms = await timed(f"{slug} page", lambda s=slug: pw.get(f"/policy/{s}"))
                direct = await timed(f"{slug} gRPC", direct_view(policy, slug))
                if n >= 2:
                    times.setdefault(("dashboard", slug, "page"), []).append(ms)
                    times.setdefault(("dashboard", slug, "gRPC"), []).append(direct)
    await grpc_client.close()
    print(f"{rounds} rounds against {WEB} ({tenant}); milliseconds")
    print(f"{'area':<13} {'page':<14} {'page p50':>9} {'p95':>7}   {'gRPC p50':>9} {'p95':>7}   {'page/gRPC p50':>13}")
    for area in GOALS:
        pages = [name for (a, name, kind) in times if a == area and kind == "page"]
        for name in pages:
            page, direct = times[(area, name, "page")], times[(area, name, "gRPC")]
            print(f"{area:<13} {name:<14} {statistics.median(page):9.1f} {pct(page, .95):7.1f}   "
                  f"{statistics.median(direct):9.1f} {pct(direct, .95):7.1f}   {ratio(page, direct):>13}")
        every = [ms for (a, _, kind), v in times.items() if a == area and kind == "page" for ms in v]
        p95 = pct(every, .95)
        print(f"{area:<13} {'all pages':<14} {statistics.median(every):9.1f} {p95:7.1f}   goal p95 <= "
              f"{GOALS[area]:.0f} ms: {'met' if p95 <= GOALS[area] else 'NOT met'}")
    if ERRORS:
        print("errors (not 200, or a gRPC error; timed all the same): "
              + ", ".join(f"{k} {v}" for k, v in sorted(ERRORS.items())))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--tenant", default="kortrijk", choices=sorted(OFFICES))
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.tenant))
