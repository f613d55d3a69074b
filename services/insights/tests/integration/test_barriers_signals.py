"""Barriers and signals projected by the real runner into FerretDB (events delivered twice) and read back through the
servicer: clarifications move counts, signals are listed a page at a time, filtered, and counted once."""
from __future__ import annotations

import pytest

from contracts import topics
from contracts.envelope import Role
from contracts.events.intake import QuestionClarified, QuestionRegistered
from contracts.events.intake_signal import SignalReported
from contracts.proto import insights_pb2
from services.insights.bootstrap import bootstrap
from services.insights.entrypoints.grpc_api import InsightsServicer
from services.insights.tests.synthetic import produce
from services.insights.tests.unit.events import env
from services.plumbing import auth
from services.plumbing.settings import Settings

pytestmark = pytest.mark.integration


def question(i: int, themes: tuple[str, ...], barriers: tuple[str, ...]) -> QuestionRegistered:
    return QuestionRegistered(question_id=f"bs{i}", office_id="o", client_id=f"c{i}", channel="walk-in", themes=themes,
                              barriers=barriers, client_languages=("ar",), language_used="ar")


def signal(i: int, themes: tuple[str, ...], barriers: tuple[str, ...]) -> SignalReported:
    return SignalReported(signal_id=f"s-{i}", office_id="huis", themes=themes, barriers=barriers,
                          services=("svc-1",), text=f"Signaal {i} over het aanbod.")


async def test_barriers_and_signals_from_the_runner(settings: Settings) -> None:
    app = await bootstrap(settings)
    try:
        questions = [env(f"question-bs{i}", question(i, ("housing.search",), ("language",))) for i in range(6)]
        questions.append(env("question-bs9", question(9, ("work",), ("language",))))
        questions.append(env("question-bs9", QuestionClarified(question_id="bs9", themes=("health",),
                                                               barriers=("cost",))))
        signals = [env(f"s-{i}", signal(i, t, b), at=f"2026-03-{10 + i}T10:00:00+01:00") for i, (t, b) in enumerate(
            [(("housing.search",), ("language",)), (("work",), ("cost",)), ((), ("language", "cost"))])]
        await produce(settings, settings.topic(topics.INTAKE_QUESTIONS), questions, copies=2)
        await produce(settings, settings.topic(topics.INTAKE_SIGNALS), signals, copies=2)
        await app.runner(await app.generations.active()).catch_up()
        auth.bind(auth.Principal(staff_id="policy-1", role=Role.POLICY, municipality="kortrijk"))
        api = InsightsServicer(app.generations, 5)

        reply = await api.Barriers(insights_pb2.ThemePeriodRequest(), None)
        tables = {b.barrier: b for b in reply.barriers}
        # language: housing 6 (the clarified question left it); cost: health 1, hidden with the total it makes.
        assert [(r.theme, r.questions.value) for r in tables["language"].themes] == [("housing", 6)]
        assert tables["language"].questions.value == 6
        assert [(r.theme, r.questions.suppressed) for r in tables["cost"].themes] == [("health", True)]
        assert tables["cost"].questions.suppressed
        assert [(r.service, r.signals.suppressed) for r in tables["cost"].signals] == [("svc-1", True)]

        page = await api.ListSignals(insights_pb2.ListSignalsRequest(page_size=2), None)
        assert [s.signal_id for s in page.signals] == ["s-2", "s-1"] and page.next_page_token
        last = await api.ListSignals(insights_pb2.ListSignalsRequest(page_size=2, page_token=page.next_page_token),
                                     None)
        assert ([s.signal_id for s in last.signals], last.next_page_token) == (["s-0"], "")
        assert last.signals[0].text == "Signaal 0 over het aanbod." and last.signals[0].month == "2026-03"
        housing = await api.ListSignals(insights_pb2.ListSignalsRequest(theme="housing"), None)
        cost = await api.ListSignals(insights_pb2.ListSignalsRequest(barrier="cost", to_month="2026-03"), None)
        assert [s.signal_id for s in housing.signals] == ["s-0"]
        assert [s.signal_id for s in cost.signals] == ["s-2", "s-1"]
        assert (await api.ListSignals(insights_pb2.ListSignalsRequest(from_month="2026-04"), None)).signals == []

        counts = await api.SignalCounts(insights_pb2.ThemePeriodRequest(), None)
        assert (counts.total.value, counts.total.suppressed) == (-1, True)  # 3 signals, each counted once
        assert sorted((r.theme, r.barrier) for r in counts.rows) == [("", "cost"), ("", "language"),
                                                                     ("housing", "language"), ("work", "cost")]
    finally:
        await app.mongo.close()


async def test_a_page_token_not_of_this_listing_is_refused_naming_the_field(settings: Settings) -> None:
    app = await bootstrap(settings)
    try:
        auth.bind(auth.Principal(staff_id="policy-1", role=Role.POLICY, municipality="kortrijk"))
        api = InsightsServicer(app.generations, 5)
        with pytest.raises(ValueError, match="page_token"):
            await api.ListSignals(insights_pb2.ListSignalsRequest(page_token="bm9wZQ"), None)
    finally:
        await app.mongo.close()
