"""Kafka consumer of the catalogue's and intake's topics that keeps the referral's reference documents current.

Offsets are committed only after a batch was applied; a replay applies nothing twice (documents are guarded by
stream version). A message that cannot be decoded is logged and skipped: reference data never blocks referrals. The topic of each
partner organisation with a service is created as soon as the service is known, so a partner can subscribe before
its first referral.
"""
from __future__ import annotations

import asyncio

import structlog
from aiokafka.errors import KafkaError

from contracts import topics as names
from contracts.envelope import Envelope
from services.plumbing import kafka
from services.plumbing.log import bind_correlation_id
from services.plumbing.settings import Settings
from services.referral.application import reference
from services.referral.application.ports import ReferenceData

log = structlog.get_logger(__name__)


async def run(settings: Settings, store: ReferenceData, group_id: str) -> None:
    topics = [settings.topic(t) for t in reference.TOPICS]
    known: set[str] = set()
    while True:
        try:
            await kafka.ensure_topics(settings, [*topics, settings.topic(names.REFERRAL_REFERRALS)])
            await _consume(settings, store, group_id, topics, known)
        except (KafkaError, OSError) as exc:
            log.warning("referral.reference_consumer_unavailable", error=str(exc))
            await asyncio.sleep(1.0)


async def _consume(settings: Settings, store: ReferenceData, group_id: str, topics: list[str],
                   known: set[str]) -> None:
    consumer = kafka.consumer(settings, group_id, *topics)
    await consumer.start()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=settings.consumer_poll_ms, max_records=500)
            partners = {p for messages in batches.values() for m in messages if (p := await _learn(store, m.value))}
            if new := partners - known:
                await kafka.ensure_topics(settings, [settings.topic(names.partner_referrals(p)) for p in new])
                known |= new
            if batches:
                await consumer.commit()
    finally:
        await consumer.stop()


async def _learn(store: ReferenceData, raw: bytes) -> str | None:
    """Apply one message; returns the partner organisation of a service it names, if any."""
    try:
        envelope = Envelope.from_bytes(raw)
        bind_correlation_id(envelope.correlation_id)
        await store.learn(envelope)
        return reference.partner_of(envelope)
    except (ValueError, LookupError) as exc:  # invalid payloads, unknown versions: skip, never block
        log.warning("referral.reference_skipped", error=str(exc)[:300])
        return None
