"""A rebuild dead-letters the poison it meets, an unknown event type and a future schema version included, and stops
the dead-letter producer it started (found by tests/faults: the two kinds passed unseen, and each rebuild that met
poison left a producer's sender task pending)."""
from __future__ import annotations

import pytest

from contracts import topics
from contracts.envelope import new_event_id
from contracts.topics import dead_letter
from services.insights.bootstrap import bootstrap
from services.insights.tests.synthetic import expected, produce, questions, view_sums
from services.plumbing import kafka
from services.plumbing.settings import Settings

pytestmark = pytest.mark.integration


async def test_a_rebuild_dead_letters_unknown_types_and_future_versions_and_stops_its_producer(
        settings: Settings) -> None:
    app = await bootstrap(settings)
    topic = settings.topic(topics.INTAKE_QUESTIONS)
    events = questions(20, seed=4)
    poison = [events[0].model_copy(update={"event_id": new_event_id(), "stream_id": f"poison-{i}", **change})
              for i, change in enumerate(({"type": "QuestionTeleported"}, {"schema_version": 99}))]
    await produce(settings, topic, [*events, *poison])
    stopped: list[bool] = []

    def dead_letters():  # type: ignore[no-untyped-def]
        producer = kafka.producer(settings, "dlq-test")
        stop = producer.stop

        async def stopping() -> None:
            stopped.append(True)
            await stop()
        producer.stop = stopping  # type: ignore[method-assign]
        return producer
    try:
        generation = await app.generations.new()
        runner = app.runner(generation)
        runner._dlq_factory = dead_letters
        assert await runner.catch_up() == len(events) + len(poison)
        assert stopped == [True]
        assert await view_sums(app.generations.store(generation), app.projection) == expected(app.projection, events)
        reader = kafka.consumer(settings, f"dlq-{new_event_id()}", dead_letter(topic))
        await reader.start()
        dead: list = []  # type: ignore[type-arg]
        try:
            for _ in range(30):
                dead += [r for rs in (await reader.getmany(timeout_ms=500)).values() for r in rs]
                if len(dead) >= 2:
                    break
        finally:
            await reader.stop()
        errors = sorted(dict(r.headers)["error"].decode() for r in dead)
        assert len(errors) == 2 and "v99 is newer than this code knows" in errors[0]
        assert "unknown event type 'QuestionTeleported'" in errors[1]
    finally:
        await app.mongo.close()
