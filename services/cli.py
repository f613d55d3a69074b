"""`wegwijs`: the command line of the front office and of policy teams, on top of the gRPC client."""
from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import grpc
import typer
from rich.console import Console
from rich.table import Table

from contracts import taxonomy
from contracts.envelope import Role
from contracts.tenants import MUNICIPALITIES
from services import demo_year, relay_admin
from services import catalogue_cli
from services.client import Client, channel, configured_credentials
from services.demo import Demo, questions
from services.plumbing import devsecrets
from services.plumbing.auth import Principal, TokenIssuer, TokenRefused, TokenRules, load_private
from services.plumbing.settings import Settings, read

app = typer.Typer(help="Wegwijs: questions of newcomers, referrals and insights for policy.", no_args_is_help=True)
app.add_typer(relay_admin.app, name="relay")
app.add_typer(catalogue_cli.app, name="catalogue")
console = Console()
INTAKE = typer.Option("127.0.0.1:7051", envvar="WEGWIJS_INTAKE_ADDR", help="address of IntakeService")
INSIGHTS = typer.Option("127.0.0.1:7054", envvar="WEGWIJS_INSIGHTS_ADDR", help="address of InsightsService")
CATALOGUE = typer.Option("127.0.0.1:7053", envvar="WEGWIJS_CATALOGUE_ADDR", help="address of CatalogueService")
REFERRAL = typer.Option("127.0.0.1:7052", envvar="WEGWIJS_REFERRAL_ADDR", help="address of ReferralService")
TOKEN = typer.Option("", envvar="WEGWIJS_TOKEN", help="bearer token; default: a local development token")

TOKEN_OPTIONS = {"exp": "--hours", "sub": "--staff-id", "role": "ROLE"}  # the claim a refusal names → its option


def mint(role: Role, municipality: str | None = None, partner: str | None = None, staff_id: str = "cli",
         hours: int = 8) -> str:
    """A token signed with the local private key (development only: production tokens come from the IdP), within
    the rules the services verify with (WEGWIJS_TOKEN_MAX_LIFETIME_SECONDS); no system tokens, as no service
    declares it accepts them."""
    settings = Settings()
    key = load_private(read(settings.jwt_private_key_file, "jwt_private_key_file"))
    principal = Principal(staff_id=staff_id, role=role, municipality=municipality, partner=partner)
    rules = TokenRules(max_lifetime_seconds=settings.token_max_lifetime_seconds)
    return TokenIssuer(key, rules).issue(principal, ttl_seconds=hours * 3600)


def credentials() -> grpc.ChannelCredentials | None:
    """TLS when WEGWIJS_TLS_CA_FILE is set, with a client certificate when one is configured."""
    return configured_credentials(Settings())


def connect(intake: str, insights: str, token: str) -> Client:
    return Client(intake, insights, token, credentials())


def _run(coro: Any) -> Any:
    try:
        return asyncio.run(coro)
    except grpc.aio.AioRpcError as exc:
        console.print(f"[red]error:[/red] {exc.code().name}: {exc.details()}")
        raise typer.Exit(2) from None


def theme_table(tenant: str, reply: Any) -> Table:
    months = sorted({r.month for r in reply.rows})
    total = f"<{reply.threshold}" if reply.total_suppressed else reply.total
    table = Table(title=f"Vragen per thema en maand — {MUNICIPALITIES[tenant]} (totaal {total} vragen; "
                        f"aantallen onder {reply.threshold} verborgen)")
    table.add_column("thema")
    for month in months:
        table.add_column(month, justify="right")
    by_theme: dict[str, dict[str, str]] = {}
    for r in reply.rows:
        by_theme.setdefault(r.theme, {})[r.month] = f"<{reply.threshold}" if r.suppressed else str(r.questions)
    for theme, row in sorted(by_theme.items()):
        label = taxonomy.themes().label(theme) if theme in taxonomy.themes() else theme
        table.add_row(f"{label} ({theme})", *[row.get(m, "") for m in months])
    return table


@app.command()
def demo(count: int = 24, intake: str = INTAKE, insights: str = INSIGHTS, catalogue: str = CATALOGUE,
         referral: str = REFERRAL) -> None:
    """A day of bridge work through the gRPC APIs (catalogue import, offices and bridge workers, search, questions, a
    referral), then the insight."""

    async def go() -> None:
        tls_credentials = credentials()
        client = Client(intake, insights, "", tls_credentials, referral=referral, catalogue=catalogue)
        channels = {name: channel(address, tls_credentials)
                    for name, address in (("catalogue", catalogue), ("referral", referral), ("intake", intake))}
        story = Demo(client, channels, mint, console)
        try:
            tenants = ["brugge", "kortrijk"]
            before = {t: (await story.insight(t)).total for t in tenants}
            started = time.perf_counter()
            await story.import_catalogue()
            await story.staff()
            service = await story.search()
            console.print(f"\nthe catalogue imported, the offices staffed, a search: {time.perf_counter() - started:.0f} s")
            year = demo_year.plan(demo_year.now())
            if any(before[t] < len(year.of(t)) for t in tenants):
                console.print("\n[bold]A year of bridge work[/bold] in Kortrijk and Brugge:")
                loaded = await demo_year.Year(client, mint, say=console.print).load(year)
                console.print(f"the year loaded at {time.perf_counter() - started:.0f} s: "
                              + ", ".join(f"{n} {what}" for what, n in sorted(loaded.items())))
            else:
                console.print("\nthe demo's year is loaded already (insights counts it): not sent again")
            await story.register(count)
            if service is not None:
                await story.refer(service)
            expected = {t: max(before[t], len(year.of(t))) + sum(q["tenant"] == t for q in questions(count))
                        + (t == "kortrijk") for t in tenants}
            for _ in range(600):
                replies = {t: await story.insight(t) for t in tenants}
                if all(replies[t].total >= expected[t] for t in tenants):
                    break
                await asyncio.sleep(0.2)
            console.print(f"\nthe whole day took {time.perf_counter() - started:.1f} s; read back from InsightsService:\n")
            for t in tenants:
                console.print(theme_table(t, replies[t]))
            for t in tenants:
                console.print(await story.follow_up(t))
            if any(replies[t].total < expected[t] for t in tenants):
                console.print("[red]insights did not catch up within 2 minutes[/red]")
                sys.exit(1)
            console.print(demo_year.sign_in(service.service.organization_id if service is not None else ""))
        finally:
            await client.close()
            for ch in channels.values():
                await ch.close()

    _run(go())


@app.command("dev-secrets")
def dev_secrets(folder: Path = typer.Argument(Path(".local/secrets"))) -> None:
    """Make development secrets (token key pair, CA, TLS certificates, intake's key-encryption keyring) unless they
    exist; the keyring is never replaced."""
    console.print(f"development secrets in {devsecrets.write(Path(folder))}")


@app.command()
def token(role: Role, municipality: str = typer.Option(None), partner: str = typer.Option(None),
          staff_id: str = "cli", hours: int = 8) -> None:
    """Issue a signed token for local use (needs WEGWIJS_JWT_PRIVATE_KEY_FILE); never one the services refuse."""
    try:
        print(mint(role, municipality, partner, staff_id, hours))
    except TokenRefused as exc:
        raise typer.BadParameter(exc.reason, param_hint=TOKEN_OPTIONS[exc.claim]) from None


def main() -> None:
    app()
