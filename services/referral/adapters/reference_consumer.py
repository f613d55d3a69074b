"""Kafka consumer of the catalogue's and intake's topics that keeps the referral's reference documents current.

Offsets are committed only after a batch was applied; a replay applies nothing twice (documents are guarded by
stream version). A message that cannot be decoded is logged and skipped: reference data never blocks referrals.
"""
from __future__ import annotations

import asyncio

import structlog
from aiokafka.errors import KafkaError

from contracts.envelope import Envelope
from services.plumbing import kafka
from services.plumbing.log import bind_correlation_id
from services.plumbing.settings import Settings
from services.referral.application import reference
from services.referral.application.ports import ReferenceData

log = structlog.get_logger(__name__)


async def run(settings: Settings, store: ReferenceData, group_id: str) -> None:
    topics = [settings.topic(t) for t in reference.TOPICS]
    while True:
        try:
            await kafka.ensure_topics(settings, topics)
            await _consume(settings, store, group_id, topics)
        except (KafkaError, OSError) as exc:
            log.warning("referral.reference_consumer_unavailable", error=str(exc))
            await asyncio.sleep(1.0)


async def _consume(settings: Settings, store: ReferenceData, group_id: str, topics: list[str]) -> None:
    consumer = kafka.consumer(settings, group_id, *topics)
    await consumer.start()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=settings.consumer_poll_ms, max_records=500)
            for messages in batches.values():
                for message in messages:
                    await _learn(store, message.value)
            if batches:
                await consumer.commit()
    finally:
        await consumer.stop()


async def _learn(store: ReferenceData, raw: bytes) -> None:
    try:
        envelope = Envelope.from_bytes(raw)
        bind_correlation_id(envelope.correlation_id)
        await store.learn(envelope)
    except (ValueError, LookupError) as exc:  # invalid payloads, unknown versions: skip, never block
        log.warning("referral.reference_skipped", error=str(exc)[:300])
