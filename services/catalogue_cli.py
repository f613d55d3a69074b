"""`wegwijs catalogue`: import and export a municipality's HSDS 3.1 catalogue of any size, as JSON or as the tabular
data package (`datapackage.json` + CSV files), over gRPC (ImportHsds in parts, ExportHsdsPage page by page)."""
from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import grpc
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from contracts.envelope import Role
from contracts.proto import catalogue_pb2 as pb
from contracts.proto import catalogue_pb2_grpc
from contracts.hsds import SCHEMAS, documents as shapes, tabular
from services.client import channel, configured_credentials
from services.plumbing.settings import Settings

app = typer.Typer(help="The municipality's HSDS 3.1 catalogue: import and export (JSON or CSV data package).",
                  no_args_is_help=True)
console = Console()
CATALOGUE = typer.Option("127.0.0.1:7053", envvar="WEGWIJS_CATALOGUE_ADDR", help="address of CatalogueService")
TOKEN = typer.Option("", envvar="WEGWIJS_TOKEN", help="bearer token; default: a local development token")
PART_OBJECTS = 1000           # objects (nested ones counted) per ImportHsds: well under the service's 5,000
PART_BYTES = 3 * 1024 * 1024  # and under gRPC's 4 MiB a message
PAGE = 500
OUTCOMES = ("created", "updated", "unchanged", "rejected", "skipped")


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


def _token(token: str, role: Role, municipality: str) -> str:
    if token:
        return token
    from services.cli import mint  # the development token of `wegwijs token` (imported here: cli imports us)
    return mint(role, municipality, staff_id="cli-catalogue")


def _stub(address: str) -> tuple[grpc.aio.Channel, Any]:
    chan = channel(address, configured_credentials(Settings()))
    return chan, catalogue_pb2_grpc.CatalogueServiceStub(chan)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console)


# --- import --------------------------------------------------------------------------------------------------------

