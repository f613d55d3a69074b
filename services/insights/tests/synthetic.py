"""Synthetic QuestionRegistered envelopes, a producer for them, and view sums to compare projections by."""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.envelope import Actor, Envelope, Role
from contracts.events.intake import QuestionRegistered
from services.plumbing import kafka
from services.plumbing.projection import Projection
from services.plumbing.projection.store import ProjectionStore
from services.plumbing.settings import Settings

THEMES = ["housing", "work", "health", "education", "letters", "income"]
CHANNELS = ["walk-in", "whatsapp", "outreach", "phone"]
LANGUAGES = ["ar", "ti", "prs", "uk", "so", "fr", "nl"]
TENANTS = {"kortrijk": ["huis-van-de-kortrijkzaan", "kortrijk-west"], "brugge": ["huis-van-de-bruggeling"]}


def questions(count: int, seed: int = 7) -> list[Envelope]:
    rng, start = random.Random(seed), datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(count):
        tenant = rng.choice(list(TENANTS))
        spoken = rng.sample(LANGUAGES, rng.choice((1, 1, 2)))
        payload = QuestionRegistered(
            question_id=f"q-{seed}-{i}", office_id=rng.choice(TENANTS[tenant]), client_id=f"c-{rng.randrange(10**9)}",
            channel=rng.choice(CHANNELS), themes=tuple(rng.sample(THEMES, rng.choice((1, 2)))),
            client_languages=tuple(spoken), language_used=rng.choice([*spoken, "nl", "fr"]),
            interpreter_needed=rng.random() < 0.3, urgent=rng.random() < 0.1)
        out.append(Envelope(type="QuestionRegistered", schema_version=1, stream_id=f"question-{seed}-{i}",
                            stream_version=1, tenant=tenant, correlation_id=f"corr-{i}",
                            occurred_at=start + timedelta(hours=rng.randrange(24 * 180)),
                            actor=Actor(staff_id="synthetic", role=Role.FRONT_OFFICE),
                            payload=payload.model_dump(mode="json")))
    return out


async def produce(settings: Settings, topic: str, envelopes: Sequence[Envelope], copies: int = 1) -> None:
    """Publish keyed by stream id, like the relay; `copies=2` resends every chunk, as a relay crashing after the ack."""
    producer = kafka.producer(settings, "synthetic")
    await producer.start()
    try:
        for start in range(0, len(envelopes), 500):
            chunk = [(e.stream_id.encode(), e.to_bytes()) for e in envelopes[start:start + 500]]
            futures = [await producer.send(topic, value, key=key) for _ in range(copies) for key, value in chunk]
            for f in futures:
                await f
    finally:
        await producer.stop()


Sums = Counter[tuple[str, tuple[tuple[str, Any], ...], str]]


def expected(projection: Projection, envelopes: Iterable[Envelope]) -> Sums:
    """What the views must add up to: every event projected exactly once."""
    sums: Sums = Counter()
    for env in envelopes:
        for d in projection.project(env):
            for name, n in d.inc.items():
                sums[(d.view, tuple(sorted(d.key.items())), name)] += n
    return +sums


async def view_sums(store: ProjectionStore, projection: Projection) -> Sums:
    """The counters of every view, summed over the partitions that own its documents."""
    sums: Sums = Counter()
    for view in projection.views:
        async for doc in store.documents(view):
            key = tuple(sorted((k, v) for k, v in doc.items() if isinstance(v, str)))
            for name, n in doc.items():
                if isinstance(n, int):
                    sums[(view, key, name)] += n
    return +sums
