"""Ids are per municipality (issue 13.1): every id a catalogue request names is resolved inside the caller's
municipality (another municipality's and an unknown one answer NOT_FOUND naming the field, with the same words, and
write nothing), and an id a request chooses that another municipality uses makes a record of the caller's own."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from contracts.envelope import Actor, Role
from contracts.events.catalogue import OrganizationRegistered, OrganizationRecord
from services.catalogue.application import queries
from services.catalogue.application.handlers import Deps, handle
from services.catalogue.domain import commands as c
from services.catalogue.tests.support import (
    CTX, EXAMPLES, TENANT, cid, import_document, location, offered, organization, outcomes, stream)
from services.plumbing.errors import NotFound
from services.plumbing.eventstore import Commit

OTHER = "brugge"


async def test_an_id_another_municipality_uses_is_free_in_ones_own(deps: Deps) -> None:
    for tenant in (OTHER, TENANT):
        made = await handle(c.RegisterOrganization(command_id=cid(), tenant=tenant, organization_id="ocmw",
                                                   record={"name": f"OCMW {tenant}"}), CTX, deps)
        assert made == {"id": "ocmw", "version": 1, "changed": True}
    for tenant in (OTHER, TENANT):
        assert (await deps.views.get("organization", tenant, "ocmw"))["record"]["name"] == f"OCMW {tenant}"
        [registered] = await deps.store.load(stream("organization", "ocmw", tenant))
        assert registered.tenant == tenant and registered.payload["organization_id"] == "ocmw"


async def commands_naming(deps: Deps, sid: str, loc: str, org: str) -> list[tuple[str, object]]:
    """(field, a command naming the ids) for every catalogue command that names an existing record."""
    def t(**kw: object) -> dict:
        return {"command_id": cid(), "tenant": TENANT, **kw}
    return [
        ("id", c.UpdateService(**t(entity_id=sid, changes={"name": "X"}))),
        ("id", c.VerifyService(**t(entity_id=sid))),
        ("id", c.CloseService(**t(entity_id=sid, reason="Stopt ermee"))),
        ("id", c.UpdateOrganization(**t(entity_id=org, changes={"name": "X"}))),
        ("id", c.CloseOrganization(**t(entity_id=org, reason="Stopt ermee"))),
        ("id", c.UpdateLocation(**t(entity_id=loc, changes={"name": "X"}))),
        ("id", c.CloseLocation(**t(entity_id=loc, reason="Verhuisd"))),
        ("service.organization_id", c.RegisterService(**t(record={"name": "X", "organization_id": org}))),
        ("location.organization_id", c.RegisterLocation(**t(record={"name": "X", "organization_id": org}))),
        ("changes.organization_id", c.UpdateService(**t(entity_id=sid, changes={"organization_id": org}))),
    ]


async def test_every_id_of_another_municipality_is_as_unknown_as_none(deps: Deps) -> None:
    ours = await organization(deps)
    our_service, our_location = await offered(deps, ours), await location(deps, ours)
    theirs = await organization(deps, tenant=OTHER)
    their_service = (await handle(c.RegisterService(command_id=cid(), tenant=OTHER, record={
        "name": "Y", "organization_id": theirs}), CTX, deps))["id"]
    their_location = (await handle(c.RegisterLocation(command_id=cid(), tenant=OTHER, record={
        "name": "Y", "organization_id": theirs}), CTX, deps))["id"]
    before = dict(deps.store.commits)
    foreign = await commands_naming(deps, their_service, their_location, theirs)
    unknown = await commands_naming(deps, "svc-none", "loc-none", "org-none")
    links = [("service_id", lambda s, loc: c.LinkServiceAtLocation(command_id=cid(), tenant=TENANT, service_id=s,
                                                                    location_id=our_location)),
             ("location_id", lambda s, loc: c.LinkServiceAtLocation(command_id=cid(), tenant=TENANT,
                                                                     service_id=our_service, location_id=loc))]
    for field, make in links:
        foreign.append((field, make(their_service, their_location)))
        unknown.append((field, make("svc-none", "loc-none")))
    for (field, a), (_, b) in zip(foreign, unknown, strict=True):
        said = []
        for cmd in (a, b):
            with pytest.raises(NotFound) as refused:
                await handle(cmd, CTX, deps)
            assert refused.value.field == field, (type(cmd).__name__, str(refused.value))
            said.append(str(refused.value).replace(repr(refused.value.value), "…"))
        assert said[0] == said[1], said
    said = set()
    for sid in (their_service, "svc-none"):
        with pytest.raises(NotFound) as refused:
            await queries.get(deps, "service", TENANT, sid)
        said.add((refused.value.field, str(refused.value).replace(repr(sid), "…")))
    assert said == {("id", "id: service … does not exist")}
    assert deps.store.commits == before


async def test_two_municipalities_import_the_same_hsds_file_each_its_own(deps: Deps) -> None:
    document = json.loads((EXAMPLES / "organization_full.json").read_text())
    theirs = await import_document(deps, document, tenant=OTHER)
    ours = await import_document(deps, document)
    assert outcomes(ours) == outcomes(theirs) and set(outcomes(ours)) == {"created"}
    assert [r.id for r in ours] == [r.id for r in theirs]  # the same ids, each municipality's own record
    assert outcomes(await import_document(deps, document)) == {"unchanged": len(ours)}


async def test_a_record_from_before_ids_were_per_municipality_stays_on_its_stream(deps: Deps) -> None:
    """A deployed event store holds streams named by the bare id: their records go on there, never split."""
    old = Commit.of([OrganizationRegistered(organization_id="org-old", record=OrganizationRecord(name="Oud"))],
                    stream_id="org-old", first_version=1, tenant=TENANT, actor=Actor(staff_id="s", role=Role.ADMIN),
                    command_id="legacy-cmd-1", correlation_id="c", occurred_at=datetime.now(UTC), result={})
    await deps.store.append(old)
    changed = await handle(c.UpdateOrganization(command_id=cid(), tenant=TENANT, entity_id="org-old",
                                                changes={"name": "Nieuw"}), CTX, deps)
    assert changed == {"id": "org-old", "version": 2, "changed": True}
    assert [e.stream_version for e in await deps.store.load("org-old")] == [1, 2]
    assert await deps.store.load(stream("organization", "org-old")) == []
    assert (await deps.views.get("organization", TENANT, "org-old"))["stream"] == "org-old"
    with pytest.raises(NotFound):  # another municipality's bare-id stream is not theirs to continue
        await handle(c.UpdateOrganization(command_id=cid(), tenant=OTHER, entity_id="org-old",
                                          changes={"name": "X"}), CTX, deps)
