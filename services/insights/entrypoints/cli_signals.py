"""`wegwijs-insights barriers` and `wegwijs-insights signals` (issue 7, questions 5 and 8)."""
from __future__ import annotations

from typing import Any

import typer

from contracts.proto import insights_pb2
from services.cli import INSIGHTS, TOKEN, _run
from services.insights.entrypoints.cli_io import call, counted, output, unmet_needs_request


def barriers(tenant: str, from_month: str = "", to_month: str = "", period: str = "month", level: str = "top",
             csv: bool = False, insights: str = INSIGHTS, token: str = TOKEN) -> None:
    """Per barrier: questions per theme and period (* = each question once), and per service and period the
    referrals that failed for it and the signals naming it; hidden counts as "<5"."""
    reply = _run(call(tenant, token, insights, "Barriers",
                      unmet_needs_request(tenant, from_month, to_month, period, level)))
    k = reply.threshold
    rows = []
    for b in reply.barriers:
        rows += [[b.barrier, "questions", r.theme, r.period, counted(r.questions, k)] for r in b.themes]
        rows.append([b.barrier, "questions", "*", "", counted(b.questions, k)])
        rows += [[b.barrier, "failed_referrals", r.service_id, r.period, counted(r.referrals, k)] for r in b.failed]
        rows += [[b.barrier, "signals", r.service, r.period, counted(r.signals, k)] for r in b.signals]
    output(f"Drempels per thema en per dienst — {tenant}", ["barrier", "measure", "theme_or_service", "period",
                                                             "count"], rows, csv)


def signals(tenant: str, theme: str = "", barrier: str = "", from_month: str = "", to_month: str = "",
            counts: bool = typer.Option(False, help="counts per theme, barrier and period instead of the signals"),
            period: str = "month", level: str = "top", csv: bool = False, insights: str = INSIGHTS,
            token: str = TOKEN) -> None:
    """The signals reported to policy, newest first, with their text (--theme, --barrier filter); or with --counts
    the number of signals per theme, barrier and period, hidden counts as "<5"."""
    if counts:
        reply = _run(call(tenant, token, insights, "SignalCounts",
                          unmet_needs_request(tenant, from_month, to_month, period, level)))
        k = reply.threshold
        rows = [[r.theme or "-", r.barrier or "-", r.period, counted(r.signals, k)] for r in reply.rows]
        rows.append(["*", "*", "", counted(reply.total, k)])
        output(f"Signalen per thema en drempel — {tenant}", ["theme", "barrier", "period", "signals"], rows, csv)
        return
    found = _run(all_signals(tenant, token, insights, insights_pb2.ListSignalsRequest(
        tenant=tenant, from_month=from_month, to_month=to_month, theme=theme, barrier=barrier, page_size=100)))
    rows = [[s.month, s.office_id, ";".join(s.themes), ";".join(s.barriers), ";".join(s.services), s.text]
            for s in found]
    output(f"Signalen — {tenant}", ["month", "office", "themes", "barriers", "services", "text"], rows, csv)


async def all_signals(tenant: str, token: str, insights: str, request: Any) -> list[Any]:
    """Every page of ListSignals, newest first."""
    found: list[Any] = []
    while True:
        reply = await call(tenant, token, insights, "ListSignals", request)
        found += reply.signals
        if not reply.next_page_token:
            return found
        request.page_token = reply.next_page_token
