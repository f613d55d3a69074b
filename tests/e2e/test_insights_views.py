"""The policy views of issue 7 against the running services: intake's questions driven through gRPC, the numbers
worked out by hand. Suppression is off (threshold 1) as these tests follow single questions; it has its own tests."""
from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from contracts.envelope import Role
from services.insights.entrypoints import report
from contracts.proto import catalogue_pb2 as cat
from contracts.proto import referral_pb2 as pb
from services.client import Client
from services.plumbing.settings import Settings
from tests.e2e.conftest import client_credentials, running
from tests.e2e.test_referral_e2e import A, QUESTION, Stubs, cid, refer
from tests.e2e.test_insights_policy import cli
from tests.e2e.test_report_browser import figures, rendered
from tests.e2e.test_walking_skeleton import KORTRIJK, eventually

pytestmark = pytest.mark.e2e
NEEDS = ("registered", "informed", "referred", "accompanied", "resolved", "unresolved", "gaps")
MARCH, APRIL = "2026-03-10T09:30:00+01:00", "2026-04-08T09:30:00+02:00"


@pytest.fixture(autouse=True)
def exact_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEGWIJS_SUPPRESSION_THRESHOLD", "1")


def table(reply: Any) -> dict[tuple[str, str], dict[str, int]]:
    """Rows as {(theme, period): {measure: count}} with the zero measures left out; the total under ("*", "")."""
    out = {}
    for r in [*reply.rows, reply.total]:
        assert not any(getattr(r, m).suppressed for m in NEEDS)
        out[(r.theme, r.period)] = {m: getattr(r, m).value for m in NEEDS if getattr(r, m).value}
    return out


async def ask(system: Client, rpc: str, **fields: Any) -> Any:
    return await system.intake_call(rpc, **fields)


