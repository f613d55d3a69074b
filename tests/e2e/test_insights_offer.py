"""Gaps in the offer and self-reliance by cohort (issue 7, questions 2 and 6) against the running services: the
catalogue's services through its gRPC API, questions and clients through intake's, referrals through referral's, read
back through InsightsService (threshold 1, so every hand-worked number is visible; suppression has its own tests)."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.envelope import Role
from contracts.proto import catalogue_pb2 as cat
from contracts.proto import referral_pb2 as pb
from services.insights.domain.questions_per_theme import month_of
from tests.e2e.test_insights_policy import cli
from tests.e2e.test_insights_views import four_services  # noqa: F401  (the fixture)
from tests.e2e.test_referral_e2e import A, Stubs, cid, learnt, refer
from tests.e2e.test_walking_skeleton import KORTRIJK, eventually

pytestmark = pytest.mark.e2e
NOW = datetime.now(UTC).isoformat()


async def catalogue(s: Stubs) -> str:
    """Housing in Arabic (room); work in Arabic, but full; nothing in Pashto or Tigrinya."""
    c = s.catalogue()
    await c.RegisterOrganization(cat.RegisterOrganizationRequest(command_id=cid(), organization_id=A,
                                                                 organization=cat.Organization(name=A)))
    housing = await c.RegisterService(cat.RegisterServiceRequest(command_id=cid(), service=cat.Service(
        organization_id=A, name="woonloket", themes=["housing"], languages=["nl", "ar"])))
    await c.RegisterService(cat.RegisterServiceRequest(command_id=cid(), service=cat.Service(
        organization_id=A, name="jobhuis", themes=["work"], languages=["nl", "ar"],
        capacity=cat.Capacity(available=0, updated=NOW, waiting_list=True))))
    return housing.id


async def test_gaps_in_the_offer_are_ranked_by_the_questions_left_unmet(four_services: Stubs, token,
                                                                        secrets: Path) -> None:
    s = four_services
    await catalogue(s)
    asked = ((["housing"], ["ar"], 3),            # covered by the woonloket: no gap
             (["housing.search"], ["ps"], 2),     # housing (top level) in Pashto: no service → gap "none", 2
             (["work"], ["ar"], 4),               # work in Arabic: only the full jobhuis → "no-capacity", 4
             (["work"], ["ti", "ar"], 1))         # Tigrinya: none (1); and one more for work in Arabic (4 + 1 = 5)
    for themes, languages, n in asked:
        for _ in range(n):
            await s.intake.register_question(themes=themes, **{**KORTRIJK, "client_languages": languages})
    policy = s.intake.as_(token(Role.POLICY, "kortrijk"))
    expected = [("work", "ar", "*", 5, "no-capacity", 1), ("housing", "ps", "*", 2, "none", 0),
                ("work", "ti", "*", 1, "none", 0)]

    def gaps(r) -> list[tuple]:
        return [(g.theme, g.language, g.office, g.questions.value, g.supply, g.services_full) for g in r.gaps]
    reply = await eventually(lambda: policy.gaps_in_offer(), lambda r: gaps(r) == expected)  # every question in
    assert gaps(reply) == expected
    csv = cli(s.intake, secrets, token(Role.POLICY, "kortrijk"), "gaps", "kortrijk", "--csv")
    assert csv.splitlines() == ["theme,language,office,questions,supply,services_full", "work,ar,*,5,no-capacity,1",
                                "housing,ps,*,2,none,0", "work,ti,*,1,none,0"]
    sub = await policy.gaps_in_offer(level="sub", by_office=True)
    assert [(g.theme, g.language, g.office, g.questions.value, g.supply) for g in sub.gaps] == [
        ("housing.search", "ps", "huis-van-de-kortrijkzaan", 2, "none")]  # the woonloket has no Pashto either


async def test_later_referrals_of_returning_clients_count_in_the_cohort_of_their_first_visit(
        four_services: Stubs, token, settings) -> None:
    s = four_services
    svc = await catalogue(s)
    front, partner = s.referral(Role.FRONT_OFFICE, "kortrijk"), s.referral(Role.PARTNER, partner=A)
    for first_visit, alone in (("2026-03-10T09:30:00+01:00", True), ("2026-03-20T09:30:00+01:00", False),
                               ("", True)):  # the last client's first visit is today: not a later referral
        client = (await s.intake.intake_call("RegisterClient")).client_id
        await s.intake.intake_call("RecordConsent", client_id=client, referral_sharing=True)
        for at in (first_visit, ""):  # "": now
            again = (await s.intake.intake_call("RegisterQuestion", client_id=client,
                                                **{**KORTRIJK, "themes": ["housing"], "occurred_at": at})).question_id
        if first_visit:  # the two questions are on different partitions: wait until referral has read the first
            await learnt(settings, "clients", client, {"since": first_visit[:10]})
        referral = (await refer(front, again, svc)).referral_id
        for call, fields in (("Accept", {}), ("Start", {}), ("Complete", {"outcome": "got-help", "went_alone": alone})):
            await getattr(partner, call)(pb.PartnerRequest(command_id=cid(), referral_id=referral, **fields))
    policy = s.intake.as_(token(Role.POLICY, "kortrijk"))
    reply = await eventually(lambda: policy.self_reliance(), lambda r: r.total.completed.value == 2)
    this_month = month_of(datetime.now(UTC))
    assert [(r.cohort, r.period, r.completed.value, r.went_alone.value, r.share_went_alone) for r in reply.rows] == [
        ("2026-03", this_month, 2, 1, 0.5)]
    assert (reply.total.completed.value, reply.total.went_alone.value, reply.total.share_went_alone) == (2, 1, 0.5)
