"""Rebuild into a new generation while the live runner keeps projecting and queries keep answering."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from pymongo.errors import PyMongoError

from contracts import topics
from contracts.envelope import Role, new_event_id
from contracts.proto import insights_pb2
from contracts.topics import dead_letter
from services.insights.bootstrap import App, bootstrap, group
from services.insights.domain import unmet_needs
from services.insights.entrypoints.grpc_api import InsightsServicer
from services.insights.entrypoints.live import follow_active
from services.insights.entrypoints.rebuild import rebuild
from services.insights.tests.synthetic import expected, produce, questions, view_sums
from services.plumbing import auth, kafka
from services.plumbing.projection.store import LAYOUT, StaleViews
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


@asynccontextmanager
async def following(app: App, poll_seconds: float = 0.2) -> AsyncIterator[asyncio.Task[None]]:
    """`app`'s live projection (`follow_active`) running beside the block, stopped after it."""
    live = asyncio.create_task(follow_active(app, poll_seconds))
    try:
        yield live
    finally:
        live.cancel()
        await asyncio.gather(live, return_exceptions=True)


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


async def test_a_long_rebuild_folds_in_worker_processes_as_one_process_would_and_dead_letters_poison(
        settings: Settings) -> None:
    """Worker processes own partitions: streams whose later events need their case (a closure needs the question's
    themes) across batches, every event twice, and two poison records (not an envelope; a payload its event refuses),
    which go to the dead-letter topic with the error (the refused event's copy is a duplicate: dropped), while the
    rest is counted."""
    settings = settings.model_copy(update={"consumer_batch_size": 300})
    app = await bootstrap(settings)
    topic = settings.topic(topics.INTAKE_QUESTIONS)
    events = questions(900, seed=8)
    closures = [e.model_copy(update={"event_id": new_event_id(), "type": "QuestionClosed", "stream_version": 2,
                                     "payload": {"question_id": e.payload["question_id"], "outcome": "answered"}})
                for e in events[::3]]
    refused = closures[0].model_copy(update={"event_id": new_event_id(), "stream_id": "question-refused",
                                             "payload": {"outcome": "answered"}})
    await produce(settings, topic, events[:450])
    producer = kafka.producer(settings, "poison")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"{not an envelope", key=b"question-garbage")
    finally:
        await producer.stop()
    await produce(settings, topic, [*events[450:], *closures, refused], copies=2)
    try:
        one, many = await app.generations.new(), await app.generations.new()
        alone = app.runner(one)
        alone.fold_workers = 1
        workers = app.runner(many)
        workers.fold_workers, workers.fold_in_workers_from = 2, 0
        total = 450 + 1 + 2 * (450 + len(closures) + 1)
        assert await alone.catch_up() == total and await workers.catch_up() == total
        assert workers.applied == alone.applied == 900 + len(closures) + 1  # the refused one is applied as nothing
        folded = await view_sums(app.generations.store(many), app.projection)
        assert folded == await view_sums(app.generations.store(one), app.projection)
        resolved = sum(n for (view, _, name), n in folded.items() if view == "unmet_needs" and name == "resolved")
        assert resolved > 0  # the closures found their questions' themes in the case, across batches and workers
        assert await app.generations.store(many).count_positions() == 900 + 1  # the refused stream's version too

        dead = await read_all(settings, dead_letter(topic))
        errors = sorted(dict(r.headers)["error"].decode().split(":")[0] for r in dead)
        assert len(dead) == 2 * 2  # both runners: the garbage, the refused event
        assert errors.count("not an event envelope") == 2 and all(r.key for r in dead)
    finally:
        await app.mongo.close()


async def read_all(settings: Settings, topic: str) -> list:  # type: ignore[type-arg]
    consumer = kafka.consumer(settings, f"reader-{uuid.uuid4()}", topic)
    await consumer.start()
    try:
        records = []
        while batch := await consumer.getmany(timeout_ms=2000):
            records += [r for rs in batch.values() for r in rs]
        return records
    finally:
        await consumer.stop()


