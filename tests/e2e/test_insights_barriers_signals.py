"""Barriers and signals (issue 7, questions 5 and 8) against the running services, with the default threshold 5:
questions, clarifications and signals through intake's gRPC API, failed referrals through catalogue and referral,
read back through InsightsService, the CLI and the report. Every number is worked out by hand in the comments."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest

from contracts.envelope import Role
from contracts.proto import catalogue_pb2 as cat
from contracts.proto import referral_pb2 as pb
from services.insights.domain.questions_per_theme import month_of
from services.plumbing.settings import Settings
from tests.e2e.test_insights_policy import cli
from tests.e2e.test_report_browser import figures
from tests.e2e.test_insights_views import four
from tests.e2e.test_referral_e2e import A, QUESTION, Stubs, cid, refer
from tests.e2e.test_walking_skeleton import KORTRIJK, eventually

pytestmark = pytest.mark.e2e
MARCH = {**KORTRIJK, "occurred_at": "2026-03-10T09:30:00+01:00"}
TEXTS = ("Het woonloket heeft geen tolk Arabisch.", "Opleidingen kosten te veel en de bus rijdt er niet.",
         "Geen vertaalde brieven, zegt het loket.")


@pytest.fixture
async def services(settings: Settings, request: pytest.FixtureRequest, secrets: Path, token) -> AsyncIterator[Stubs]:
    """Intake, catalogue, referral and insights as processes, suppression at its default threshold (5)."""
    async with four(settings, request.node.name, secrets, token) as stubs:
        yield stubs


def seen(c: Any) -> int | None:
    """A Count as a number, None when hidden."""
    return None if c.suppressed else c.value


async def questions_with_barriers(s: Stubs) -> None:
    intake = s.intake
    for themes, barriers, n in ((["housing.search"], ["language", "cost"], 6), (["work"], ["cost"], 7),
                                (["work"], ["language"], 2)):
        for _ in range(n):
            await intake.register_question(themes=themes, barriers=barriers, **MARCH)
    moved = (await intake.register_question(themes=["work"], barriers=["language"], **MARCH)).question_id
    await intake.intake_call("ClarifyQuestion", question_id=moved, themes=["health"], barriers=["cost"])


async def failed_referrals(s: Stubs) -> str:
    """Six referrals to one service, accepted and failed: five for transport, one for cost. Returns the service."""
    catalogue = s.catalogue()
    await catalogue.RegisterOrganization(cat.RegisterOrganizationRequest(
        command_id=cid(), organization_id=A, organization=cat.Organization(name=A)))
    svc = (await catalogue.RegisterService(cat.RegisterServiceRequest(command_id=cid(), service=cat.Service(
        organization_id=A, name="opleidingen", themes=["work"], languages=["nl"])))).id
    client = (await s.intake.intake_call("RegisterClient")).client_id
    await s.intake.intake_call("RecordConsent", client_id=client, referral_sharing=True)
    questions = [(await s.intake.intake_call("RegisterQuestion", client_id=client, **QUESTION)).question_id
                 for _ in range(6)]  # themes housing, no barriers: they leave the question tables alone
    front, partner = s.referral(Role.FRONT_OFFICE, "kortrijk"), s.referral(Role.PARTNER, partner=A)
    for i, question in enumerate(questions):
        referral = (await refer(front, question, svc)).referral_id
        await partner.Accept(pb.PartnerRequest(command_id=cid(), referral_id=referral))
        await partner.Fail(pb.PartnerRequest(command_id=cid(), referral_id=referral,
                                             reason="barrier-transport" if i < 5 else "barrier-cost"))
    return svc


async def test_barriers_and_signals_for_policy(services: Stubs, token, secrets: Path, tmp_path: Path) -> None:
    s = services
    await questions_with_barriers(s)
    svc = await failed_referrals(s)
    for themes, barriers, named, text in ((["housing.search"], ["language"], [svc], TEXTS[0]),
                                          (["work"], ["cost", "mobility"], [svc, "VDAB Kortrijk"], TEXTS[1]),
                                          ([], ["language"], [], TEXTS[2])):
        await s.intake.intake_call("ReportSignal", office_id=KORTRIJK["office_id"], themes=themes, barriers=barriers,
                                   services=named, text=text)
    now = month_of(datetime.now(UTC))  # referrals and signals carry the time they were made
    policy = s.intake.as_(token(Role.POLICY, "kortrijk"))

    def complete(r: Any) -> bool:
        b = {t.barrier: t for t in r.barriers}
        return {"cost", "language", "mobility"} <= set(b) and seen(b["cost"].questions) == 14 and \
            len(b["mobility"].failed) == 1 and len(b["cost"].failed) == 1 and len(b["mobility"].signals) == 2 and \
            len(b["language"].signals) == 1  # every failed referral in: the sixth decides what the fifth hides
    reply = await eventually(lambda: policy.barriers(), complete)
    tables = {t.barrier: t for t in reply.barriers}
    assert sorted(tables) == ["cost", "language", "mobility"]
    # cost, March: housing 6 (A), work 7 (B), health 1 (D after its clarification), * 14. Health is below 5, and
    # alone hidden it would be 14 - 6 - 7: so housing (6, the smallest visible) is hidden too (secondary).
    assert {(r.theme, r.period): seen(r.questions) for r in tables["cost"].themes} == {
        ("housing", "2026-03"): None, ("work", "2026-03"): 7, ("health", "2026-03"): None}
    assert seen(tables["cost"].questions) == 14
    # language, March: housing 6 (A), work 2 (C; D moved away by its clarification), * 8: work hidden, housing too.
    assert {r.theme: seen(r.questions) for r in tables["language"].themes} == {"housing": None, "work": None}
    assert seen(tables["language"].questions) == 8
    # Failed referrals, month of the request: transport → mobility 5, cost 1. ServiceAccess's reason cells of that
    # month are 5 and 1 (hidden), so 5 is hidden as well, and both answers show the same.
    assert [(r.organization_id, r.service_id, r.period, seen(r.referrals)) for r in tables["mobility"].failed] == [
        (A, svc, now, None)]
    assert [(r.service_id, seen(r.referrals)) for r in tables["cost"].failed] == [(svc, None)]
    access = await policy.service_access()
    assert sorted((r.reason, r.referrals.suppressed) for r in access.reasons) == [
        ("barrier-cost", True), ("barrier-transport", True)]
    assert [seen(r.failed) for r in access.rows] == [6]
    # Signals per service: mobility svc 1 and VDAB 1 (S2), language svc 1 (S1; S3 names no service): all hidden.
    assert sorted((r.service, r.period, seen(r.signals)) for r in tables["mobility"].signals) == sorted([
        ("VDAB Kortrijk", now, None), (svc, now, None)])
    assert seen(tables["mobility"].signal_mentions) is None

    # Sub level, language: housing.search 6 would show what the hidden housing is made of (and 8 - 6, work's 2).
    sub = {t.barrier: t for t in (await policy.barriers(level="sub")).barriers}
    assert [(r.theme, seen(r.questions)) for r in sub["language"].themes] == [("housing.search", None)]

    first = await policy.list_signals(page_size=2)
    assert [x.text for x in first.signals] == [TEXTS[2], TEXTS[1]] and first.next_page_token
    rest = await policy.list_signals(page_size=2, page_token=first.next_page_token)
    assert ([x.text for x in rest.signals], rest.next_page_token) == ([TEXTS[0]], "")
    assert (rest.signals[0].month, list(rest.signals[0].services)) == (now, [svc])
    assert [x.text for x in (await policy.list_signals(theme="housing")).signals] == [TEXTS[0]]
    assert [x.text for x in (await policy.list_signals(barrier="cost")).signals] == [TEXTS[1]]
    counts = await policy.signal_counts()
    # Pairs: (housing, language), (work, cost), (work, mobility), ("", language): 1 each; 3 signals: all hidden.
    assert sorted((r.theme, r.barrier, seen(r.signals)) for r in counts.rows) == [
        ("", "language", None), ("housing", "language", None), ("work", "cost", None), ("work", "mobility", None)]
    assert seen(counts.total) is None

    brugge = s.intake.as_(token(Role.POLICY, "brugge"))
    assert (await brugge.list_signals()).signals == []  # its own municipality reported none
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await brugge.list_signals(tenant="kortrijk")
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await policy.list_signals(page_size=500)
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "page_size" in bad.value.details()

    policy_token = token(Role.POLICY, "kortrijk")
    csv = cli(s.intake, secrets, policy_token, "barriers", "kortrijk", "--csv").splitlines()
    assert "cost,questions,work,2026-03,7" in csv and "cost,questions,health,2026-03,<5" in csv
    assert f"mobility,failed_referrals,{svc},{now},<5" in csv and "cost,questions,*,,14" in csv
    listed = cli(s.intake, secrets, policy_token, "signals", "kortrijk", "--csv").splitlines()
    assert listed[1] == f'{now},{KORTRIJK["office_id"]},,language,,"{TEXTS[2]}"'  # a text with a comma, quoted
    page = tmp_path / "kortrijk.html"
    cli(s.intake, secrets, policy_token, "report", "--tenant", "kortrijk", "--out", str(page))
    html = page.read_text()
    assert "Drempels" in html and "Signalen aan het beleid" in html
    charts = figures(html)  # the three overviews, referrals per service, the gaps in the offer, the barriers
    assert len(charts) == html.count('class="plotly-graph-div"') == 6
    assert "Vragen per drempel (elke vraag één keer per drempel)" in charts
    assert not any(text.split(",")[0] in html for text in TEXTS)  # signal texts never reach the report
