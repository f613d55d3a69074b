"""`wegwijs-insights`: the policy teams' tables, CSV and HTML report (through InsightsService), and rebuilds."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import grpc
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from contracts.envelope import Role
from contracts.proto import insights_pb2
from services.cli import CATALOGUE, INSIGHTS, INTAKE, TOKEN, _run, credentials, mint
from services.client import Client, hsds_objects
from services.insights.bootstrap import bootstrap
from services.insights.entrypoints import report as html_report
from services.insights.entrypoints.cli_io import ask, call, console, counted, output, shown, unmet_needs_request
from services.insights.entrypoints.cli_signals import barriers, signals
from services.insights.entrypoints.rebuild import rebuild as rebuild_views
from services.plumbing import log
from services.plumbing.settings import Settings

app = typer.Typer(help="Wegwijs insights: views for policy teams.", no_args_is_help=True)


@app.command()
def rebuild(grace_seconds: float = typer.Option(5.0, help="wait before dropping the old views"),
            if_stale: bool = typer.Option(False, help="only if a view was built by another release (a deploy step)")
            ) -> None:
    """Replay all events into fresh views with a progress bar, then switch queries and the live runner to them."""
    settings = Settings()
    log.configure("warning", False)

    async def go() -> str:
        app_ = await bootstrap(settings)
        try:
            if if_stale and not (stale := await app_.generations.stale()):
                return f"views of generation {await app_.generations.active()} are current: nothing to rebuild"
            if if_stale:
                console.print(f"views built by another release: {', '.join(sorted(stale))}")
            with Progress(TextColumn("rebuilding views"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                          console=console) as bar:
                task = bar.add_task("records", total=None)
                new = await rebuild_views(app_, lambda done, total: bar.update(task, completed=done, total=total),
                                          grace_seconds)
            return f"views rebuilt: generation {new} is active"
        finally:
            await app_.mongo.close()

    console.print(asyncio.run(go()))


@app.command()
def workload(tenant: str, from_month: str = "", to_month: str = "", csv: bool = False, insights: str = INSIGHTS,
             token: str = TOKEN) -> None:
    """Questions per office, channel and month, and the times bridge workers went along with the minutes it took (a
    table, or CSV with --csv); hidden counts shown as "<5", minutes of hidden accompaniments as "hidden"."""
    reply = _run(ask(tenant, token, insights, "WorkloadByChannel", from_month, to_month))
    k = reply.threshold

    def minutes(c: Any) -> str:
        return "hidden" if c.suppressed else str(c.value)

    rows = [[r.office, r.channel, r.month, shown(r.questions, r.suppressed, k), counted(r.accompaniments, k),
             minutes(r.minutes_accompanying)] for r in reply.rows]
    output(f"Vragen per kantoor, kanaal en maand — {tenant} (totaal {shown(reply.total, reply.total_suppressed, k)} "
           f"vragen, {counted(reply.accompaniments, k)} keer begeleid, {minutes(reply.minutes_accompanying)} minuten)",
           ["office", "channel", "month", "questions", "accompaniments", "minutes_accompanying"], rows, csv)


@app.command()
def languages(tenant: str, from_month: str = "", to_month: str = "", csv: bool = False, insights: str = INSIGHTS,
              token: str = TOKEN) -> None:
    """Languages newcomers speak per month: questions, interpreter needed, helped in another language."""
    reply = _run(ask(tenant, token, insights, "LanguageDemand", from_month, to_month))
    k = reply.threshold
    rows = [[r.language, r.month, shown(r.questions, r.suppressed, k),
             shown(r.interpreter_needed, r.interpreter_needed_suppressed, k),
             shown(r.uncovered, r.uncovered_suppressed, k)] for r in [*reply.rows, reply.total]]
    output(f"Taalvraag — {tenant}", ["language", "month", "questions", "interpreter_needed", "uncovered"], rows, csv)


@app.command()
def themes(tenant: str, from_month: str = "", to_month: str = "", csv: bool = False, insights: str = INSIGHTS,
           token: str = TOKEN) -> None:
    """Questions per theme and month; hidden counts shown as "<5"."""
    reply = _run(ask(tenant, token, insights, "QuestionsPerTheme", from_month, to_month))
    k = reply.threshold
    rows = [[r.theme, r.month, shown(r.questions, r.suppressed, k)] for r in reply.rows]
    output(f"Vragen per thema en maand — {tenant} (totaal {shown(reply.total, reply.total_suppressed, k)})",
           ["theme", "month", "questions"], rows, csv)


@app.command()
def report(tenant: str = typer.Option(...), out: Path = typer.Option(...), insights: str = INSIGHTS,
           token: str = TOKEN, catalogue: str = CATALOGUE) -> None:
    """An HTML report with charts (works offline) of the suppressed answers of InsightsService; services and
    organisations named as the catalogue names them."""

    async def go() -> str:
        names = await catalogue_names(tenant, token, catalogue)
        replies = [await ask(tenant, token, insights, rpc)
                   for rpc in ("QuestionsPerTheme", "WorkloadByChannel", "LanguageDemand")]
        needs_ = await call(tenant, token, insights, "UnmetNeeds", unmet_needs_request(tenant))
        access = await call(tenant, token, insights, "ServiceAccess", insights_pb2.GroupedPeriodRequest(tenant=tenant))
        alone = await call(tenant, token, insights, "SelfReliance", insights_pb2.GroupedPeriodRequest(tenant=tenant))
        gaps_ = await call(tenant, token, insights, "GapsInOffer", insights_pb2.GapsInOfferRequest(tenant=tenant))
        barriers_ = await call(tenant, token, insights, "Barriers", unmet_needs_request(tenant))
        signals_ = await call(tenant, token, insights, "SignalCounts", unmet_needs_request(tenant))
        coverage_ = await call(tenant, token, insights, "LanguageCoverage",
                               insights_pb2.GroupedPeriodRequest(tenant=tenant))
        return await asyncio.to_thread(  # plotly's rendering is CPU-heavy: the calls' channel keeps its loop
            html_report.render, tenant, *replies, needs=needs_, access=access, alone=alone, gaps=gaps_,
            barriers=barriers_, signals=signals_, coverage=coverage_, names=names)

    page = _run(go())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    console.print(f"report written to {out}")


async def catalogue_names(tenant: str, token: str, catalogue: str) -> html_report.Names:
    """What the catalogue calls the municipality's services and organisations (its HSDS export, as the same policy
    user); without the catalogue the report says a service is not in it rather than print an id."""
    client = Client(INTAKE.default, INSIGHTS.default, token or mint(Role.POLICY, tenant), credentials(),
                    catalogue=catalogue)
    try:
        services, organisations = [await hsds_objects(client, kind, tenant) for kind in ("service", "organization")]
    except grpc.aio.AioRpcError as exc:
        console.print(f"[yellow]the catalogue did not answer ({exc.code().name}): services are not named[/yellow]")
        return html_report.Names()
    finally:
        await client.close()

    def named(objects: list[dict[str, Any]]) -> dict[str, str]:
        return {i["id"]: i.get("name", "") for i in objects if isinstance(i, dict) and "id" in i}

    return html_report.Names(named(services), named(organisations))


NEEDS = ("registered", "informed", "referred", "accompanied", "resolved", "unresolved", "gaps")


@app.command()
def needs(tenant: str, from_month: str = "", to_month: str = "", period: str = "month", level: str = "top",
          reasons: bool = False, csv: bool = False, insights: str = INSIGHTS, token: str = TOKEN) -> None:
    """Unmet needs per theme and period (--period week|month|quarter|year, --level top|sub), then why no service
    answered (gaps per reason code; --reasons: that table alone, e.g. with --csv); hidden counts as "<5"."""
    reply = _run(call(tenant, token, insights, "UnmetNeeds",
                      unmet_needs_request(tenant, from_month, to_month, period, level)))
    k = reply.threshold
    if not reasons:
        rows = [[r.theme, r.period, *(counted(getattr(r, m), k) for m in NEEDS)] for r in [*reply.rows, reply.total]]
        output(f"Onbeantwoorde noden per thema — {tenant}", ["theme", "period", *NEEDS], rows, csv)
    if reasons or not csv:
        output(f"Waarom geen aanbod: hiaten per reden — {tenant}", ["theme", "period", "reason", "gaps"],
               [[r.theme, r.period, r.reason, counted(r.gaps, k)] for r in reply.gap_reasons], csv)



ACCESS = ("requested", "accepted", "rejected", "completed", "failed", "accompanied")


@app.command()
def services(tenant: str, from_month: str = "", to_month: str = "", period: str = "month", csv: bool = False,
             insights: str = INSIGHTS, token: str = TOKEN) -> None:
    """Accessibility of partner services per service and period (of the request), reason codes, languages."""
    reply = _run(call(tenant, token, insights, "ServiceAccess", insights_pb2.GroupedPeriodRequest(
        tenant=tenant, from_month=from_month, to_month=to_month, period=period)))
    k = reply.threshold
    rows = [[r.organization_id, r.service_id, r.period, *(counted(getattr(r, m), k) for m in ACCESS),
             "" if r.share_accompanied < 0 else f"{r.share_accompanied:.2f}", r.median_days_to_acceptance,
             r.median_days_to_completion] for r in [*reply.rows, reply.total]]
    output(f"Toegankelijkheid van diensten — {tenant}", ["organization", "service", "period", *ACCESS,
                                                         "share_accompanied", "median_days_accept",
                                                         "median_days_complete"], rows, csv)
    if not csv:
        output("Redenen", ["organization", "service", "kind", "reason", "period", "referrals"],
               [[r.organization_id, r.service_id, r.kind, r.reason, r.period, counted(r.referrals, k)]
                for r in reply.reasons], csv)
        output("Talen gevraagd / aangeboden", ["service", "language", "asked", "offered"],
               [[x.service_id, x.language, counted(x.asked, k), "ja" if x.offered else "nee"] for x in reply.languages],
               csv)



@app.command(name="self-reliance")
def self_reliance(tenant: str, from_month: str = "", to_month: str = "", period: str = "month", csv: bool = False,
                  insights: str = INSIGHTS, token: str = TOKEN) -> None:
    """Returning clients' later referrals per cohort (month of first visit) and period: completed, went alone."""
    reply = _run(call(tenant, token, insights, "SelfReliance", insights_pb2.GroupedPeriodRequest(
        tenant=tenant, from_month=from_month, to_month=to_month, period=period)))
    k = reply.threshold
    rows = [[r.cohort, r.period, counted(r.completed, k), counted(r.went_alone, k),
             "" if r.share_went_alone < 0 else f"{r.share_went_alone:.2f}"] for r in [*reply.rows, reply.total]]
    output(f"Zelfredzaamheid — {tenant}", ["cohort", "period", "completed", "went_alone", "share_went_alone"], rows,
           csv)


