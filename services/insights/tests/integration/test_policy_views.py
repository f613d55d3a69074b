"""The policy views of issue 7 projected by the real runner into FerretDB and read back through the servicer."""
from __future__ import annotations

from typing import Any

import pytest

from contracts import topics
from contracts.envelope import Role
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
    finally:
        await app.mongo.close()
