"""The bad-input table of ImportHsds in docs/api/catalogue.md, run for real: each row's document goes through the
servicer (in-memory event store and query model, the interceptor's mapping of errors to gRPC statuses) and the
answer and what was written are rendered as the table shows them; a row of the doc without a case here, or a case
without a row, fails too, so the doc and the code cannot drift.

Every case starts from the same catalogue of municipality `kortrijk` (`BASE`: the organisation with its location,
imported first); ids in the table are the placeholders of `NAMES`.
"""
from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contracts.envelope import Role
from contracts.proto import catalogue_pb2 as pb
from services.catalogue.adapters.views_memory import InMemoryViews
from services.catalogue.application.handlers import Deps
from services.catalogue.entrypoints.grpc_api import CatalogueServicer
from services.catalogue.tests.support import SCHEMAS
from services.plumbing import auth, statuses
from services.plumbing.eventstore.memory import InMemoryEventStore

DOC = Path(__file__).resolve().parents[4] / "docs" / "api" / "catalogue.md"
NS = uuid.UUID("7d1e2f30-5a4b-4c6d-8e9f-0a1b2c3d4e5f")
NAMES = {name: str(uuid.uuid5(NS, name)) for name in ("org", "loc", "svc", "sal", "other-org", "new-loc",
                                                           "term", "attribute")}
ORG, LOC, SVC, SAL = NAMES["org"], NAMES["loc"], NAMES["svc"], NAMES["sal"]
ADMIN = auth.Principal(staff_id="staff-9", role=Role.CATALOGUE_ADMIN, municipality="kortrijk")
BRUGGE = auth.Principal(staff_id="staff-8", role=Role.CATALOGUE_ADMIN, municipality="brugge")
CITY_TERM = {"id": NAMES["term"], "taxonomy": "Sociale kaart Kortrijk", "code": "WZ-0412",
             "name": "Buurtgerichte werking", "description": "Werking in en met de buurt."}


def organization() -> dict[str, Any]:
    return {"id": ORG, "name": "Vzw Onderdak Leie", "description": "Opvang in Kortrijk.", "locations": [{
        "id": LOC, "location_type": "physical", "organization_id": ORG, "name": "De Overzet"}]}


def service(**changes: Any) -> dict[str, Any]:
    """A valid service of the organisation, offered at its location: what each case changes one thing of."""
    return {"id": SVC, "organization_id": ORG, "name": "Nachtopvang", "status": "active",
            "languages": [{"id": str(uuid.uuid5(NS, "nl")), "service_id": SVC, "code": "nl"}],
            "schedules": [{"id": str(uuid.uuid5(NS, "schedule")), "service_id": SVC, "freq": "WEEKLY",
                           "byday": "MO,WE", "opens_at": "09:00", "closes_at": "12:00"}],
            "cost_options": [{"id": str(uuid.uuid5(NS, "cost")), "service_id": SVC, "currency": "EUR", "amount": 0}],
            "service_at_locations": [{"id": SAL, "service_id": SVC, "location_id": LOC}], **changes}


def changed(path: str, value: Any, drop: str | None = None) -> Callable[[], list[dict[str, Any]]]:
    """The service with `path` (`schedules.0.byday`) set to `value` (and the key `drop` beside it removed)."""
    def document() -> list[dict[str, Any]]:
        doc = service()
        *head, last = path.split(".")
        inner: Any = doc
        for key in head:
            inner = inner[int(key)] if key.isdigit() else inner[key]
        if isinstance(inner, list):
            inner[int(last)] = value
        else:
            inner[last] = value
            inner.pop(drop or "", None)
        return [doc]
    return document


def _twice() -> list[dict[str, Any]]:
    return [service(), service(name="Nachtopvang (tweede keer)")]


def _rejected_service_nested() -> dict[str, Any]:
    new_loc = NAMES["new-loc"]
    offered = service(email="nachtopvang.example.org")
    del offered["service_at_locations"]
    return {"id": SAL, "service_id": SVC, "location_id": new_loc, "service": offered,
            "location": {"id": new_loc, "location_type": "physical", "organization_id": ORG, "name": "Heule"}}


def _with_term() -> list[dict[str, Any]]:
    attribute = {"id": NAMES["attribute"], "link_id": SVC, "link_entity": "service",
                 "taxonomy_term_id": CITY_TERM["id"], "taxonomy_term": CITY_TERM}
    return [service(attributes=[attribute])]


def _summary() -> list[dict[str, Any]]:
    return [{"id": SVC, "organization_id": ORG, "name": "Nachtopvang (winter)", "status": "active"}]


