"""Rebuild into a new generation while the live runner keeps projecting and queries keep answering."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from contracts import topics
from services.insights.bootstrap import bootstrap, group
from services.insights.entrypoints.live import follow_active
from services.insights.entrypoints.rebuild import rebuild
from services.insights.tests.synthetic import expected, produce, questions, view_sums
from services.plumbing.settings import Settings

pytestmark = pytest.mark.integration


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 30) -> None:
    for _ in range(int(seconds / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached in time")


async def test_a_rebuild_switches_to_equal_views_and_the_live_runner_follows(settings: Settings, mongo) -> None:
    app = await bootstrap(settings)
    topic = settings.topic(topics.INTAKE_QUESTIONS)
    first, later = questions(400, seed=1), questions(60, seed=2)
    await produce(settings, topic, first)
    live = asyncio.create_task(follow_active(app, poll_seconds=0.2))
    try:
        async def live_sums():
            return await view_sums(await app.generations.current(), app.projection)

        await until(lambda: _eq(live_sums(), expected(app.projection, first)))
        assert await app.generations.active(fresh=True) == 1

        progress: list[tuple[int, int]] = []
        rebuilding = asyncio.create_task(rebuild(app, lambda d, t: progress.append((d, t)), grace_seconds=0.6))
        while not rebuilding.done():  # queries answer from generation 1, complete, until the switch
            if await app.generations.active(fresh=True) == 1:
                assert await live_sums() == expected(app.projection, first)
            await asyncio.sleep(0.05)
        assert await rebuilding == 2 and await app.generations.active(fresh=True) == 2
        assert progress[-1] == (400, 400) and group(settings, 2).endswith("insights-g2")
        names = await mongo[settings.database("insights")].list_collection_names()
        assert not [n for n in names if n.startswith("g1_")] and "g2_questions_per_theme" in names

        await produce(settings, topic, later)  # projected by the live runner, now on generation 2
        await until(lambda: _eq(live_sums(), expected(app.projection, first + later)))
    finally:
        live.cancel()
        await asyncio.gather(live, return_exceptions=True)
        await app.mongo.close()


async def _eq(actual: Awaitable[object], wanted: object) -> bool:
    return await actual == wanted


async def test_a_rebuild_folds_in_memory_and_a_crash_before_its_commit_is_resumed_or_restarted(settings: Settings,
                                                                                               mongo) -> None:
    """Into a fresh generation the rebuild writes every view once, after the last batch; a crash after the views but
    before the stream positions and offsets leaves nothing committed: catching up again in that generation takes the
    guarded path (the views' offsets absorb what they hold), and a new rebuild starts over in a fresh generation."""
    settings = settings.model_copy(update={"consumer_batch_size": 500})
    app = await bootstrap(settings)
    events = questions(1500, seed=3)
    await produce(settings, settings.topic(topics.INTAKE_QUESTIONS), events, copies=2)  # every event twice
    try:
        clean = await app.generations.new()
        runner, writes = app.runner(clean), []
        original = runner.store.apply

        async def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            writes.append(1)
            return await original(*args, **kwargs)

        runner.store.apply = counted  # type: ignore[method-assign]
        assert await runner.catch_up() == 3000
        assert len(writes) == 1  # six batches of 500 at least, one write of the views
        assert await view_sums(app.generations.store(clean), app.projection) == expected(app.projection, events)

        crashed = await app.generations.new()
        runner = app.runner(crashed)

        async def crash(*_args, **_kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("killed after the views, before the stream positions")

        runner.store.remember_packed = crash  # type: ignore[method-assign]
        with pytest.raises(RuntimeError):
            await runner.catch_up()
        assert await view_sums(app.generations.store(crashed), app.projection) == expected(app.projection, events)
        assert await app.runner(crashed).catch_up() == 3000  # from the beginning again: nothing was committed
        assert await view_sums(app.generations.store(crashed), app.projection) == expected(app.projection, events)

        new = await rebuild(app, lambda d, t: None, grace_seconds=0)
        assert new > crashed and await app.generations.active(fresh=True) == new
        assert await view_sums(app.generations.store(new), app.projection) == expected(app.projection, events)
        names = await mongo[settings.database("insights")].list_collection_names()
        assert {n.split("_", 1)[0] for n in names if n.startswith("g")} == {f"g{new}"}  # abandoned ones dropped too
    finally:
        await app.mongo.close()
