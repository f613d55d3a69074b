"""Composition root of referrals: event store, reference data, query model, the relay (domain topic + partner
topics), the reference consumer and the overdue task."""
from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from pymongo import AsyncMongoClient

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import registry
from contracts.events.referral import PartnerReferral
from services.plumbing import kafka
from services.plumbing.eventstore.mongo import MongoEventStore
from services.plumbing.relay import Relay
from services.plumbing.settings import Settings, read
from services.referral.adapters import reference_consumer
from services.referral.adapters.mongo import MongoReference, MongoViews
from services.referral.application import overdue
from services.referral.application.handlers import Deps
from services.referral.application.outbound import Senders

SERVICE = "referral"


class ReferralSettings(BaseSettings):
    """What only referrals need: when an unanswered referral is overdue, how often to look, and the secret behind
    the senders' pseudonyms on partner topics."""

    model_config = SettingsConfigDict(env_prefix="WEGWIJS_REFERRAL_", frozen=True, extra="ignore")

    overdue_hours: int = Field(default=72, ge=1)
    overdue_check_seconds: float = Field(default=300.0, gt=0)
    partner_secret_file: Path | None = None  # required: at least 32 random bytes, never in the database


def topic_of(settings: Settings) -> Any:
    """Domain events go to the referral topic; each partner view to the topic of the partner it is addressed to."""
    def route(envelope: Envelope) -> str:
        if envelope.type == PartnerReferral.event_type:
            return settings.topic(topics.partner_referrals(envelope.payload["organization_id"]))
        return settings.topic(registry.current(envelope.type).topic)
    return route


def senders(own: ReferralSettings) -> Senders:
    """The senders' pseudonyms from the configured secret; a missing or short secret stops the service at start."""
    try:
        return Senders(read(own.partner_secret_file, "referral_partner_secret_file").strip())
    except ValueError as exc:
        raise SystemExit(f"error: WEGWIJS_REFERRAL_PARTNER_SECRET_FILE: {exc}") from None


@dataclass
class App:
    deps: Deps
    relay: Relay
    mongo: AsyncMongoClient[dict[str, Any]]
    background: list[Coroutine[Any, Any, None]]


async def bootstrap(settings: Settings, own: ReferralSettings | None = None) -> App:
    own = own or ReferralSettings()
    partner_senders = senders(own)
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, serverSelectionTimeoutMS=3000)
    database = settings.database(SERVICE)
    store = MongoEventStore(mongo, database, settings.kafka_max_message_bytes)
    await store.create_indexes()
    views = MongoViews(mongo, database)
    await views.create_indexes()
    reference = MongoReference(mongo, database)
    await reference.migrate()
    relay = Relay(store, lambda: kafka.producer(settings, f"{SERVICE}-relay"), topic_of(settings),
                  settings.relay_batch_size, settings.relay_poll_seconds, SERVICE)
    deps = Deps(store=store, views=views, reference=reference, published=relay.notify,
                senders=partner_senders)
    background = [relay.run(), reference_consumer.run(settings, reference, settings.topic(f"{SERVICE}-reference")),
                  overdue.run(deps, own.overdue_hours, own.overdue_check_seconds)]
    return App(deps, relay, mongo, background)
