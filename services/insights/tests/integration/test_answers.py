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


async def test_refresh_ahead_recomputes_the_recent_answers_a_batch_made_stale(settings: Settings) -> None:
    app = await bootstrap(settings)
    topic = settings.topic(topics.INTAKE_QUESTIONS)
    first, later = questions(80, seed=23), questions(40, seed=24)
    kortrijk, brugge = queries.PeriodQuery(tenant="kortrijk"), queries.PeriodQuery(tenant="brugge")
    try:
        generation = await app.generations.active(fresh=True)
        await produce(settings, topic, first)
        await app.runner(generation).catch_up()
        views, answers = app.generations.store(generation), Answers(refreshed=1)
        await answers.ask(queries.questions_per_theme, brugge, views, 5)
        await answers.ask(queries.questions_per_theme, kortrijk, views, 5)  # the most recent
        assert await answers.refresh(views) == 0  # nothing changed

        await produce(settings, topic, later)
        await app.runner(generation).catch_up()
        assert await answers.refresh(views) == 1 and await answers.refresh(views) == 0  # only the most recent one

        async def not_again(*_args):  # type: ignore[no-untyped-def]
            raise AssertionError("the refreshed answer should have been given")

        not_again.__module__, not_again.__qualname__ = "services.insights.application.queries", "questions_per_theme"
        fresh = await answers.ask(not_again, kortrijk, views, 5)
        assert fresh == await queries.questions_per_theme(kortrijk, views, 5)
        assert fresh["total"] == sum(e.tenant == "kortrijk" for e in first + later)
        stale = await answers.ask(queries.questions_per_theme, brugge, views, 5)  # not refreshed: recomputed now
        assert stale["total"] == sum(e.tenant == "brugge" for e in first + later)
        assert await answers.refresh(app.generations.store(generation + 1)) == 0  # another generation's: none
    finally:
        await app.mongo.close()
