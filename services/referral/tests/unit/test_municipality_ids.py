"""Every id a referral request names is resolved inside the caller's municipality (issue 13.1): another
municipality's and an unknown one answer NOT_FOUND naming the field, with the same words, and write nothing; ids are
per municipality, so two municipalities may both have referral "r-1", each its own."""
from __future__ import annotations

import pytest

from services.plumbing.errors import InvalidArgument, NotFound
from services.referral.application import queries as q
from services.referral.application.handlers import handle
from services.referral.domain import commands as c
from services.referral.tests.support import (
    FRONT, PARTNER, PARTNER_CTX, TENANT, args, deps_with, stream, upstream)

OTHER = "brugge"
REFER = dict(question_id="q-1", service_id="svc-1", mode="information")


async def both_municipalities(partner_there: str = "vzw-brugge"):
    """Kortrijk's and Brugge's question q-1, service svc-1 and client cl-1 (the same ids), each with consent."""
    return await deps_with(*upstream(), *upstream(tenant=OTHER, organization=partner_there))


async def words(call, value: str) -> tuple[str | None, str]:
    with pytest.raises(NotFound) as unknown:
        await call(value)
    return unknown.value.field, str(unknown.value).replace(repr(value), "…")


async def test_the_same_referral_id_in_two_municipalities_is_two_referrals() -> None:
    deps = await both_municipalities()
    theirs = await handle(c.ReferToService(**args(tenant=OTHER, referral_id="r-1", **REFER)), FRONT, deps)
    ours = await handle(c.ReferToService(**args(tenant=TENANT, referral_id="r-1", **REFER)), FRONT, deps)
    assert theirs == ours == {"referral_id": "r-1", "status": "requested", "version": 2}
    assert {d["tenant"]: d["organization_id"] for d in deps.views.docs.values()} == {
        TENANT: PARTNER, OTHER: "vzw-brugge"}
    assert stream("r-1") in deps.views.docs and stream("r-1", OTHER) in deps.views.docs


async def test_a_referral_of_another_municipality_is_as_unknown_as_none() -> None:
    deps = await both_municipalities()
    await handle(c.ReferToService(**args(tenant=OTHER, referral_id="r-b", **REFER)), FRONT, deps)
    before = dict(deps.store.commits)
    for make in (lambda rid: c.MarkEnteredInError(**args(tenant=TENANT, referral_id=rid)),
                 lambda rid: c.Cancel(**args(tenant=TENANT, referral_id=rid, by="requester", reason="duplicate"))):
        said = {await words(lambda rid: handle(make(rid), FRONT, deps), rid) for rid in ("r-b", "r-none")}
        assert said == {("referral_id", "referral_id: referral … does not exist")}
    said = {await words(lambda rid: q.get_referral(deps, TENANT, rid), rid) for rid in ("r-b", "r-none")}
    assert said == {("referral_id", "referral_id: referral … does not exist")}
    assert deps.store.commits == before


async def test_lists_name_a_question_and_an_office_of_the_municipality_only() -> None:
    deps = await deps_with(*upstream(), *upstream(question="q-b", tenant=OTHER))
    page = q.ListQuery(tenant=TENANT)
    assert (await q.of_question(deps, page, "q-1")).referrals == []
    assert (await q.open_of_office(deps, page, "office-1")).referrals == []
    theirs = await deps_with(*upstream(tenant=OTHER))  # Brugge has office-1; Kortrijk none
    for call, ids in [(lambda v: q.of_question(deps, page, v), ("q-b", "q-none")),
                      (lambda v: q.open_of_office(theirs, page, v), ("office-1", "office-none")),
                      (lambda v: q.overdue(theirs, page, v), ("office-1", "office-none"))]:
        said = {await words(call, v) for v in ids}
        assert len(said) == 1 and next(iter(said))[0] in {"question_id", "office_id"}, said


