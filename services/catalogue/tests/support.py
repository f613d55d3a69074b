"""Builders shared by the catalogue's tests."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts.envelope import Actor, Role
from services.catalogue.adapters import hsds
from services.catalogue.application.handlers import Context, Deps, handle
from services.catalogue.application.hsds_import import Report, import_records
from services.catalogue.bootstrap import CatalogueSettings
from services.catalogue.domain import commands as c
from services.plumbing.eventstore import streams

CTX = Context(Actor(staff_id="staff-3", role=Role.CATALOGUE_ADMIN), "corr-cat")
TENANT = "kortrijk"
SCHEMAS = CatalogueSettings().hsds_schema_dir
DEMO = Path(__file__).resolve().parents[3] / "deploy" / "demo" / "catalogue"
EXAMPLES = Path(__file__).resolve().parents[4] / "shared" / "hsds-3.1" / "examples"  # official, not shipped
_counter = iter(range(10**9))


def stream(kind: str, entity_id: str, tenant: str = TENANT) -> str:
    """The event stream of an entity: ids are per municipality, so streams are scoped by tenant."""
    return streams.scoped(kind, tenant, entity_id)


def cid() -> str:
    return f"cmd-{next(_counter):08d}"


def service(**changes: Any) -> dict[str, Any]:
    return {"name": "Woonloket", "themes": ["housing.search"], "languages": ["nl", "ara"],
            "cost_options": [{"option": "Gratis", "amount": 0}],
            "schedules": [{"byday": ["TU", "TH"], "opens_at": "09:00", "closes_at": "12:00"}], **changes}


async def organization(deps: Deps, name: str = "OCMW Leiebrugge", tenant: str = TENANT) -> str:
    result = await handle(c.RegisterOrganization(command_id=cid(), tenant=tenant, record={"name": name}), CTX, deps)
    return result["id"]


async def location(deps: Deps, org: str, city: str = "Leiebrugge", **changes: Any) -> str:
    record = {"name": "Hoofdzetel", "organization_id": org,
              "address": {"street": "Leiekaai 1", "postal_code": "8500", "city": city}, **changes}
    return (await handle(c.RegisterLocation(command_id=cid(), tenant=TENANT, record=record), CTX, deps))["id"]


async def offered(deps: Deps, org: str, loc: str | None = None, **changes: Any) -> str:
    """Register a service of `org` (offered at `loc` if given); returns its id."""
    sid = (await handle(c.RegisterService(command_id=cid(), tenant=TENANT,
                                          record=service(organization_id=org, **changes)), CTX, deps))["id"]
    if loc:
        await handle(c.LinkServiceAtLocation(command_id=cid(), tenant=TENANT, service_id=sid, location_id=loc),
                     CTX, deps)
    return sid


def demo_files() -> dict[str, Any]:
    return {name: json.loads((DEMO / f"{name}.json").read_text("utf-8")) for name in ("organizations", "services")}


async def import_document(deps: Deps, document: Any, command_id: str | None = None,
                          tenant: str = TENANT) -> list[Report]:
    return await import_records(hsds.parse(document, SCHEMAS), tenant, command_id or cid(), CTX, deps)


def outcomes(reports: list[Report]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for r in reports:
        counted[r.outcome] = counted.get(r.outcome, 0) + 1
    return counted


def demo_subset(organizations: int) -> dict[str, Any]:
    """A few organisations of the demo (the one offering "Woonloket Leiebrugge" first), with their services."""
    files = demo_files()
    services = files["services"]["contents"]
    anchor = next(s["organization_id"] for s in services if s["name"] == "Woonloket Leiebrugge")
    orgs = sorted(files["organizations"]["contents"], key=lambda o: (o["id"] != anchor, o["id"]))[:organizations]
    ids = {o["id"] for o in orgs}
    return {"organizations": hsds.page(sorted(orgs, key=lambda o: o["id"])),
            "services": hsds.page([s for s in services if s["organization_id"] in ids])}
