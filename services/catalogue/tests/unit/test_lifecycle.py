"""Register, update, verify, close, link: every change an event; retries and no-op changes record nothing."""
from datetime import date

import pytest
from pydantic import ValidationError

from services.catalogue.application.handlers import Deps, handle
from services.catalogue.domain import commands as c
from services.catalogue.tests.support import CTX, TENANT, cid, location, offered, organization, stream
from services.plumbing.errors import FailedPrecondition, NotFound


async def events(deps: Deps, entity_id: str, kind: str = "service") -> list[tuple[str, dict]]:
    return [(e.type, e.payload) for e in await deps.store.load(stream(kind, entity_id))]


async def test_registration_records_the_full_record_with_tenant_and_actor(deps: Deps) -> None:
    org = await organization(deps)
    sid = await offered(deps, org)
    [event] = await deps.store.load(stream("service", sid))
    assert event.type == "ServiceRegistered" and event.tenant == TENANT and event.actor == CTX.actor
    assert event.payload["record"]["languages"] == ["nl", "ar"] and event.payload["record"]["organization_id"] == org
    assert (await deps.views.get("service", TENANT, sid))["languages"] == ["nl", "ar"]


async def test_a_retried_command_returns_the_first_answer_and_writes_nothing(deps: Deps) -> None:
    org = await organization(deps)
    cmd = c.RegisterService(command_id="cmd-retry-1", tenant=TENANT, record={"name": "X", "organization_id": org})
    first, again = await handle(cmd, CTX, deps), await handle(cmd, CTX, deps)
    assert first == again and len(await deps.store.load(stream("service", first["id"]))) == 1


async def test_update_records_only_what_changed_and_who_changed_it(deps: Deps) -> None:
    sid = await offered(deps, await organization(deps))
    result = await handle(c.UpdateService(command_id=cid(), tenant=TENANT, entity_id=sid,
                                          changes={"name": "Woonloket", "languages": ["nl", "ar", "uk"]}), CTX, deps)
    assert result == {"id": sid, "version": 2, "changed": True}
    assert (await events(deps, sid))[-1] == ("ServiceUpdated", {"service_id": sid, "changes": {
        "languages": ["nl", "ar", "uk"]}})
    assert (await deps.store.load(stream("service", sid)))[-1].actor.staff_id == "staff-3"
    assert (await deps.views.get("service", TENANT, sid))["version"] == 2


async def test_an_update_that_changes_nothing_records_nothing(deps: Deps) -> None:
    sid = await offered(deps, await organization(deps))
    result = await handle(c.UpdateService(command_id=cid(), tenant=TENANT, entity_id=sid,
                                          changes={"languages": ["ara", "nl"]}), CTX, deps)
    assert result["changed"] is True  # order of languages is part of the record
    same = await handle(c.UpdateService(command_id=cid(), tenant=TENANT, entity_id=sid,
                                        changes={"languages": ["ar", "nl"]}), CTX, deps)
    assert same == {"id": sid, "version": 2, "changed": False}


async def test_an_invalid_change_names_the_field(deps: Deps) -> None:
    sid = await offered(deps, await organization(deps))
    with pytest.raises(ValidationError, match="unknown theme"):
        await handle(c.UpdateService(command_id=cid(), tenant=TENANT, entity_id=sid,
                                     changes={"themes": ["astrology"]}), CTX, deps)


async def test_verify_sets_the_assured_date(deps: Deps) -> None:
    sid = await offered(deps, await organization(deps))
    await handle(c.VerifyService(command_id=cid(), tenant=TENANT, entity_id=sid, assured_date=date(2026, 11, 20)),
                 CTX, deps)
    assert (await events(deps, sid))[-1] == ("ServiceVerified", {"service_id": sid, "assured_date": "2026-11-20"})
    assert (await deps.views.get("service", TENANT, sid))["record"]["assured_date"] == "2026-11-20"