def documents(source: Path) -> list[tuple[str, dict[str, Any]]]:
    """(kind, object) of a JSON file (object, array or paged list) or a CSV data package directory, in the order an
    import needs: organisations and locations before the services and service_at_locations that name them."""
    if source.is_dir():
        return tabular.from_package(tabular.read_dir(source), SCHEMAS)
    try:
        document = json.loads(source.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise tabular.InvalidArgument(str(source), f"not a readable HSDS JSON file: {exc}") from None
    found = [(shapes.detect(d) if isinstance(d, dict) else "unknown", d) for d in shapes.records_of(document)]
    return sorted(found, key=lambda pair: shapes.ORDER.get(pair[0], 4))


def parts(found: list[tuple[str, dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    """The objects in parts each one ImportHsds takes (objects counted with their nested ones, and bytes)."""
    part: list[dict[str, Any]] = []
    objects = size = 0
    for _, doc in found:
        n, b = shapes.count(doc, PART_OBJECTS), len(json.dumps(doc, ensure_ascii=False).encode())
        if part and (objects + n > PART_OBJECTS or size + b > PART_BYTES):
            yield part
            part, objects, size = [], 0, 0
        part.append(doc)
        objects, size = objects + n, size + b
    if part:
        yield part


async def _import(source: Path, tenant: str, address: str, token: str, command_id: str) -> list[Any]:
    found = documents(source)
    chan, stub = _stub(address)
    metadata = (("authorization", f"Bearer {_token(token, Role.CATALOGUE_ADMIN, tenant)}"),)
    replies = []
    try:
        with _progress() as progress:
            task = progress.add_task(f"importing {source.name}", total=len(found))
            for i, part in enumerate(parts(found)):
                replies.append(await stub.ImportHsds(pb.ImportHsdsRequest(
                    command_id=f"{command_id}-{i:05d}", tenant=tenant, document=json.dumps(part, ensure_ascii=False)),
                    metadata=metadata, timeout=300))
                progress.advance(task, len(part))
    finally:
        await chan.close()
    return replies


def summary(replies: list[Any]) -> tuple[Table, Table | None]:
    """The counts per outcome, and the records that did not land, or landed with a note (a term no theme maps to,
    fields a summary object did not carry and that were kept), with their reasons."""
    counts = Table(title="HSDS import")
    for outcome in OUTCOMES:
        counts.add_column(outcome, justify="right")
    counts.add_row(*(f"{sum(getattr(r, o) for r in replies):,}" for o in OUTCOMES))
    said = [rec for r in replies for rec in r.records if rec.outcome in ("rejected", "skipped") or rec.reasons]
    if not said:
        return counts, None
    details = Table(title="not imported, or imported with a note")
    for column in ("kind", "id in the file", "outcome", "reasons"):
        details.add_column(column)
    for rec in said:
        details.add_row(rec.kind, rec.hsds_id, rec.outcome, "; ".join(rec.reasons))
    return counts, details


@app.command("import")
def import_(source: Path = typer.Argument(..., help="an HSDS JSON file or a CSV data package directory"),
            tenant: str = typer.Option(..., "--tenant", "-t", help="the municipality"),
            command_id: str = typer.Option("", help="retrying with the same id changes nothing; default: new"),
            catalogue: str = CATALOGUE, token: str = TOKEN) -> None:
    """Import a file or a data package of any size, in parts of at most 1,000 objects."""
    try:
        replies = asyncio.run(_import(source, tenant, catalogue, token, command_id or uuid.uuid4().hex[:24]))
    except tabular.InvalidArgument as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except grpc.aio.AioRpcError as exc:
        console.print(f"[red]error:[/red] {exc.code().name}: {exc.details()}")
        raise typer.Exit(2) from None
    counts, details = summary(replies)
    console.print(counts)
    if details is not None:
        console.print(details)


# --- export --------------------------------------------------------------------------------------------------------

async def _pages(stub: Any, metadata: Any, tenant: str, kind: str, progress: Progress) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    task = progress.add_task(f"exporting {kind}s", total=None)
    token = ""
    while True:
        page = await stub.ExportHsdsPage(pb.ExportHsdsPageRequest(tenant=tenant, kind=kind, page_size=PAGE,
                                                                  page_token=token), metadata=metadata, timeout=120)
        docs += json.loads(page.document)
        progress.update(task, total=page.total, completed=len(docs))
        if not (token := page.next_page_token):
            return docs


async def exported(tenant: str, address: str, token: str) -> list[tuple[str, dict[str, Any]]]:
    """Every organisation (with its locations), every location of none, every service (with its
    service_at_locations): what an import of the export needs, in that order."""
    chan, stub = _stub(address)
    metadata = (("authorization", f"Bearer {_token(token, Role.CATALOGUE_ADMIN, tenant)}"),)
    try:
        with _progress() as progress:
            organizations = await _pages(stub, metadata, tenant, "organization", progress)
            locations = await _pages(stub, metadata, tenant, "location", progress)
            services = await _pages(stub, metadata, tenant, "service", progress)
    finally:
        await chan.close()
    owned = {o["id"] for o in organizations}
    return ([("organization", o) for o in organizations]
            + [("location", loc) for loc in locations if loc.get("organization_id") not in owned]
            + [("service", s) for s in services])


@app.command("export")
def export(out: Path = typer.Argument(..., help="a JSON file (json) or a directory (csv)"),
           tenant: str = typer.Option(..., "--tenant", "-t", help="the municipality"),
           fmt: Format = typer.Option(Format.JSON, "--format", help="json: one file; csv: a data package"),
           catalogue: str = CATALOGUE, token: str = TOKEN) -> None:
    """Export the municipality's whole catalogue, page by page."""
    try:
        found = asyncio.run(exported(tenant, catalogue, token))
    except grpc.aio.AioRpcError as exc:
        console.print(f"[red]error:[/red] {exc.code().name}: {exc.details()}")
        raise typer.Exit(2) from None
    if fmt is Format.CSV:
        files = tabular.to_package(found, SCHEMAS, name=f"hsds-{tenant}")
        tabular.write(out, files)
    else:
        out.write_text(json.dumps([doc for _, doc in found], ensure_ascii=False, indent=1), "utf-8")
    console.print(f"{len(found):,} objects → {out}")
