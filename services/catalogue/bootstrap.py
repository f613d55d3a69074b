"""Composition root of the catalogue: the event store, the query model, the relay and the HSDS schemas."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from pymongo import AsyncMongoClient

from contracts.envelope import Envelope
from contracts.events import registry
from contracts.hsds import SCHEMAS
from services.catalogue.adapters import hsds
from services.catalogue.adapters.views_mongo import MongoViews
from services.catalogue.application.handlers import Deps
from services.plumbing import kafka, offload
from services.plumbing.eventstore.mongo import MongoEventStore
from services.plumbing.relay import Relay
from services.plumbing.settings import Settings

SERVICE = "catalogue"


class CatalogueSettings(BaseSettings):
    """What only the catalogue needs: where the official HSDS 3.1 JSON Schemas are, and what one import may hold."""

    model_config = SettingsConfigDict(env_prefix="WEGWIJS_", frozen=True, extra="ignore")

    hsds_schema_dir: Path = SCHEMAS  # package data: contracts/hsds/schema
    # One ImportHsds: objects (nested ones counted) and bytes of one object as JSON (hsds_extra included).
    hsds_import_max_records: int = Field(default=hsds.Limits.records, ge=1)
    hsds_import_max_record_bytes: int = Field(default=hsds.Limits.record_bytes, ge=1024)
    # Worker processes parsing HSDS imports (they share no GIL with the gRPC loop); 0: a thread of the service.
    hsds_import_workers: int = Field(default=2, ge=0)
    # The public HSDS 3.1 API over HTTP (entrypoints/hsds_http.py), beside gRPC in this process; 0: off.
    catalogue_hsds_port: int = Field(default=7063, ge=0, le=65535)
    # Seconds a municipality's rendered catalogue is kept by the HSDS API (a burst of requests renders it once).
    catalogue_hsds_cache_seconds: float = Field(default=5.0, ge=0)


@dataclass
class App:
    deps: Deps
    relay: Relay
    mongo: AsyncMongoClient[dict[str, Any]]
    hsds_schema_dir: Path
    hsds_limits: hsds.Limits
    hsds_processes: offload.Processes | None

    async def close(self) -> None:
        if self.hsds_processes is not None:
            self.hsds_processes.close()
        await self.mongo.close()


async def bootstrap(settings: Settings, own: CatalogueSettings | None = None) -> App:
    own = own or CatalogueSettings()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, serverSelectionTimeoutMS=3000)
    store = MongoEventStore(mongo, settings.database(SERVICE), settings.kafka_max_message_bytes)
    await store.create_indexes()
    views = MongoViews(mongo, settings.database(SERVICE))
    await views.create_indexes()

    def topic_of(envelope: Envelope) -> str:
        return settings.topic(registry.current(envelope.type).topic)

    relay = Relay(store, lambda: kafka.producer(settings, f"{SERVICE}-relay"), topic_of,
                  settings.relay_batch_size, settings.relay_poll_seconds, SERVICE)
    return App(Deps(store=store, views=views, published=relay.notify), relay, mongo, own.hsds_schema_dir,
               hsds.Limits(own.hsds_import_max_records, own.hsds_import_max_record_bytes),
               offload.Processes(own.hsds_import_workers) if own.hsds_import_workers else None)
