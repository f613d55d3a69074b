"""The policy views of issue 7 projected by the real runner into FerretDB and read back through the servicer."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts import topics
from contracts.envelope import Role
from contracts.events.catalogue import ServiceRecord, ServiceRegistered
from contracts.events.referral import ReferralAccepted, ReferralCompleted, ReferralRejected, ReferralRequested
from contracts.events.intake import QuestionClosed, QuestionInformed, QuestionRegistered
from contracts.proto import insights_pb2
from services.insights.bootstrap import bootstrap
from services.insights.entrypoints.grpc_api import InsightsServicer
from services.insights.tests.synthetic import produce
from services.insights.tests.unit.events import env
from services.plumbing import auth
from services.plumbing.settings import Settings

pytestmark = pytest.mark.integration


def question(i: int, theme: str) -> list[Any]:
    s, q = f"question-pv{i}", f"pv{i}"
    return [env(s, QuestionRegistered(question_id=q, office_id="o", client_id=f"c{i}", channel="walk-in",
                                      themes=(theme,), client_languages=("ar",), language_used="ar")),
            env(s, QuestionInformed(question_id=q, themes=(theme,))),
            env(s, QuestionClosed(question_id=q, outcome="answered"))]


async def test_unmet_needs_are_counted_from_the_cases_across_batches_and_suppressed(settings: Settings) -> None:
    app = await bootstrap(settings)
    try:
        themes = ["housing.search"] * 6 + ["work", "health"]  # two small cells: neither reveals the other
        events = [e for i, theme in enumerate(themes) for e in question(i, theme)]
        for batch in (events[0::3], events[1::3], events[2::3]):  # every event of a stream in its own batch
            await produce(settings, settings.topic(topics.INTAKE_QUESTIONS), batch)
            await app.runner(await app.generations.active()).catch_up()
        auth.bind(auth.Principal(staff_id="policy-1", role=Role.POLICY, municipality="kortrijk"))
        reply = await InsightsServicer(app.generations, 5).UnmetNeeds(insights_pb2.ThemePeriodRequest(), None)
        rows = {r.theme: (r.registered.value, r.informed.value, r.resolved.value, r.registered.suppressed)
                for r in reply.rows}
        assert rows == {"housing": (6, 6, 6, False), "work": (-1, -1, -1, True), "health": (-1, -1, -1, True)}
        assert (reply.total.registered.value, reply.total.resolved.value) == (8, 8)
        weekly = await InsightsServicer(app.generations, 5).UnmetNeeds(
            insights_pb2.ThemePeriodRequest(period="week", from_month="2026-03", to_month="2026-03"), None)
        assert {(r.theme, r.period, r.registered.value, r.resolved.value) for r in weekly.rows} == {
            ("housing", "2026-W11", 6, 6), ("work", "2026-W11", -1, -1), ("health", "2026-W11", -1, -1)}
        assert weekly.total.registered.value == 8
    finally:
        await app.mongo.close()


async def test_service_access_with_medians_reasons_and_languages_asked_vs_offered(settings: Settings) -> None:
    app = await bootstrap(settings)
    try:
        record = ServiceRecord(organization_id="org-a", name="Job desk", themes=("work",), languages=("nl", "ar"))
        catalogue = [env("service-svc-a", ServiceRegistered(service_id="svc-a", record=record))]
        referrals = []
        for i in range(6):
            s, r = f"referral-sa{i}", f"sa{i}"
            referrals.append(env(s, ReferralRequested(
                referral_id=r, question_id=f"q{i}", client_id=f"c{i}", service_id="svc-a", organization_id="org-a",
                office_id="o", themes=("work",), mode="accompanied" if i < 5 else "information",
                client_languages=("ar", "ti"), client_since=date(2026, 1, 15) if i < 5 else None),
                at="2026-03-02T10:00:00+01:00"))
            if i < 5:
                referrals += [env(s, ReferralAccepted(referral_id=r), at="2026-03-04T11:00:00+01:00"),
                              env(s, ReferralCompleted(referral_id=r, outcome="got-help", went_alone=False),
                                  at="2026-03-12T11:00:00+01:00")]
            else:
                referrals.append(env(s, ReferralRejected(referral_id=r, reason="no-capacity")))
        await produce(settings, settings.topic(topics.CATALOGUE_SERVICES), catalogue)
        await produce(settings, settings.topic(topics.REFERRAL_REFERRALS), referrals)
        await app.runner(await app.generations.active()).catch_up()
        auth.bind(auth.Principal(staff_id="policy-1", role=Role.POLICY, municipality="kortrijk"))
        reply = await InsightsServicer(app.generations, 5).ServiceAccess(insights_pb2.GroupedPeriodRequest(), None)
        [row] = reply.rows
        counts = {m: getattr(row, m).value for m in ("requested", "accepted", "rejected", "completed", "failed",
                                                      "accompanied")}
        assert (row.organization_id, row.service_id, row.period) == ("org-a", "svc-a", "2026-03")
        assert counts == {"requested": 6, "accepted": 5, "rejected": -1, "completed": 5, "failed": 0,
                          "accompanied": -1}  # 5 of 6 accompanied would tell that 1 was not
        assert row.share_accompanied == -1.0  # hidden with the count it is made of
        assert (row.median_days_to_acceptance, row.median_days_to_completion) == ("2", "7-13")
        assert [(r.kind, r.reason, r.referrals.suppressed) for r in reply.reasons] == [("rejected", "no-capacity", True)]
        assert {(x.language, x.asked.value, x.offered) for x in reply.languages} == {("ar", 6, True), ("ti", 6, False)}
        alone = await InsightsServicer(app.generations, 5).SelfReliance(insights_pb2.GroupedPeriodRequest(), None)
        assert [(r.cohort, r.period, r.completed.value, r.went_alone.value) for r in alone.rows] == [
            ("2026-01", "2026-03", 5, 0)]  # none of five went alone: 0 describes nobody, and 5 - 0 = 5 is no small cell
    finally:
        await app.mongo.close()