async def test_unmet_needs_per_theme_period_and_level(system: Client, token, secrets: Path, tmp_path: Path) -> None:
    where = {**KORTRIJK, "occurred_at": MARCH}
    q1 = (await system.register_question(themes=["housing.search"], **where)).question_id
    await ask(system, "InformClient", question_id=q1)
    await ask(system, "AccompanyClient", question_id=q1, service="social-housing-desk", minutes=45)
    accompanied_in = datetime.now(ZoneInfo("Europe/Brussels")).strftime("%Y-%m")
    await ask(system, "RecordGap", question_id=q1, theme="housing.search", reason_code="no-capacity",
              reason="no social housing left at all")
    await ask(system, "CloseQuestion", question_id=q1, outcome="gap")
    q2 = (await system.register_question(themes=["housing.social-rental"], **where)).question_id
    await ask(system, "InformClient", question_id=q2)
    await ask(system, "CloseQuestion", question_id=q2, outcome="answered")
    q3 = (await system.register_question(themes=["work"], **where)).question_id
    await ask(system, "ClarifyQuestion", question_id=q3, themes=["income.child-benefit"])
    await ask(system, "CloseQuestion", question_id=q3, outcome="unreachable")
    q4 = (await system.register_question(themes=["housing"], **{**KORTRIJK, "occurred_at": APRIL})).question_id
    await ask(system, "InformClient", question_id=q4)

    policy = system.as_(token(Role.POLICY, "kortrijk"))
    total = {"registered": 4, "informed": 3, "accompanied": 1, "resolved": 1, "unresolved": 2, "gaps": 1}
    reply = await eventually(lambda: policy.unmet_needs(), lambda r: table(r).get(("*", "")) == total)
    assert table(reply) == {
        ("housing", "2026-03"): {"registered": 2, "informed": 2, "accompanied": 1, "resolved": 1, "unresolved": 1,
                                 "gaps": 1},
        ("income", "2026-03"): {"registered": 1, "unresolved": 1},
        ("housing", "2026-04"): {"registered": 1, "informed": 1},
        ("*", ""): total}
    work = await policy.insights_call("WorkloadByChannel")  # q1 was accompanied today (45 minutes): today's month
    assert {(r.month, r.questions, r.accompaniments.value, r.minutes_accompanying.value) for r in work.rows
            if r.office == KORTRIJK["office_id"] and r.channel == "whatsapp"} == {
        ("2026-03", 3, 0, 0), ("2026-04", 1, 0, 0), (accompanied_in, 0, 1, 45)}
    assert (work.total, work.accompaniments.value, work.minutes_accompanying.value) == (4, 1, 45)
    assert "social housing" not in str(reply)  # a gap's reason in words never reaches insights; its code does
    assert {(r.theme, r.period, r.reason, r.gaps.value) for r in reply.gap_reasons} == {
        ("*", "2026-03", "no-capacity", 1), ("housing", "2026-03", "no-capacity", 1)}
    csv = cli(system, secrets, token(Role.POLICY, "kortrijk"), "needs", "kortrijk", "--reasons", "--csv")
    assert csv.splitlines() == ["theme,period,reason,gaps", "*,2026-03,no-capacity,1", "housing,2026-03,no-capacity,1"]
    page = tmp_path / "kortrijk.html"
    cli(system, secrets, token(Role.POLICY, "kortrijk"), "report", "--tenant", "kortrijk", "--out", str(page))
    assert "<h2>Waarom er geen aanbod was</h2>" in (html := page.read_text())
    assert "<tr><td>Wonen</td><td>2026-03</td><td>volzet of wachtlijst</td><td>1</td></tr>" in html  # Dutch labels
    assert f"<tr><td>{report.office(KORTRIJK['office_id'])}</td><td>WhatsApp</td><td>{accompanied_in}</td><td>1</td>" \
        "<td>0.8</td></tr>" \
        in html  # went along once, 45 minutes

    by_week = table(await policy.unmet_needs(period="week"))  # Tuesday 10 March: week 11; Wednesday 8 April: 15
    assert by_week == {**{(t, "2026-W11"): n for (t, m), n in table(reply).items() if m == "2026-03"},
                       ("housing", "2026-W15"): {"registered": 1, "informed": 1}, ("*", ""): total}
    with pytest.raises(grpc.aio.AioRpcError) as refused:  # weeks are for unmet needs only
        await policy.service_access(period="week")
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "period" in (refused.value.details() or "")
    by_year = table(await policy.unmet_needs(period="year"))
    assert by_year[("housing", "2026")] == {"registered": 3, "informed": 3, "accompanied": 1, "resolved": 1,
                                            "unresolved": 1, "gaps": 1}
    subs = table(await policy.unmet_needs(level="sub", to_month="2026-03"))
    assert subs == {
        ("housing.search", "2026-03"): {"registered": 1, "informed": 1, "accompanied": 1, "unresolved": 1, "gaps": 1},
        ("housing.social-rental", "2026-03"): {"registered": 1, "informed": 1, "resolved": 1},
        ("income.child-benefit", "2026-03"): {"registered": 1, "unresolved": 1},
        ("*", ""): {"registered": 3, "informed": 2, "accompanied": 1, "resolved": 1, "unresolved": 2, "gaps": 1}}
    sub_reasons = await policy.unmet_needs(level="sub", to_month="2026-03")
    assert {(r.theme, r.reason, r.gaps.value) for r in sub_reasons.gap_reasons} == {
        ("*", "no-capacity", 1), ("housing.search", "no-capacity", 1)}


@asynccontextmanager
async def four(settings: Settings, test: str, secrets: Path, token) -> AsyncIterator[Stubs]:
    """Intake, catalogue, referral and insights as processes, reached through the referral e2e stubs."""
    async with running(("intake", "insights", "catalogue", "referral"), settings, secrets, test) as ports:
        stubs = Stubs(ports, client_credentials(secrets), token)
        stubs.intake.ports = ports  # type: ignore[attr-defined]  # for the CLI helper
        try:
            yield stubs
        finally:
            await stubs.close()


