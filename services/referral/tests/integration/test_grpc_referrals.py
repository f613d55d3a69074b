"""The referral API over gRPC on the real FerretDB: the whole lifecycle, the lists, refusals with their reasons."""
from __future__ import annotations

import uuid
from datetime import timedelta

import grpc
import pytest

from contracts.envelope import Role
from contracts.proto import referral_pb2 as pb
from services.referral.application.overdue import flag_overdue
from services.referral.tests.support import OTHER_PARTNER, PARTNER, TENANT, upstream

pytestmark = pytest.mark.integration


def cid() -> str:
    return uuid.uuid4().hex


async def seed(deps, **kw) -> None:
    for e in upstream(**kw):
        await deps.reference.learn(e)


async def refer(front, question: str = "q-1", **kw) -> pb.ReferralReply:
    return await front.ReferToService(pb.ReferToServiceRequest(
        command_id=cid(), question_id=question, service_id="svc-1", mode="warm-handoff", **kw))


async def refused(call, code: grpc.StatusCode) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == code, caught.value.details()
    return caught.value.details()


async def test_a_referral_goes_through_its_lifecycle_and_the_question_shows_the_outcome(api, deps) -> None:
    await seed(deps)
    front, partner = api(Role.FRONT_OFFICE, TENANT), api(Role.PARTNER, partner=PARTNER)
    made = await refer(front, note="rent contract")
    rid = made.referral_id
    assert made.status == "requested"
    for call, req, status in [
            ("Accept", {}, "accepted"), ("Start", {}, "in-progress"), ("Hold", {"reason": "waiting-list"}, "on-hold"),
            ("Resume", {}, "in-progress"), ("Complete", {"outcome": "partly", "went_alone": True}, "completed")]:
        reply = await getattr(partner, call)(pb.PartnerRequest(command_id=cid(), referral_id=rid, **req))
        assert reply.status == status
    page = await front.ListReferralsOfQuestion(pb.ListReferralsOfQuestionRequest(question_id="q-1"))
    [shown] = page.referrals
    assert (shown.status, shown.outcome, shown.went_alone, shown.partner_id) == ("completed", "partly", True, PARTNER)
    detail = await front.GetReferral(pb.GetReferralRequest(referral_id=rid))
    assert [h.type for h in detail.history] == [
        "ReferralRequested", "ReferralAccepted", "ReferralStarted", "ReferralPutOnHold", "ReferralResumed",
        "ReferralCompleted"]
    assert (await front.ListOpenReferralsOfOffice(pb.ListOpenReferralsOfOfficeRequest(office_id="office-1"))) \
        .referrals == []


async def test_refusals_name_their_reason(api, deps) -> None:
    await seed(deps, consent=False)
    front = api(Role.FRONT_OFFICE, TENANT)
    details = await refused(refer(front), grpc.StatusCode.FAILED_PRECONDITION)
    assert details.startswith("consent:")
    details = await refused(refer(front, question="q-unknown"), grpc.StatusCode.NOT_FOUND)
    assert details == "question_id: question 'q-unknown' does not exist"
    details = await refused(front.ReferToService(pb.ReferToServiceRequest(
        command_id=cid(), question_id="q-1", service_id="svc-1", mode="telepathy")), grpc.StatusCode.INVALID_ARGUMENT)
    assert details.startswith("mode:")


async def test_partners_see_only_their_own_referrals_and_reasons_are_required(api, deps) -> None:
    await seed(deps)
    rid = (await refer(api(Role.FRONT_OFFICE, TENANT))).referral_id
    other = api(Role.PARTNER, partner=OTHER_PARTNER)
    await refused(other.Accept(pb.PartnerRequest(command_id=cid(), referral_id=rid)), grpc.StatusCode.NOT_FOUND)
    await refused(api(Role.FRONT_OFFICE, "brugge").GetReferral(pb.GetReferralRequest(referral_id=rid)),
                  grpc.StatusCode.NOT_FOUND)
    partner = api(Role.PARTNER, partner=PARTNER)
    details = await refused(partner.Reject(pb.PartnerRequest(command_id=cid(), referral_id=rid)),
                            grpc.StatusCode.INVALID_ARGUMENT)
    assert details.startswith("reason:")
    reply = await partner.Reject(pb.PartnerRequest(command_id=cid(), referral_id=rid, reason="language"))
    assert reply.status == "rejected"
    details = await refused(partner.Accept(pb.PartnerRequest(command_id=cid(), referral_id=rid)),
                            grpc.StatusCode.FAILED_PRECONDITION)
    assert "cannot accept a referral that is rejected" in details


async def test_open_referrals_of_an_office_are_paginated_and_overdue_ones_listed(api, deps) -> None:
    for i in range(3):
        await seed(deps, question=f"q-{i}", client=f"cl-{i}")
    front = api(Role.FRONT_OFFICE, TENANT)
    made = [(await refer(front, question=f"q-{i}")).referral_id for i in range(3)]
    first = await front.ListOpenReferralsOfOffice(pb.ListOpenReferralsOfOfficeRequest(office_id="office-1",
                                                                                      page_size=2))
    second = await front.ListOpenReferralsOfOffice(pb.ListOpenReferralsOfOfficeRequest(
        office_id="office-1", page_size=2, page_token=first.next_page_token))
    listed = [r.referral_id for r in [*first.referrals, *second.referrals]]
    assert sorted(listed) == sorted(made) and len(first.referrals) == 2 and not second.next_page_token
    later = deps.now() + timedelta(hours=80)
    deps.now = lambda: later
    assert await flag_overdue(deps, hours=72) == 3
    overdue = await front.ListOverdue(pb.ListOverdueRequest())
    assert sorted(r.referral_id for r in overdue.referrals) == sorted(made)
    assert all(r.overdue for r in overdue.referrals)


