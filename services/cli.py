"""`wegwijs`: the command line of the front office and of policy teams, on top of the gRPC client."""
from __future__ import annotations

import asyncio
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import typer
from rich.console import Console
from rich.table import Table

from contracts import taxonomy
from contracts.envelope import Role
from contracts.tenants import MUNICIPALITIES
from services.client import Client, tls
from services.plumbing import devsecrets
from services.plumbing.auth import Principal, TokenIssuer, load_private
from services.plumbing.settings import Settings, read

app = typer.Typer(help="Wegwijs: questions of newcomers, referrals and insights for policy.", no_args_is_help=True)
console = Console()
INTAKE = typer.Option("127.0.0.1:50051", envvar="WEGWIJS_INTAKE_ADDR", help="address of IntakeService")
INSIGHTS = typer.Option("127.0.0.1:50054", envvar="WEGWIJS_INSIGHTS_ADDR", help="address of InsightsService")
TOKEN = typer.Option("", envvar="WEGWIJS_TOKEN", help="bearer token; default: a local development token")

# Synthetic only: offices, pseudonyms and mixes made up for the demo.
DEMO_OFFICES = {"kortrijk": "huis-van-de-kortrijkzaan", "brugge": "huis-van-de-bruggeling"}
DEMO_THEMES = ["housing.search", "letters.explain-letter", "work.job-search", "education.school-registration",
               "dutch-integration.dutch-classes", "health.health-insurance", "residence-papers.residence-permit",
               "income.ocmw-support", "leisure"]
DEMO_LANGUAGES = ["ar", "ti", "prs", "ru", "ce", "uk", "so", "fr", "en"]
DEMO_CHANNELS = ["walk-in", "whatsapp", "outreach", "appointment", "phone", "arrival-intake"]


def mint(role: Role, municipality: str | None = None, partner: str | None = None, staff_id: str = "cli",
         hours: int = 8) -> str:
    """A token signed with the local private key (development only: production tokens come from the IdP)."""
    key = load_private(read(Settings().jwt_private_key_file, "jwt_private_key_file"))
    principal = Principal(staff_id=staff_id, role=role, municipality=municipality, partner=partner)
    return TokenIssuer(key).issue(principal, ttl_seconds=hours * 3600)


def connect(intake: str, insights: str, token: str) -> Client:
    """A client using TLS when WEGWIJS_TLS_CA_FILE is set (with a client certificate when one is configured)."""
    s = Settings()
    credentials = None
    if s.tls_ca_file is not None:
        cert = read(s.tls_client_cert_file, "tls_client_cert_file") if s.tls_client_cert_file else None
        key = read(s.tls_client_key_file, "tls_client_key_file") if s.tls_client_key_file else None
        credentials = tls(read(s.tls_ca_file, "tls_ca_file"), cert, key)
    return Client(intake, insights, token, credentials)


def _run(coro: Any) -> Any:
    try:
        return asyncio.run(coro)
    except grpc.aio.AioRpcError as exc:
        console.print(f"[red]error:[/red] {exc.code().name}: {exc.details()}")
        raise typer.Exit(2) from None


def demo_questions(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng, now = random.Random(seed), datetime.now(UTC)
    questions = []
    for i in range(count):
        tenant = "kortrijk" if i % 4 else "brugge"
        language = rng.choice(DEMO_LANGUAGES)
        themes = rng.sample(DEMO_THEMES, 2)
        questions.append(dict(tenant=tenant, office_id=DEMO_OFFICES[tenant], channel=rng.choice(DEMO_CHANNELS),
                              themes=themes, client_languages=[language, "fr"] if i % 3 == 0 else [language],
                              language_used=language if i % 2 else "fr", interpreter_needed=i % 5 == 0,
                              occurred_at=(now - timedelta(days=rng.randint(0, 75))).isoformat()))
    return questions


def theme_table(tenant: str, reply: Any) -> Table:
    months = sorted({r.month for r in reply.rows})
    table = Table(title=f"Vragen per thema en maand — {MUNICIPALITIES[tenant]} (totaal {reply.total} vragen)")
    table.add_column("thema")
    for month in months:
        table.add_column(month, justify="right")
    by_theme: dict[str, dict[str, int]] = {}
    for r in reply.rows:
        by_theme.setdefault(r.theme, {})[r.month] = r.questions
    for theme, row in sorted(by_theme.items()):
        label = taxonomy.themes().label(theme) if theme in taxonomy.themes() else theme
        table.add_row(f"{label} ({theme})", *[str(row.get(m, "")) for m in months])
    return table


@app.command()
def demo(count: int = 24, intake: str = INTAKE, insights: str = INSIGHTS) -> None:
    """Register synthetic questions through gRPC and print the insight read back from the insights service."""

    async def go() -> None:
        client = connect(intake, insights, "")
        try:
            questions = demo_questions(count)
            tenants = sorted({q["tenant"] for q in questions})
            workers = {t: client.as_(mint(Role.FRONT_OFFICE, t, staff_id=f"demo-{t}")) for t in tenants}
            policy = {t: client.as_(mint(Role.POLICY, t, staff_id=f"policy-{t}")) for t in tenants}
            before = {t: (await policy[t].questions_per_theme()).total for t in tenants}
            started = time.perf_counter()
            for q in questions:
                reply = await workers[q["tenant"]].register_question(**q)
                console.print(f"registered {reply.question_id} ({q['tenant']}, {', '.join(q['themes'])}, "
                              f"{q['channel']}, speaks {', '.join(q['client_languages'])})")
            expected = {t: before[t] + sum(q["tenant"] == t for q in questions) for t in tenants}
            for _ in range(150):
                replies = {t: await policy[t].questions_per_theme() for t in tenants}
                if all(replies[t].total == expected[t] for t in tenants):
                    break
                await asyncio.sleep(0.2)
            console.print(f"\n{count} questions registered and projected in {time.perf_counter() - started:.2f} s\n")
            for t in tenants:
                console.print(theme_table(t, replies[t]))
            if any(replies[t].total != expected[t] for t in tenants):
                console.print("[red]insights did not catch up within 30 s[/red]")
                sys.exit(1)
        finally:
            await client.close()

    _run(go())


@app.command("questions")
def questions_per_theme(tenant: str, from_month: str = "", to_month: str = "", csv: bool = False,
                        intake: str = INTAKE, insights: str = INSIGHTS, token: str = TOKEN) -> None:
    """Questions per theme and month of one municipality (a table, or CSV with --csv)."""

    async def go() -> None:
        client = connect(intake, insights, token or mint(Role.POLICY, tenant))
        try:
            reply = await client.questions_per_theme(tenant, from_month, to_month)
        finally:
            await client.close()
        if csv:
            print("tenant,theme,month,questions")
            for r in reply.rows:
                print(f"{tenant},{r.theme},{r.month},{r.questions}")
        else:
            console.print(theme_table(tenant, reply))

    _run(go())


@app.command("dev-secrets")
def dev_secrets(folder: Path = typer.Argument(Path(".local/secrets"))) -> None:
    """Make development secrets (token key pair, CA, TLS certificates) unless they exist."""
    console.print(f"development secrets in {devsecrets.write(Path(folder))}")


@app.command()
def token(role: Role, municipality: str = typer.Option(None), partner: str = typer.Option(None),
          staff_id: str = "cli", hours: int = 8) -> None:
    """Issue a signed token for local use (needs WEGWIJS_JWT_PRIVATE_KEY_FILE)."""
    print(mint(role, municipality, partner, staff_id, hours))


def main() -> None:
    app()
