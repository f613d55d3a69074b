"""Composition root of intake: builds the store, the key store, the query model, the question referrals learnt from
the referral topic and the relay from settings."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient

from contracts.envelope import Envelope
from contracts.events import registry
from services.intake.adapters.mongo import MongoKeyStore, MongoQuestionReferrals, MongoQuestionViews
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
    database = settings.database(SERVICE)
    store = MongoEventStore(mongo, database)
    views = MongoQuestionViews(mongo, database)
    await store.create_indexes()
    await views.create_indexes()

    def topic_of(envelope: Envelope) -> str:
        return settings.topic(registry.current(envelope.type).topic)

    relay = Relay(store, lambda: kafka.producer(settings, f"{SERVICE}-relay"), topic_of,
                  settings.relay_batch_size, settings.relay_poll_seconds)
    deps = Deps(store=store, keys=MongoKeyStore(mongo, database), views=views,
                referrals=MongoQuestionReferrals(mongo, database), published=relay.notify)
    return App(deps, relay, mongo)
