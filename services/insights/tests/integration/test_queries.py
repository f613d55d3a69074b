"""What policy users see through InsightsService and the HTML report: true counts, except small cells, hidden."""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pytest

from contracts import topics
from contracts.envelope import Role
from contracts.proto import insights_pb2
from services.insights.bootstrap import App, bootstrap
from services.insights.entrypoints import report
from services.insights.entrypoints.grpc_api import InsightsServicer
from services.insights.tests.synthetic import expected, produce, questions
from services.plumbing import auth
from services.plumbing.settings import Settings

pytestmark = pytest.mark.integration
K = 5


@pytest.fixture
async def answered(settings: Settings) -> Any:
    app = await bootstrap(settings)
    events = questions(700, seed=3)
    await produce(settings, settings.topic(topics.INTAKE_QUESTIONS), events)
    await app.runner(await app.generations.active()).catch_up()
    auth.bind(auth.Principal(staff_id="policy-1", role=Role.POLICY, municipality="kortrijk"))
    servicer = InsightsServicer(app.generations, K)
    request = insights_pb2.PeriodRequest()
    replies = (await servicer.QuestionsPerTheme(insights_pb2.QuestionsPerThemeRequest(), None),
               await servicer.WorkloadByChannel(request, None), await servicer.LanguageDemand(request, None))
    yield app, events, replies
    await app.mongo.close()


def truth(app: App, events: list[Any], view: str, *keys: str, measure: str = "questions") -> dict[tuple, int]:
    out: dict[tuple, int] = defaultdict(int)
    for (v, key, name), n in expected(app.projection, events).items():
        key = dict(key)
        if v == view and name == measure and key["tenant"] == "kortrijk":
            out[tuple(key[k] for k in keys)] += n
    return out


def visible_counts(reply: Any) -> list[int]:
    found = []
    for row in [*reply.rows, *([reply.total] if hasattr(reply.total, "language") else [])]:
        for field, value in row.ListFields():
            if isinstance(value, int) and not isinstance(value, bool) and value != -1:
                found.append(value)
    return found


async def test_visible_counts_are_true_and_none_is_small(answered) -> None:
    app, events, (themes, workload, languages) = answered
    true_themes = truth(app, events, "questions_per_theme", "theme", "month")
    for r in themes.rows:
        assert (r.questions, r.suppressed) == ((-1, True) if r.suppressed else (true_themes[(r.theme, r.month)], False))
    true_work = truth(app, events, "workload_by_channel", "office", "channel", "month")
    for r in workload.rows:
        assert r.questions == (-1 if r.suppressed else true_work[(r.office, r.channel, r.month)])
    assert themes.total == sum(n for (t, _), n in true_themes.items() if t == "*")
    for reply in (themes, workload, languages):
        assert not [n for n in visible_counts(reply) if 0 < n < K]
    assert any(r.suppressed for r in workload.rows), "the synthetic mix should have small cells"


async def test_the_report_draws_only_the_answers_of_the_api(answered) -> None:
    _, _, (themes, workload, languages) = answered
    page = report.render("kortrijk", themes, workload, languages)
    assert page.count('class="plotly-graph-div"') == 3 and "<script src=\"http" not in page
    assert len(re.findall(r"plotly\.js v\d", page)) == 1, "plotly.js embedded once, for offline use"
    for r in themes.rows:
        if r.suppressed:
            continue
        points = {x: y for t in report.themes_chart(themes)[0].data if t.name == report.theme(r.theme)
                  for x, y in zip(t.x, t.y)}  # traces are named by the Dutch label of the theme
        assert points[r.month] == r.questions
    ys = [int(y) for y in re.findall(r'"y":\[([^\]]*)\]', page) for y in y.split(",") if y]
    assert ys and not [y for y in ys if 0 < y < K]