async def test_views_built_by_another_release_are_refused_until_a_rebuild(settings: Settings, mongo) -> None:
    """A release that counts unmet needs otherwise (and adds the weekly view) finds views of the version before: those
    answer FAILED_PRECONDITION naming the rebuild, the others keep answering; after the rebuild, all answer."""
    app = await bootstrap(settings)
    try:
        registered = questions(50, seed=3)
        await produce(settings, settings.topic(topics.INTAKE_QUESTIONS), registered)
        await app.runner(await app.generations.active()).catch_up()
        assert await app.generations.stale() == frozenset()
        older = {v: version for v, version in app.generations.versions.items() if v != unmet_needs.WEEKLY}
        await mongo[settings.database("insights")]["_meta"].update_one(
            {"_id": "active"}, {"$set": {"views": {**older, unmet_needs.VIEW: f"UnmetNeeds.v1 {LAYOUT}"}}})
        assert await app.generations.stale() == {unmet_needs.VIEW, unmet_needs.WEEKLY}

        auth.bind(auth.Principal(staff_id="policy-1", role=Role.POLICY, municipality="kortrijk"))
        servicer = InsightsServicer(app.generations, 1)
        with pytest.raises(StaleViews, match="wegwijs-insights rebuild"):
            await servicer.UnmetNeeds(insights_pb2.ThemePeriodRequest(), None)
        kortrijk = sum(e.tenant == "kortrijk" for e in registered)
        assert (await servicer.QuestionsPerTheme(insights_pb2.PeriodRequest(), None)).total == kortrijk

        assert await rebuild(app, lambda done, total: None, grace_seconds=0) == 2
        assert await app.generations.stale() == frozenset()
        assert (await servicer.UnmetNeeds(insights_pb2.ThemePeriodRequest(), None)).total.registered.value == kortrijk
    finally:
        await app.mongo.close()


async def test_a_live_process_projects_nothing_into_views_another_release_built(settings: Settings, mongo) -> None:
    """An older pod seeing the switch to a generation built by the next release (or the reverse) must not project
    into it by its own rules: it waits, projecting nothing, until the active views are of its release again."""
    app = await bootstrap(settings)
    meta = mongo[settings.database("insights")]["_meta"]
    topic = settings.topic(topics.INTAKE_QUESTIONS)
    try:
        assert await app.generations.active(fresh=True) == 1
        await meta.update_one({"_id": "active"}, {"$set": {"views.unmet_needs": "UnmetNeeds.v3"}})  # a later release
        async with following(app):
            await produce(settings, topic, registered := questions(30, seed=4))
            await asyncio.sleep(2.0)
            assert await view_sums(app.generations.store(1), app.projection) == {}  # nothing projected
            await meta.update_one({"_id": "active"}, {"$set": {"views": app.generations.versions}})
            await until(lambda: _eq(view_sums(app.generations.store(1), app.projection),
                                    expected(app.projection, registered)))
    finally:
        await app.mongo.close()


async def test_a_release_that_lays_the_views_out_otherwise_finds_every_view_stale(settings: Settings, mongo) -> None:
    app = await bootstrap(settings)
    try:
        assert await app.generations.stale() == frozenset()
        laid_out_before = {v: version.replace(LAYOUT, "store.v1") for v, version in app.generations.versions.items()}
        await mongo[settings.database("insights")]["_meta"].update_one(
            {"_id": "active"}, {"$set": {"views": laid_out_before}})
        assert await app.generations.stale() == set(app.projection.views)
    finally:
        await app.mongo.close()


async def test_a_live_process_waits_beside_a_generation_with_a_view_its_release_does_not_know(settings: Settings,
                                                                                             mongo) -> None:
    """A generation the next release built with a view of its own: an older process must not project into it (the
    new view would miss the events it consumed), though every view it knows is recorded as its own."""
    app = await bootstrap(settings)
    meta = mongo[settings.database("insights")]["_meta"]
    try:
        assert await app.generations.built_here() == (1, True)
        await meta.update_one({"_id": "active"}, {"$set": {"views.a_later_view": "LaterView.v1 store.v2"}})
        assert await app.generations.built_here() == (1, False)
        assert await app.generations.stale() == frozenset()  # queries of the views it knows still answer
        async with following(app):
            await produce(settings, settings.topic(topics.INTAKE_QUESTIONS), questions(20, seed=5))
            await asyncio.sleep(1.5)
            assert await view_sums(app.generations.store(1), app.projection) == {}
    finally:
        await app.mongo.close()


async def test_the_views_database_briefly_away_does_not_end_the_live_projection(settings: Settings, mongo) -> None:
    app = await bootstrap(settings)
    real, failures = app.generations.built_here, [0]

    async def flaky() -> tuple[int, bool]:
        failures[0] += 1
        if failures[0] in (1, 3, 4):
            raise PyMongoError("connection refused (simulated)")
        return await real()

    app.generations.built_here = flaky  # type: ignore[method-assign]
    try:
        async with following(app, poll_seconds=0.1) as live:
            await produce(settings, settings.topic(topics.INTAKE_QUESTIONS), registered := questions(20, seed=6))
            await until(lambda: _eq(view_sums(app.generations.store(1), app.projection),
                                    expected(app.projection, registered)))
            for _ in range(50):  # the reads that failed while it projected (the 3rd and 4th) are behind it too
                if failures[0] > 4:
                    break
                await asyncio.sleep(0.1)
            assert failures[0] > 4 and not live.done()
    finally:
        await app.mongo.close()
