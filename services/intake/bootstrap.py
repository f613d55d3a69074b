"""Composition root of intake: builds the store, the key store with its key-encryption key, the query model, the
question referrals learnt from the referral topic and the relay from settings."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict
from pymongo import AsyncMongoClient

from contracts.envelope import Envelope
from contracts.events import registry
from services.intake.adapters.keyfile import FileKeyWrapper
from services.intake.adapters.mongo import MongoKeyStore, MongoQuestionReferrals, MongoQuestionViews
from services.intake.adapters.vault import VaultTransit
from services.intake.application.handlers import Deps
from services.intake.application.keys import ClientKeys
from services.intake.application.ports import KeyWrapper
from services.plumbing import kafka
from services.plumbing.eventstore.mongo import MongoEventStore
from services.plumbing.keyring import WrapError
from services.plumbing.relay import Relay
from services.plumbing.settings import Settings

SERVICE = "intake"


class KeySettings(BaseSettings):
    """Where the key-encryption key (KEK) is: Vault transit when `WEGWIJS_VAULT_ADDR` is set (production), else the
    local keyring file (development, made by `make install`). Intake refuses to start without one."""

    model_config = SettingsConfigDict(env_prefix="WEGWIJS_", frozen=True, extra="ignore")

    kek_keyring_file: Path | None = None
    vault_addr: str | None = None
    vault_token_file: Path | None = None  # e.g. the sink of a Vault Agent, which keeps the token renewed
    vault_ca_file: Path | None = None
    vault_transit_mount: str = "transit"
    vault_transit_key: str = "wegwijs-intake"


def key_wrapper(own: KeySettings) -> KeyWrapper:
    if own.vault_addr:
        if own.vault_token_file is None:
            raise SystemExit("error: WEGWIJS_VAULT_TOKEN_FILE is not set (needed with WEGWIJS_VAULT_ADDR)")
        return VaultTransit(own.vault_addr, own.vault_token_file, mount=own.vault_transit_mount,
                            key=own.vault_transit_key, ca_file=own.vault_ca_file)
    if own.kek_keyring_file is None:
        raise SystemExit("error: WEGWIJS_KEK_KEYRING_FILE is not set (nor WEGWIJS_VAULT_ADDR): no key-encryption key")
    return FileKeyWrapper(own.kek_keyring_file)


async def client_keys(mongo: AsyncMongoClient[dict[str, Any]], database: str, own: KeySettings) -> ClientKeys:
    """The clients' keys, after checking the KEK answers: a missing one stops intake at start, not at a client."""
    kek = key_wrapper(own)
    try:
        await kek.latest()
    except WrapError as exc:
        raise SystemExit(f"error: key-encryption key: {exc}") from None
    return ClientKeys(MongoKeyStore(mongo, database), kek)


@dataclass
class App:
    deps: Deps
    relay: Relay
    mongo: AsyncMongoClient[dict[str, Any]]


async def bootstrap(settings: Settings, own: KeySettings | None = None) -> App:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, serverSelectionTimeoutMS=3000)
    database = settings.database(SERVICE)
    store = MongoEventStore(mongo, database, settings.kafka_max_message_bytes)
    views = MongoQuestionViews(mongo, database)
    await store.create_indexes()
    await views.create_indexes()

    def topic_of(envelope: Envelope) -> str:
        return settings.topic(registry.current(envelope.type).topic)

    relay = Relay(store, lambda: kafka.producer(settings, f"{SERVICE}-relay"), topic_of,
                  settings.relay_batch_size, settings.relay_poll_seconds, SERVICE)
    keys = await client_keys(mongo, database, own or KeySettings())
    deps = Deps(store=store, keys=keys, views=views,
                referrals=MongoQuestionReferrals(mongo, database), published=relay.notify)
    return App(deps, relay, mongo)