async def test_a_retried_referral_gets_its_first_answer_even_after_it_moved_on(api, deps) -> None:
    """A front-office app that lost the reply sends ReferToService again with the same command id: it gets the same
    referral back (no second referral, no refusal), also when the partner has accepted it in between."""
    await seed(deps)
    front, partner = api(Role.FRONT_OFFICE, TENANT), api(Role.PARTNER, partner=PARTNER)
    request = pb.ReferToServiceRequest(command_id=cid(), question_id="q-1", service_id="svc-1", mode="warm-handoff")
    first = await front.ReferToService(request)
    await partner.Accept(pb.PartnerRequest(command_id=cid(), referral_id=first.referral_id))
    again = await front.ReferToService(request)
    assert (again.referral_id, again.status) == (first.referral_id, "requested")  # the first answer, as it was
    page = await front.ListReferralsOfQuestion(pb.ListReferralsOfQuestionRequest(question_id="q-1"))
    assert [(r.referral_id, r.status) for r in page.referrals] == [(first.referral_id, "accepted")]


async def test_a_partners_inbox_lists_its_referrals_from_every_municipality_by_status(api, deps) -> None:
    """ListReferralsOfPartner: what is addressed to the caller's organisation, from Kortrijk and Brugge alike, one
    status or all; another partner's never; a bridge worker may not read a partner's inbox."""
    await seed(deps)
    await seed(deps, question="q-2", client="cl-2", service="svc-2", organization=OTHER_PARTNER)
    await seed(deps, question="q-3", client="cl-3", service="svc-3", tenant="brugge")

    async def referral(tenant: str, question: str, service: str) -> str:
        return (await api(Role.FRONT_OFFICE, tenant).ReferToService(pb.ReferToServiceRequest(
            command_id=cid(), question_id=question, service_id=service, mode="warm-handoff"))).referral_id

    kortrijk, theirs, brugge = (await referral(TENANT, "q-1", "svc-1"), await referral(TENANT, "q-2", "svc-2"),
                                await referral("brugge", "q-3", "svc-3"))
    partner = api(Role.PARTNER, partner=PARTNER)
    await partner.Accept(pb.PartnerRequest(command_id=cid(), referral_id=kortrijk))

    async def inbox(stub, **fields) -> list[tuple[str, str]]:
        page = await stub.ListReferralsOfPartner(pb.ListReferralsOfPartnerRequest(**fields))
        return sorted((r.referral_id, r.status) for r in page.referrals)

    assert await inbox(partner) == sorted([(kortrijk, "accepted"), (brugge, "requested")])
    assert await inbox(partner, status="requested") == [(brugge, "requested")]
    assert await inbox(partner, status="accepted") == [(kortrijk, "accepted")]
    assert await inbox(partner, status="completed") == []
    assert await inbox(api(Role.PARTNER, partner=OTHER_PARTNER)) == [(theirs, "requested")]
    assert await inbox(api(Role.ADMIN), partner_id=OTHER_PARTNER) == [(theirs, "requested")]
    first = await partner.ListReferralsOfPartner(pb.ListReferralsOfPartnerRequest(page_size=1))
    second = await partner.ListReferralsOfPartner(pb.ListReferralsOfPartnerRequest(page_size=1,
                                                                                 page_token=first.next_page_token))
    assert {first.referrals[0].referral_id, second.referrals[0].referral_id} == {kortrijk, brugge}
    details = await refused(partner.ListReferralsOfPartner(pb.ListReferralsOfPartnerRequest(status="lost")),
                            grpc.StatusCode.INVALID_ARGUMENT)
    assert details.startswith("status:")
    await refused(partner.ListReferralsOfPartner(pb.ListReferralsOfPartnerRequest(partner_id=OTHER_PARTNER)),
                  grpc.StatusCode.PERMISSION_DENIED)
    await refused(api(Role.FRONT_OFFICE, TENANT).ListReferralsOfPartner(pb.ListReferralsOfPartnerRequest()),
                  grpc.StatusCode.PERMISSION_DENIED)


async def test_one_referral_id_in_two_municipalities_over_grpc(api, deps) -> None:
    """Ids are per municipality: Kortrijk and Brugge both refer as `r-same` to one partner, which sees the
    municipality of each in its inbox and names it to act on the one it means; a bridge worker sees only its own."""
    await seed(deps)
    await seed(deps, tenant="brugge")
    for tenant in (TENANT, "brugge"):
        made = await refer(api(Role.FRONT_OFFICE, tenant), referral_id="r-same")
        assert made.referral_id == "r-same"
    partner = api(Role.PARTNER, partner=PARTNER)
    inbox = await partner.ListReferralsOfPartner(pb.ListReferralsOfPartnerRequest())
    assert sorted((r.referral_id, r.tenant) for r in inbox.referrals) == [("r-same", "brugge"), ("r-same", TENANT)]
    details = await refused(partner.Accept(pb.PartnerRequest(command_id=cid(), referral_id="r-same")),
                            grpc.StatusCode.INVALID_ARGUMENT)
    assert details.startswith("tenant: referral 'r-same' is addressed to you by 2 municipalities")
    await partner.Accept(pb.PartnerRequest(command_id=cid(), referral_id="r-same", tenant="brugge"))
    ours = await api(Role.FRONT_OFFICE, TENANT).GetReferral(pb.GetReferralRequest(referral_id="r-same"))
    theirs = await api(Role.FRONT_OFFICE, "brugge").GetReferral(pb.GetReferralRequest(referral_id="r-same"))
    assert (ours.referral.status, theirs.referral.status) == ("requested", "accepted")
    assert (ours.referral.tenant, theirs.referral.tenant) == (TENANT, "brugge")