@pytest.fixture
async def four_services(settings: Settings, request: pytest.FixtureRequest, secrets: Path, token,
                        monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Stubs]:
    """The four services with suppression threshold 1, so every hand-worked number is visible."""
    monkeypatch.setenv("WEGWIJS_SUPPRESSION_THRESHOLD", "1")
    async with four(settings, request.node.name, secrets, token) as stubs:
        yield stubs


async def test_service_access_from_catalogue_intake_and_referral_events(four_services: Stubs, token, secrets: Path,
                                                                       tmp_path: Path) -> None:
    s = four_services
    catalogue = s.catalogue()
    await catalogue.RegisterOrganization(cat.RegisterOrganizationRequest(
        command_id=cid(), organization_id=A, organization=cat.Organization(name=A)))
    svc = (await catalogue.RegisterService(cat.RegisterServiceRequest(command_id=cid(), service=cat.Service(
        organization_id=A, name="woonloket", themes=["housing"], languages=["nl", "ar"])))).id
    client = (await s.intake.intake_call("RegisterClient")).client_id
    await s.intake.intake_call("RecordConsent", client_id=client, referral_sharing=True)
    questions = [(await s.intake.intake_call("RegisterQuestion", client_id=client, **QUESTION)).question_id
                 for _ in range(2)]
    front = s.referral(Role.FRONT_OFFICE, "kortrijk")
    helped, refused = [(await refer(front, q, svc)).referral_id for q in questions]
    partner = s.referral(Role.PARTNER, partner=A)
    for call, fields in (("Accept", {}), ("Start", {}), ("Complete", {"outcome": "got-help", "went_alone": True})):
        await getattr(partner, call)(pb.PartnerRequest(command_id=cid(), referral_id=helped, **fields))
    await partner.Reject(pb.PartnerRequest(command_id=cid(), referral_id=refused, reason="no-capacity"))

    policy = s.intake.as_(token(Role.POLICY, "kortrijk"))
    expected = {"requested": 2, "accepted": 1, "rejected": 1, "completed": 1, "failed": 0, "accompanied": 0}

    def counts(r) -> dict[str, int]:
        return {m: getattr(r, m).value for m in expected}
    # the two referrals are streams of their own: their events may reach insights in any order between them
    reply = await eventually(lambda: policy.service_access(),
                             lambda r: len(r.rows) == 1 and counts(r.rows[0]) == expected and r.languages
                             and r.languages[0].offered)
    [row] = reply.rows
    assert (row.organization_id, row.service_id) == (A, svc)
    assert counts(row) == expected
    assert (row.median_days_to_acceptance, row.median_days_to_completion) == ("0", "0")
    assert (row.share_accompanied, reply.total.share_accompanied) == (0.0, 0.0)  # both were referred warm
    assert [(r.kind, r.reason, r.referrals.value) for r in reply.reasons] == [("rejected", "no-capacity", 1)]
    assert [(x.service_id, x.language, x.asked.value, x.offered) for x in reply.languages] == [(svc, "ar", 2, True)]
    page = tmp_path / "kortrijk.html"  # the report's accessibility chart, drawn by Chromium, with the API's numbers
    cli(s.intake, secrets, token(Role.POLICY, "kortrijk"), "report", "--tenant", "kortrijk", "--out", str(page))
    [drawn] = [traces for title, traces in figures(page.read_text()).items() if "per dienst" in title]
    assert drawn == {"gevraagd": {"woonloket": 2}, "aanvaard": {"woonloket": 1}, "geweigerd": {"woonloket": 1},
                     "afgerond": {"woonloket": 1}}  # the service by the name the catalogue gives it
    assert rendered(page, tmp_path / "profile", tmp_path / "report.png").count('class="main-svg"') >= 4
    needs = await eventually(lambda: policy.unmet_needs(), lambda r: r.total.referred.value == 2)
    assert [(r.theme, r.referred.value) for r in needs.rows] == [("housing", 2)]
    alone = await policy.self_reliance(period="year")
    assert list(alone.rows) == []  # the client's first visit was today: no later referral yet (test_insights_offer)