async def test_a_service_is_closed_never_deleted_and_defunct_is_final(deps: Deps) -> None:
    sid = await offered(deps, await organization(deps))
    await handle(c.CloseService(command_id=cid(), tenant=TENANT, entity_id=sid, status="temporarily closed",
                                reason="verbouwing"), CTX, deps)
    with pytest.raises(FailedPrecondition, match="already temporarily closed"):
        await handle(c.CloseService(command_id=cid(), tenant=TENANT, entity_id=sid, status="temporarily closed",
                                    reason="verbouwing"), CTX, deps)
    await handle(c.UpdateService(command_id=cid(), tenant=TENANT, entity_id=sid, changes={"status": "active"}),
                 CTX, deps)
    await handle(c.CloseService(command_id=cid(), tenant=TENANT, entity_id=sid, status="defunct",
                                reason="gestopt"), CTX, deps)
    for late in (c.UpdateService(command_id=cid(), tenant=TENANT, entity_id=sid, changes={"name": "Terug"}),
                 c.VerifyService(command_id=cid(), tenant=TENANT, entity_id=sid)):
        with pytest.raises(FailedPrecondition, match="defunct"):
            await handle(late, CTX, deps)
    doc = await deps.views.get("service", TENANT, sid)
    assert doc["status"] == "defunct" and doc["record"]["name"] == "Woonloket"


async def test_a_service_needs_a_known_organisation_of_its_municipality(deps: Deps) -> None:
    """Another municipality's organisation and one of none: NOT_FOUND naming the field, in the same words."""
    other = await organization(deps, tenant="brugge")
    said = []
    for owner in (other, "org-none"):
        with pytest.raises(NotFound) as unknown:
            await offered(deps, owner)
        assert unknown.value.field == "service.organization_id"
        said.append(str(unknown.value).replace(repr(owner), "…"))
    assert said == ["service.organization_id: organization … does not exist"] * 2


async def test_another_municipality_sees_nothing(deps: Deps) -> None:
    sid = await offered(deps, await organization(deps))
    with pytest.raises(NotFound):
        await handle(c.UpdateService(command_id=cid(), tenant="brugge", entity_id=sid, changes={"name": "X"}),
                     CTX, deps)
    with pytest.raises(NotFound):
        await handle(c.VerifyService(command_id=cid(), tenant=TENANT, entity_id="no-such-service"), CTX, deps)


async def test_linking_a_service_to_a_location_is_recorded_once(deps: Deps) -> None:
    org = await organization(deps)
    loc = await location(deps, org)
    sid = await offered(deps, org, loc)
    again = await handle(c.LinkServiceAtLocation(command_id=cid(), tenant=TENANT, service_id=sid, location_id=loc),
                         CTX, deps)
    assert again["changed"] is False
    assert [t for t, _ in await events(deps, sid)] == ["ServiceRegistered", "ServiceAtLocationLinked"]
    assert (await deps.views.get("service", TENANT, sid))["links"][0]["location_id"] == loc


async def test_a_closed_location_takes_no_new_services(deps: Deps) -> None:
    org = await organization(deps)
    loc = await location(deps, org)
    await handle(c.CloseLocation(command_id=cid(), tenant=TENANT, entity_id=loc, reason="verhuisd"), CTX, deps)
    with pytest.raises(FailedPrecondition, match="closed"):
        await offered(deps, org, loc)


async def test_organisations_update_and_close_too(deps: Deps) -> None:
    org = await organization(deps)
    await handle(c.UpdateOrganization(command_id=cid(), tenant=TENANT, entity_id=org,
                                      changes={"kbo_number": "0123456789"}), CTX, deps)
    await handle(c.CloseOrganization(command_id=cid(), tenant=TENANT, entity_id=org, reason="fusie"), CTX, deps)
    assert [t for t, _ in await events(deps, org, "organization")] == [
        "OrganizationRegistered", "OrganizationUpdated", "OrganizationClosed"]
    assert (await deps.views.get("organization", TENANT, org))["record"]["kbo_number"] == "0123456789"
