"""Composition root of insights: the generations of views, and a projection runner per generation."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient

from services.insights.adapters.generations import Generations
from services.insights.domain.views import all_views
from services.plumbing import kafka
from services.plumbing.projection import Projection, ProjectionRunner
from services.plumbing.settings import Settings

SERVICE = "insights"


def group(settings: Settings, generation: int) -> str:
    """The consumer group of a generation: its committed offsets say how far that generation's views are."""
    return f"{settings.topic_prefix}{SERVICE}-g{generation}"


@dataclass
class App:
    settings: Settings
    generations: Generations
    projection: Projection
    mongo: AsyncMongoClient[dict[str, Any]]

    def consumer(self, generation: int) -> AIOKafkaConsumer:
        topics = [self.settings.topic(t) for t in self.projection.topics]
        return kafka.consumer(self.settings, group(self.settings, generation), *topics)

    def runner(self, generation: int) -> ProjectionRunner:
        """A runner projecting into `generation`'s views, from its group's committed offsets (or the beginning)."""
        return ProjectionRunner(self.projection, self.generations.store(generation), self.consumer(generation),
                                lambda: kafka.producer(self.settings, f"{SERVICE}-dlq"),
                                self.settings.consumer_batch_size, self.settings.consumer_poll_ms,
                                self.settings.rebuild_workers or os.cpu_count() or 1, self.settings.projection_linger_ms)


async def bootstrap(settings: Settings) -> App:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, serverSelectionTimeoutMS=3000)
    projection = all_views()
    await kafka.ensure_topics(settings, [settings.topic(t) for t in projection.topics])
    generations = Generations(mongo, settings.database(SERVICE), packed=projection.packed,
                              versions=projection.versions)
    return App(settings, generations, projection, mongo)
