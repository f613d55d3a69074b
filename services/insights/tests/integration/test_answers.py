"""Answers kept while no view changes: given again as they were, recomputed after any batch that changed a view,
including a batch replayed after a crash between its view writes and the change count."""
from __future__ import annotations

import pytest

from contracts import topics
from services.insights.application import queries
from services.insights.application.answers import Answers
from services.insights.bootstrap import bootstrap
from services.insights.tests.synthetic import produce, questions
from services.plumbing.settings import Settings

pytestmark = pytest.mark.integration


async def test_an_answer_is_kept_until_a_batch_changes_the_views(settings: Settings) -> None:
    app = await bootstrap(settings)
    topic = settings.topic(topics.INTAKE_QUESTIONS)
    first, later = questions(120, seed=21), questions(60, seed=22)
    q = queries.PeriodQuery(tenant="kortrijk")
    try:
        generation = await app.generations.active(fresh=True)
        await produce(settings, topic, first)
        await app.runner(generation).catch_up()
        views, answers = app.generations.store(generation), Answers()
        asked = await answers.ask(queries.questions_per_theme, q, views, 5)
        assert asked["total"] == sum(e.tenant == "kortrijk" for e in first) > 5
        assert await answers.ask(queries.questions_per_theme, q, views, 5) is asked
        assert await answers.ask(queries.questions_per_theme, q, views, 3) is not asked  # another question

        await produce(settings, topic, later)
        crashing = app.runner(generation)

        async def killed() -> None:
            raise RuntimeError("killed after the view writes, before the change count")

        crashing.store.changed = killed  # type: ignore[method-assign]
        with pytest.raises(RuntimeError):
            await crashing.catch_up()
        assert await answers.ask(queries.questions_per_theme, q, views, 5) is asked  # not counted: still the old one
        await app.runner(generation).catch_up()  # the replay counts it
        again = await answers.ask(queries.questions_per_theme, q, views, 5)
        assert again["total"] == sum(e.tenant == "kortrijk" for e in first + later)
        assert again == await queries.questions_per_theme(q, views, 5)
    finally:
        await app.mongo.close()
