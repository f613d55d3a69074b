"""Exactly-once effect under faults: a runner cancelled at random points (often mid-batch) and restarted, with and
without every event delivered twice, ends with views equal to a clean rebuild and to the events counted once."""
from __future__ import annotations

import asyncio
import random
import time

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from contracts import topics
from services.insights.bootstrap import App, bootstrap, group
from services.insights.tests.synthetic import expected, produce, questions, view_sums
from services.plumbing.projection import ProjectionRunner
from services.plumbing.settings import Settings

pytestmark = pytest.mark.integration
EVENTS = 3000
PARTITIONS = 3  # as created by kafka.ensure_topics


async def committed(app: App, generation: int, topic: str) -> tuple[int, int]:
    """(committed, end) summed over the topic's partitions, for a generation's group; (0, 1) while Kafka is away
    (other suites on the shared stack stop it briefly)."""
    try:
        return await _committed(app, generation, topic)
    except KafkaError:
        await asyncio.sleep(1)
        return 0, 1


async def _committed(app: App, generation: int, topic: str) -> tuple[int, int]:
    probe = AIOKafkaConsumer(bootstrap_servers=app.settings.kafka_bootstrap, group_id=group(app.settings, generation),
                             enable_auto_commit=False)
    await probe.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        ends = await probe.end_offsets(parts)
        done = [await probe.committed(tp) or 0 for tp in parts]
        return sum(done), sum(ends.values())
    finally:
        await probe.stop()


def interrupted_in_handle(runner: ProjectionRunner, started: asyncio.Event, counter: list[int]) -> None:
    original = runner.handle

    async def handle(records):  # type: ignore[no-untyped-def]
        started.set()
        try:
            await original(records)
        except asyncio.CancelledError:
            counter[0] += 1
            raise

    runner.handle = handle  # type: ignore[method-assign]


async def project_with_crashes(app: App, generation: int, topic: str, rng: random.Random) -> tuple[int, int]:
    """Run, cancel at a random point, restart with a new consumer on the same group, until caught up."""
    restarts, mid_handle, deadline = 0, [0], time.monotonic() + 300
    while (lambda done_end: done_end[0] < done_end[1])(await committed(app, generation, topic)):
        assert time.monotonic() < deadline, "the crashing runner did not catch up in time"
        runner, started = app.runner(generation), asyncio.Event()
        interrupted_in_handle(runner, started, mid_handle)
        task = asyncio.create_task(runner.run())
        if restarts % 2:  # half of the crashes land inside a batch's writes
            await asyncio.wait([asyncio.ensure_future(started.wait()), task], timeout=5,
                               return_when=asyncio.FIRST_COMPLETED)
            await asyncio.sleep(rng.uniform(0, 0.04))
        else:
            await asyncio.sleep(rng.uniform(0.5, 2.5))
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        restarts += 1
    return restarts, mid_handle[0]


@pytest.mark.parametrize("copies", [1, 2], ids=["once", "every-event-twice"])
async def test_crashes_at_random_points_leave_views_equal_to_a_clean_rebuild(settings: Settings, copies: int) -> None:
    settings = settings.model_copy(update={"consumer_batch_size": 1000})
    app = await bootstrap(settings)
    topic = settings.topic(topics.INTAKE_QUESTIONS)
    events = questions(EVENTS, seed=11)
    await produce(settings, topic, events, copies=copies)
    try:
        crashing = await app.generations.active(fresh=True)
        restarts, mid_handle = await project_with_crashes(app, crashing, topic, random.Random(copies))
        clean = await app.generations.new()
        await app.runner(clean).catch_up()

        faulty_sums = await view_sums(app.generations.store(crashing), app.projection)
        assert restarts >= 4 and mid_handle >= 1
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
