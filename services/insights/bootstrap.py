"""Composition root of insights: the views store, the projection runner and its Kafka clients."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient

from services.insights.domain.questions_per_theme import QuestionsPerTheme
from services.plumbing import kafka
from services.plumbing.projection import ProjectionRunner
from services.plumbing.projection.store import ProjectionStore
from services.plumbing.settings import Settings

SERVICE = "insights"


@dataclass
class App:
    views: ProjectionStore
    runner: ProjectionRunner
    mongo: AsyncMongoClient[dict[str, Any]]


async def bootstrap(settings: Settings) -> App:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, serverSelectionTimeoutMS=3000)
    views = ProjectionStore(mongo, settings.database(SERVICE))
    projection = QuestionsPerTheme()
    topics = [settings.topic(t) for t in projection.topics]
    await kafka.ensure_topics(settings, topics)
    consumer = kafka.consumer(settings, f"{settings.topic_prefix}{SERVICE}", *topics)
    runner = ProjectionRunner(projection, views, consumer, lambda: kafka.producer(settings, f"{SERVICE}-dlq"),
                              settings.consumer_batch_size, settings.consumer_poll_ms)
    return App(views, runner, mongo)
