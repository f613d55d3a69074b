"""HSDS import and export of a large municipality, records per second, beside `jsonschema` validation alone.

    .local/venv/bin/python bench/hsds.py [--services 10000] [--per-org 10] [--store memory|mongo]

A synthetic catalogue (uuid ids, example.org addresses): one organisation with one location per `--per-org`
services, each service offered at its organisation's location (10,000 services: 1,000 organisations, 1,000
locations, 10,000 service_at_locations; 22,000 records). Measured in the same run, on the same documents:

- baseline: the official HSDS 3.1 JSON Schema check alone of the same documents (`jsonschema`, format checkers on;
  each organisation with its location nested, each service with its service_at_location, as the import checks
  them), the floor any import that validates must pay;
- parse: the import's reading (schema check + mapping to our records), in this process;
- import: `import_records` of every part into the event store and query model (`--store memory`: the in-memory
  adapters, the work of the catalogue itself; `mongo`: the real FerretDB of deploy/local/stack), in parts of at
  most 5,000 objects as the CLI sends them;
- export: the whole catalogue out (`hsds.export` of organisations and of services), and ExportHsdsPage's pages of
  500;
- tabular: the export to the CSV data package and back (`contracts.hsds.tabular`).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contracts.envelope import Actor, Role  # noqa: E402
from contracts.hsds import SCHEMAS  # noqa: E402
from contracts.hsds import tabular  # noqa: E402
from contracts.hsds.documents import count  # noqa: E402
from services.catalogue.adapters import hsds  # noqa: E402
from services.catalogue.adapters.hsds_schema import errors  # noqa: E402
from services.catalogue.adapters.hsds_terms import THEMES as VOCABULARY  # noqa: E402
from services.catalogue.adapters.hsds_terms import attribute  # noqa: E402
from services.catalogue.adapters.views_memory import InMemoryViews  # noqa: E402
from services.catalogue.application import hsds_export  # noqa: E402
from services.catalogue.application.handlers import Context, Deps  # noqa: E402
from services.catalogue.application.hsds_import import import_records  # noqa: E402
from services.plumbing import records  # noqa: E402
from services.plumbing.eventstore.memory import InMemoryEventStore  # noqa: E402

NS = uuid.UUID("5b0c7f44-3d38-4c62-9a53-2a1f0e3b9d11")
TENANT = "kortrijk"
CTX = Context(Actor(staff_id="bench", role=Role.CATALOGUE_ADMIN), "bench-hsds")
THEMES = ["housing.search", "housing.social-rental", "civil-affairs.registration", "residence-papers.nationality"]


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NS, "/".join(map(str, parts))))


def catalogue(services: int, per_org: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(organisations with their location nested, services with their service_at_location)."""
    orgs, svcs = [], []
    for o in range((services + per_org - 1) // per_org):
        oid, lid = _id("org", o), _id("loc", o)
        orgs.append({"id": oid, "name": f"Organisatie {o}", "description": f"Synthetische organisatie {o}.",
                     "email": f"info{o}@example.org", "locations": [{
                         "id": lid, "location_type": "physical", "name": f"Zetel {o}", "organization_id": oid,
                         "addresses": [{"id": _id("addr", o), "address_1": f"Voorbeeldstraat {o}", "city": "Kortrijk",
                                        "state_province": "West-Vlaanderen", "postal_code": "8500", "country": "BE",
                                        "address_type": "physical"}]}]})
        for s in range(per_org):
            n = o * per_org + s
            if n >= services:
                break
            sid = _id("svc", n)
            svcs.append({"id": sid, "organization_id": oid, "name": f"Dienst {n}", "status": "active",
                         "description": f"Synthetische dienst {n}.", "languages": [
                             {"id": _id("lang", n), "name": "Dutch", "code": "nl"}],
                         "schedules": [{"id": _id("sched", n), "freq": "WEEKLY", "byday": "MO,WE",
                                        "opens_at": "09:00", "closes_at": "12:00"}],
                         "service_at_locations": [{"id": _id("sal", n), "service_id": sid, "location_id": lid}],
                         "attributes": [_theme(sid, THEMES[n % len(THEMES)])]})
    return orgs, svcs


def _theme(owner: str, code: str) -> dict[str, Any]:
    return attribute(owner, VOCABULARY, code)


def objects(orgs: list[dict[str, Any]], svcs: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Every object the import validates, each with its kind (nested ones on their own)."""
    out: list[tuple[str, dict[str, Any]]] = []
    for o in orgs:
        out.append(("organization", o))
        out += [("location", loc) for loc in o["locations"]]
    for s in svcs:
        out.append(("service", s))
        out += [("service_at_location", x) for x in s["service_at_locations"]]
    return out


def parts(docs: list[dict[str, Any]], most: int = 5000) -> list[list[dict[str, Any]]]:
    found, part, n = [], [], 0
    for doc in docs:
        size = count(doc, most)
        if part and n + size > most:
            found.append(part)
            part, n = [], 0
        part.append(doc)
        n += size
    return [*found, part] if part else found


def timed(label: str, records: int, work: Any) -> float:
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    print(f"{label:<44} {records:>8,} records {seconds:>8.2f} s {records / seconds:>10,.0f} records/s")
    return result


class IndexedMemoryStore(InMemoryEventStore):
    """The in-memory event store with its lookups indexed: the test fake scans every commit on each append (fine for
    tests, quadratic over 22,000 records), which is not the catalogue's work this bench measures."""

    def __init__(self) -> None:
        super().__init__()
        self._by_command: dict[tuple[str | None, str], Any] = {}
        self._versions: set[tuple[str, int]] = set()
        self._streams: dict[str, list[Any]] = {}

    async def append(self, commit: Any) -> Any:
        if (earlier := self._by_command.get((commit.tenant, commit.command_id))) is not None:
            return earlier
        if (commit.stream_id, commit.first_version) in self._versions:
            return await super().append(commit)  # the fake's own ConcurrencyError
        records.check(commit.events, self._max_record_bytes)
        self.commits[commit.commit_id] = commit
        self._streams.setdefault(commit.stream_id, []).append(commit)
        self._by_command[(commit.tenant, commit.command_id)] = commit
        self._versions.add((commit.stream_id, commit.first_version))
        return commit

    async def by_command(self, command_id: str, thorough: bool = False, *, tenant: str) -> Any:
        return self._by_command.get((tenant, command_id))

    async def load(self, stream_id: str) -> list[Any]:
        return [e for c in sorted(self._streams.get(stream_id, ()), key=lambda c: c.first_version) for e in c.events]

    async def first(self, stream_id: str) -> Any:
        return next((c.events[0] for c in self._streams.get(stream_id, ()) if c.first_version == 1 and c.events), None)


async def deps_of(store: str) -> tuple[Deps, Any]:
    if store == "memory":
        return Deps(store=IndexedMemoryStore(), views=InMemoryViews()), None
    from pymongo import AsyncMongoClient

    from services.catalogue.adapters.views_mongo import MongoViews
    from services.plumbing.eventstore.mongo import MongoEventStore
    from services.plumbing.settings import Settings
    settings = Settings().model_copy(update={"db_prefix": f"bench{uuid.uuid4().hex[:8]}_"})
    client: Any = AsyncMongoClient(settings.mongo_url, serverSelectionTimeoutMS=3000)
    store_ = MongoEventStore(client, settings.database("catalogue"), settings.kafka_max_message_bytes)
    await store_.create_indexes()
    views = MongoViews(client, settings.database("catalogue"))
    await views.create_indexes()
    return Deps(store=store_, views=views), (client, settings.database("catalogue"))


async def main(args: argparse.Namespace) -> None:
    orgs, svcs = catalogue(args.services, args.per_org)
    every = objects(orgs, svcs)
    total = len(every)
    print(f"{args.services:,} services, {len(orgs):,} organisations, {len(orgs):,} locations: {total:,} records; "
          f"store {args.store}")
    docs = [*orgs, *svcs]
    timed("baseline: jsonschema validation alone", total,  # what the import validates: each file object, nested
          lambda: [errors(SCHEMAS, "organization", o) for o in orgs] + [errors(SCHEMAS, "service", s) for s in svcs])
    items = timed("parse (schema check + mapping)", total,
                  lambda: [i for part in parts(docs) for i in hsds.parse(part, SCHEMAS)])
    deps, cleanup = await deps_of(args.store)
    start = time.perf_counter()
    reports = []
    for i, part in enumerate(parts(docs)):
        reports += await import_records(hsds.parse(part, SCHEMAS), TENANT, f"bench-{i:05d}-{uuid.uuid4().hex[:8]}",
                                        CTX, deps)
    seconds = time.perf_counter() - start
    landed = sum(r.outcome == "created" for r in reports)
    print(f"{'import (parse + commands + query model)':<44} {total:>8,} records {seconds:>8.2f} s "
          f"{total / seconds:>10,.0f} records/s  ({landed:,} created, "
          f"{sum(r.outcome == 'rejected' for r in reports):,} rejected)")
    assert len(items) == total
    start = time.perf_counter()
    exported = await hsds_export.catalogue(TENANT, deps)
    read = time.perf_counter() - start
    out = timed(f"export (read {read:.2f} s + render)", total, lambda: (
        hsds.export("organization", exported)["contents"], hsds.export("service", exported)["contents"]))
    pages = timed("export in pages of 500 (ExportHsdsPage)", len(svcs), lambda: _paged(exported))
    assert pages == len(svcs)
    pairs = [("organization", d) for d in out[0]] + [("service", d) for d in out[1]]
    files = timed("to the CSV data package", total, lambda: tabular.to_package(pairs, SCHEMAS))
    back = timed("from the CSV data package", total, lambda: tabular.from_package(files, SCHEMAS))
    print(f"round trip JSON → CSV → JSON the same: {back == pairs}; "
          f"package {sum(len(t) for t in files.values()) / 1e6:.1f} MB")
    if cleanup is not None:
        client, database = cleanup
        await client.drop_database(database)
        await client.close()


def _paged(catalogue: hsds_export.Catalogue) -> int:
    start, n = 0, 0
    while start is not None:
        page, _, start = hsds.export_page("service", catalogue, start, 500)
        n += len(page)
    return n


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--per-org", type=int, default=10)
    parser.add_argument("--store", choices=("memory", "mongo"), default="memory")
    asyncio.run(main(parser.parse_args()))
