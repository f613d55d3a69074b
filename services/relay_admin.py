"""`wegwijs relay`: the commits a service's relay parked (Kafka refused them for good), a retry after a fix, and an
operator's resolve. Works on the service's own database (WEGWIJS_MONGO_URL, WEGWIJS_DB_PREFIX); the service's
relay acts on a retry or a resolve within a poll."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, TypeVar

import typer
from pymongo import AsyncMongoClient
from rich.console import Console

from services.plumbing.errors import bounded, clip
from services.plumbing.eventstore import Parked, StoreUnavailable
from services.plumbing.eventstore.mongo import MongoEventStore
from services.plumbing.settings import Settings

app = typer.Typer(help="Commits a service's relay parked: list, retry after a fix, resolve.", no_args_is_help=True)
console = Console()
REASON_CHARACTERS = 500
T = TypeVar("T")


class WriteService(StrEnum):
    """The services with an event store and a relay."""

    INTAKE = "intake"
    REFERRAL = "referral"
    CATALOGUE = "catalogue"


def _with_store(service: WriteService, work: Callable[[MongoEventStore], Awaitable[T]]) -> T:
    async def go() -> T:
        settings = Settings()
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, serverSelectionTimeoutMS=3000)
        try:
            return await work(MongoEventStore(client, settings.database(service.value)))
        finally:
            await client.close()
    try:
        return asyncio.run(go())
    except StoreUnavailable as exc:
        console.print(f"[red]error:[/red] the {service.value} database cannot be reached: {bounded(str(exc), 200)}")
        raise typer.Exit(2) from None


def _lines(service: WriteService, parked: list[Parked]) -> str:
    """One line per parked commit, its error on the next (unwrapped: errors are long and are read whole)."""
    out = [f"parked commits of {service.value}: {len(parked)}"]
    for p in parked:
        asked = f"  retry asked {p.retry_asked:%H:%M:%S}" if p.retry_asked else ""
        out += [f"{p.stream_id}  version {p.first_version}  {p.tenant}  since {p.since:%Y-%m-%d %H:%M:%S} UTC{asked}",
                f"  {bounded(p.error, 400)}"]
    return "\n".join(out)


@app.command("parked")
def list_parked(service: WriteService) -> None:
    """The parked commits: stream, error, since. Each stream's later commits wait behind its parked one."""
    parked = _with_store(service, lambda store: store.parked())
    console.print(_lines(service, list(parked)) if parked else f"nothing parked in {service.value}",
                  soft_wrap=True, markup=False, highlight=False)


@app.command()
def retry(service: WriteService, stream: str,
          wait: float = typer.Option(30.0, min=0, help="seconds to wait for the relay's answer (0: do not wait)")
          ) -> None:
    """After a fix (a larger limit, a route corrected): publish the parked commit again, then the commits waiting
    behind it, in order. Exit 0 when published, 1 when refused again or not answered within --wait."""
    async def ask(store: MongoEventStore) -> tuple[Parked | None, Parked | None, bool]:
        asked = await store.ask_retry(stream)
        if asked is None or wait == 0:
            return asked, asked, False
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            now = next((p for p in await store.parked() if p.stream_id == stream), None)
            if now is None or now.retry_asked is None:
                return asked, now, True
        return asked, asked, False
    asked, now, answered = _with_store(service, ask)
    if asked is None:
        raise typer.BadParameter(f"no parked commit on stream {clip(stream)} in {service.value}", param_hint="STREAM")
    if not answered:
        console.print(f"retry of {stream} asked; the {service.value} relay has not answered"
                      + (f" within {wait:g} s (is the service running?)" if wait else ""))
        raise typer.Exit(1 if wait else 0)
    if now is None:
        console.print(f"published: {stream} flows again")
        return
    console.print(f"[red]refused again[/red] at version {now.first_version}: {bounded(now.error, 400)}")
    raise typer.Exit(1)


@app.command()
def resolve(service: WriteService, stream: str,
            reason: str = typer.Option(..., help="why the commit is given up on (kept with it)"),
            by: str = typer.Option(..., help="the operator who decides")) -> None:
    """Give up on the parked commit: it stays in the store but is never published, and the stream's later commits
    flow again. Consumers then see a gap in the stream's versions and never learn what the commit did."""
    if not reason.strip() or len(reason) > REASON_CHARACTERS:
        raise typer.BadParameter(f"1 to {REASON_CHARACTERS} characters", param_hint="--reason")
    if not by.strip() or len(by) > 64:
        raise typer.BadParameter("1 to 64 characters", param_hint="--by")
    resolved = _with_store(service, lambda store: store.resolve(stream, reason.strip(), by.strip()))
    if resolved is None:
        raise typer.BadParameter(f"no parked commit on stream {clip(stream)} in {service.value}", param_hint="STREAM")
    console.print(f"resolved: version {resolved.first_version} of {stream} will not be published; the stream flows "
                  f"again (was refused: {bounded(resolved.error, 200)})")
