"""Exactly-once effect under faults: a runner that dies dozens of times at planned points inside a batch's writes and is
restarted on its consumer group, with and without every event delivered twice, ends with views equal to a clean
rebuild and to the events counted once.

The crashes are planned, not timed (`services/insights/tests/crashing.py`): a seeded plan says in which batch and where
in its writes each life of the runner dies, so a slow machine runs the same crashes as a fast one, only slower. Every
life catches up from the group's committed offsets until its crash; after the last planned crash, one uninterrupted
catch-up finishes the stream. Progress is sure: the plan is finite, every life but the last ends in a crash, and the
crashes are planned in the first 4 of 10 batches only, so that a cut waiting for a batch it can cut finds one before
the end.
"""
from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts import topics
from services.insights.bootstrap import App, bootstrap, group
from services.insights.tests.crashing import POINTS, Crash, CrashingStore, PlannedCrash, plan
from services.insights.tests.synthetic import expected, produce, questions, view_sums
from services.plumbing.settings import Settings

pytestmark = pytest.mark.integration
EVENTS = 5000
BATCH = 500  # events a crashing runner's batch holds: 500 deliveries, or 1,000 with every event twice
PLANNED_IN = 4  # batches the crashes are planned in (3 of them crashed); the other 6 are left for waiting cuts
PER_POINT = 6  # planned crashes at each of the five points: 30 per run
LIFE_SECONDS = 180  # a life that has neither crashed nor caught up by then is stuck (not just slowed by neighbours)


async def life(app: App, generation: int, crash: PlannedCrash | None) -> tuple[str | None, int]:
    """A fresh runner catches up on the generation's group until it dies: (where it died or None, deliveries it
    committed)."""
    runner, committed = app.runner(generation), [0]
    if crash is not None:
        runner.store = CrashingStore(runner.store, crash)

    def progress(consumed: int, total: int) -> None:  # called after each committed batch
        committed[0] = consumed

    try:
        await asyncio.wait_for(runner.catch_up(progress, fold=False), LIFE_SECONDS)  # batch by batch, as live
    except Crash as died:
        return str(died), committed[0]
    return None, committed[0]


async def project_with_crashes(app: App, generation: int, crashes: list[PlannedCrash]) -> tuple[Counter[str], int]:
    """One life per planned crash, then one uninterrupted life: how many crashes happened at each point, and how many
    deliveries the lives committed in all."""
    happened, committed = Counter[str](), 0
    for crash in crashes:
        point, done = await life(app, generation, crash)
        committed += done
        if point is None:
            break
        happened[point] += 1
        print(f"crash {sum(happened.values()):2} {point:45} after {committed} committed deliveries")
    committed += (await life(app, generation, None))[1]
    print(f"{sum(happened.values())} crashes, {committed} deliveries committed: {dict(happened)}")
    return happened, committed


@pytest.mark.parametrize("copies", [1, 2], ids=["once", "every-event-twice"])
async def test_crashes_at_planned_points_leave_views_equal_to_a_clean_rebuild(settings: Settings, copies: int) -> None:
    app = await bootstrap(settings.model_copy(update={"consumer_batch_size": copies * BATCH}))
    topic = settings.topic(topics.INTAKE_QUESTIONS)
    events = questions(EVENTS, seed=11)
    await produce(settings, topic, events, copies=copies)
    try:
        crashing = await app.generations.active(fresh=True)
        # A cut waits for a batch with two stored documents to cut between: a replay whose packed view documents are
        # written but one (packed views: a dozen stored documents per batch) moves the crashes after it a batch on.
        crashes = plan(random.Random(copies), PER_POINT, PLANNED_IN, crashed=PLANNED_IN - 1)
        happened, committed = await project_with_crashes(app, crashing, crashes)
        clean = await app.generations.new()
        rebuild = app.runner(clean)
        rebuild.batch_size = 2000
        assert await rebuild.catch_up() == copies * EVENTS

        assert committed == copies * EVENTS  # each delivery committed once, by one life
        assert happened == Counter({point: PER_POINT for point in POINTS})  # each crash at its planned point
        faulty = app.generations.store(crashing)
        assert await faulty.count_positions() == EVENTS  # one position per question stream
        faulty_sums = await view_sums(faulty, app.projection)
        assert faulty_sums == await view_sums(app.generations.store(clean), app.projection)
        assert faulty_sums == expected(app.projection, events)
    finally:
        await app.mongo.close()


async def test_every_event_delivered_twice_counts_as_once(settings: Settings) -> None:
    app = await bootstrap(settings)
    events = questions(800, seed=5)
    await produce(settings, settings.topic(topics.INTAKE_QUESTIONS), events, copies=2)
    try:
        generation = await app.generations.active(fresh=True)
        assert await app.runner(generation).catch_up() == 2 * len(events)
        assert await view_sums(app.generations.store(generation), app.projection) == expected(app.projection, events)
    finally:
        await app.mongo.close()


async def test_a_catch_up_goes_on_from_the_groups_commits_and_stops_at_the_end(settings: Settings) -> None:
    """What a restarted life relies on: only the records past the group's commits are read, and a partition committed
    to its end already does not keep the catch-up waiting."""
    app = await bootstrap(settings)
    topic = settings.topic(topics.INTAKE_QUESTIONS)
    await produce(settings, topic, questions(300, seed=3))
    parts = [TopicPartition(topic, p) for p in range(3)]
    try:
        generation = await app.generations.active(fresh=True)
        probe = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=group(settings, generation),
                                 enable_auto_commit=False)
        await probe.start()
        try:
            probe.assign(parts)
            ends = await probe.end_offsets(parts)
            await probe.commit({parts[0]: ends[parts[0]], parts[1]: 40})
        finally:
            await probe.stop()
        consumed = await asyncio.wait_for(app.runner(generation).catch_up(), LIFE_SECONDS)
        assert consumed == ends[parts[1]] - 40 + ends[parts[2]]
    finally:
        await app.mongo.close()