# case (the table's first column) → (setup after BASE, the document, the caller)
CASES: dict[str, tuple[list[Any], Any, auth.Principal]] = {
    "not JSON": ([], "{", ADMIN),
    "too many objects": ([], [{}] * 5001, ADMIN),
    "an object too large": ([], [service(description="x" * 70_000)], ADMIN),
    "schema-invalid": ([], changed("status", "open"), ADMIN),
    "unknown language code": ([], changed("languages.0.code", "zz"), ADMIN),
    "a name that is no language": ([], changed("languages.0.name", "Blablabla", drop="code"), ADMIN),
    "byday XX": ([], changed("schedules.0.byday", "MO,XX"), ADMIN),
    "25:00": ([], changed("schedules.0.opens_at", "25:00"), ADMIN),
    "opens after closes": ([], changed("schedules.0.opens_at", "14:00"), ADMIN),
    "interval 0": ([], changed("schedules.0.interval", 0), ADMIN),
    "count without dtstart": ([], changed("schedules.0.count", 6), ADMIN),
    "bymonthday 0": ([], changed("schedules.0", {"id": str(uuid.uuid5(NS, "schedule")), "freq": "MONTHLY",
                                                 "bymonthday": "0", "opens_at": "09:00", "closes_at": "12:00"}),
                     ADMIN),
    "an unknown IANA zone": ([], changed("schedules.0.timezone", "Europe/Kortrijk"), ADMIN),
    "currency EURO": ([], changed("cost_options.0.currency", "EURO"), ADMIN),
    "bad date-time": ([], changed("last_modified", "gisteren om tien uur"), ADMIN),
    "bad uri": ([], changed("url", "stad kortrijk/nachtopvang"), ADMIN),
    "bad email": ([], changed("email", "nachtopvang.example.org"), ADMIN),
    "an id given twice with different contents": ([], _twice, ADMIN),
    "a service_at_location whose service is rejected": ([], _rejected_service_nested, ADMIN),
    "an organisation the file and the municipality lack": ([], changed("organization_id", NAMES["other-org"]), ADMIN),
    "an id of another municipality": ([("brugge", {"id": NAMES["other-org"], "name": "Vzw Brugge",
                                                   "description": "Opvang in Brugge."})],
                                      changed("organization_id", NAMES["other-org"]), ADMIN),
    "a summary object": ([("kortrijk", service())], _summary, ADMIN),
    "an unmapped taxonomy term": ([], _with_term, ADMIN),
}


def deps() -> Deps:
    return Deps(store=InMemoryEventStore(), views=InMemoryViews())


async def call(servicer: CatalogueServicer, principal: auth.Principal, document: Any) -> Any:
    """The answer ImportHsds gives: its response, or the status the interceptor makes of what it raised."""
    auth.bind(principal)
    text = document if isinstance(document, str) else json.dumps(document)
    try:
        return await servicer.ImportHsds(pb.ImportHsdsRequest(command_id=f"cmd-{uuid.uuid4().hex}",
                                                              document=text), None)
    except Exception as exc:  # noqa: BLE001 (what the interceptor would answer, or a crash: the test says which)
        refused = statuses.refusal(exc)
        if refused is None:
            raise
        return refused


def named(text: str) -> str:
    """`text` with the cases' ids as their placeholders, and `|` escaped as a Markdown table cell needs it."""
    for name, value in NAMES.items():
        text = text.replace(value, "{" + name + "}")
    return text.replace("|", "\\|")


def answer(result: Any) -> str:
    """The table's `answer` cell: the status and its message, or each record's outcome and reasons."""
    if isinstance(result, statuses.Refusal):
        return f"{result.code.name} `{named(result.message)}`"
    lines = []
    for r in result.records:
        said = "; ".join(f"`{named(x)}`" for x in r.reasons)
        changed_fields = f" ({', '.join(r.changed_fields)})" if r.changed_fields else ""
        lines.append(f"{r.kind} `{named(r.hsds_id)}` {r.outcome}{changed_fields}" + (f": {said}" if said else ""))
    return "<br>".join(lines)


def written(store: InMemoryEventStore, before: set[str]) -> str:
    """The table's `written` cell: the events the case appended (the query model follows them), or nothing."""
    events = [e.type for cid, c in store.commits.items() if cid not in before for e in c.events]
    return ", ".join(events) or "nothing"


async def run(case: str) -> tuple[str, str]:
    setup, document, principal = CASES[case]
    d = deps()
    servicer = CatalogueServicer(d, SCHEMAS)
    for tenant, doc in [("kortrijk", organization()), *setup]:
        done = await call(servicer, ADMIN if tenant == "kortrijk" else BRUGGE, doc)
        assert not isinstance(done, statuses.Refusal) and not done.rejected, (case, done)
    before = set(d.store.commits)
    result = await call(servicer, principal, copy.deepcopy(document() if callable(document) else document))
    return answer(result), written(d.store, before)


def table() -> dict[str, tuple[str, str]]:
    """The rows of the doc's bad-input table: case → (answer, written)."""
    text = DOC.read_text("utf-8")
    part = text.split("### Bad input of ImportHsds", 1)[1].split("\n#", 1)[0]
    rows = [line for line in part.splitlines() if line.startswith("| ") and not line.startswith(("| case", "| ---"))]
    cells = [[c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]
    return {c[0]: (c[2], c[3]) for c in cells}


def test_every_case_has_its_row_and_every_row_its_case() -> None:
    assert sorted(table()) == sorted(CASES)


@pytest.mark.parametrize("case", list(CASES))
async def test_the_answer_and_what_was_written_are_as_the_table_says(case: str) -> None:
    assert await run(case) == table()[case]