@app.command()
def gaps(tenant: str, from_month: str = "", to_month: str = "", level: str = "top", by_office: bool = False,
         limit: int = 50, csv: bool = False, insights: str = INSIGHTS, token: str = TOKEN) -> None:
    """Gaps in the offer: theme × language (× office) with questions and no active service in that language, or only
    full ones; most questions first."""
    reply = _run(call(tenant, token, insights, "GapsInOffer", insights_pb2.GapsInOfferRequest(
        tenant=tenant, from_month=from_month, to_month=to_month, level=level, by_office=by_office, limit=limit)))
    k = reply.threshold
    rows = [[g.theme, g.language, g.office, counted(g.questions, k), g.supply, str(g.services_full)]
            for g in reply.gaps]
    output(f"Hiaten in het aanbod — {tenant}", ["theme", "language", "office", "questions", "supply",
                                               "services_full"], rows, csv)


@app.command()
def coverage(tenant: str, from_month: str = "", to_month: str = "", period: str = "month", csv: bool = False,
             insights: str = INSIGHTS, token: str = TOKEN) -> None:
    """Language coverage per language newcomers speak and period: questions, interpreter needed, questions no one
    covers; bridge workers, their offices and active services offering the language now."""
    reply = _run(call(tenant, token, insights, "LanguageCoverage", insights_pb2.GroupedPeriodRequest(
        tenant=tenant, from_month=from_month, to_month=to_month, period=period)))
    output(f"Taaldekking — {tenant}", ["language", "period", "questions", "interpreter_needed", "no_one_covers",
                                       "bridge_workers", "offices", "services", "covered_nowhere"],
           html_report.coverage_rows(reply), csv)


app.command()(barriers)
app.command()(signals)


def main() -> None:
    app()
