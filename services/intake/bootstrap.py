"""Composition root of intake: builds the store, the relay and the handler dependencies from settings."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient

from contracts.envelope import Envelope
from contracts.events import registry
from services.intake.application.handlers import Deps
from services.plumbing import kafka
from services.plumbing.eventstore.mongo import MongoEventStore
from services.plumbing.relay import Relay
from services.plumbing.settings import Settings

SERVICE = "intake"


@dataclass
class App:
    deps: Deps
    relay: Relay
    mongo: AsyncMongoClient[dict[str, Any]]


async def bootstrap(settings: Settings) -> App:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, serverSelectionTimeoutMS=3000)
    store = MongoEventStore(mongo, settings.database(SERVICE))
    await store.create_indexes()

    def topic_of(envelope: Envelope) -> str:
        return settings.topic(registry.current(envelope.type).topic)

    relay = Relay(store, lambda: kafka.producer(settings, f"{SERVICE}-relay"), topic_of,
                  settings.relay_batch_size, settings.relay_poll_seconds)
    return App(Deps(store=store, published=relay.notify), relay, mongo)