async def test_a_partner_finds_its_referral_in_whichever_municipality_addressed_it() -> None:
    deps = await both_municipalities(partner_there=PARTNER)  # one partner serving both municipalities
    await handle(c.ReferToService(**args(tenant=OTHER, referral_id="r-b", **REFER)), FRONT, deps)
    accepted = await handle(c.Accept(**args(referral_id="r-b", organization_id=PARTNER)), PARTNER_CTX, deps)
    assert accepted["status"] == "accepted" and deps.views.docs[stream("r-b", OTHER)]["status"] == "accepted"
    with pytest.raises(NotFound, match="^referral_id: referral 'r-b' does not exist$"):
        await handle(c.Start(**args(referral_id="r-b", organization_id="vzw-elders")), PARTNER_CTX, deps)


async def test_a_partner_addressed_under_one_id_by_two_municipalities_names_the_one() -> None:
    deps = await both_municipalities(partner_there=PARTNER)
    for tenant in (OTHER, TENANT):
        await handle(c.ReferToService(**args(tenant=tenant, referral_id="r-1", **REFER)), FRONT, deps)
    with pytest.raises(InvalidArgument, match="^tenant: referral 'r-1' is addressed to you by 2 municipalities"):
        await handle(c.Accept(**args(referral_id="r-1", organization_id=PARTNER)), PARTNER_CTX, deps)
    await handle(c.Accept(**args(tenant=OTHER, referral_id="r-1", organization_id=PARTNER)), PARTNER_CTX, deps)
    assert deps.views.docs[stream("r-1", OTHER)]["status"] == "accepted"
    assert deps.views.docs[stream("r-1")]["status"] == "requested"


async def test_a_new_referral_id_differs_per_municipality_for_the_same_command_id() -> None:
    deps = await both_municipalities(partner_there=PARTNER)
    ids = {(await handle(c.ReferToService(command_id="same-command", tenant=t, **REFER), FRONT, deps))["referral_id"]
           for t in (TENANT, OTHER)}
    assert len(ids) == 2  # so a partner both address never needs to name the municipality


async def test_a_command_id_used_in_another_municipality_is_as_unused_for_a_partner_too() -> None:
    deps = await both_municipalities(partner_there=PARTNER)
    for tenant in (OTHER, TENANT):
        await handle(c.ReferToService(**args(tenant=tenant, referral_id=f"r-{tenant}", **REFER)), FRONT, deps)
    await handle(c.Accept(command_id="partner-cmd-1", referral_id=f"r-{OTHER}", organization_id=PARTNER),
                 PARTNER_CTX, deps)
    ours = await handle(c.Accept(command_id="partner-cmd-1", referral_id=f"r-{TENANT}", organization_id=PARTNER),
                        PARTNER_CTX, deps)
    assert ours == {"referral_id": f"r-{TENANT}", "status": "accepted", "version": 4}


async def test_a_partner_never_gets_the_answer_given_about_another_partners_referral() -> None:
    deps = await deps_with(*upstream(), *upstream(question="q-2", service="svc-2", organization="vzw-elders"))
    await handle(c.ReferToService(**args(tenant=TENANT, referral_id="r-1", **REFER)), FRONT, deps)
    await handle(c.ReferToService(**args(tenant=TENANT, referral_id="r-2", question_id="q-2", service_id="svc-2",
                                         mode="information")), FRONT, deps)
    await handle(c.Accept(command_id="reused-cmd", referral_id="r-2", organization_id="vzw-elders"), PARTNER_CTX, deps)
    with pytest.raises(InvalidArgument, match="^command_id: used before for another referral"):
        await handle(c.Accept(command_id="reused-cmd", referral_id="r-1", organization_id=PARTNER), PARTNER_CTX, deps)
    with pytest.raises(NotFound, match="^referral_id:"):  # and never its answer about a referral not its own
        await handle(c.Accept(command_id="reused-cmd", referral_id="r-2", organization_id=PARTNER), PARTNER_CTX, deps)
