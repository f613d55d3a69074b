"""Kafka consumer of the referral topic that files each referral's steps under its question (intake's own database).

Consumer group `{topic_prefix}intake-referrals`; offsets are committed only after a batch was written (at least once);
writes are keyed by referral id and stream version, so a replay changes nothing. A message that cannot be decoded is
logged and skipped: a question's history never blocks on it. Kafka or MongoDB unavailable: retry from the last commit.
"""
from __future__ import annotations

import asyncio

import structlog
from aiokafka.errors import KafkaError
from pymongo.errors import PyMongoError

from contracts.envelope import Envelope
from services.intake.application import referrals
from services.intake.application.ports import QuestionReferrals
from services.plumbing import kafka
from services.plumbing.log import bind_correlation_id
from services.plumbing.settings import Settings

log = structlog.get_logger(__name__)


def group_id(settings: Settings) -> str:
    return f"{settings.topic_prefix}intake-referrals"


async def run(settings: Settings, store: QuestionReferrals) -> None:
    topic = settings.topic(referrals.TOPIC)
    while True:
        try:
            await kafka.ensure_topics(settings, [topic])
            await _consume(settings, store, topic)
        except (KafkaError, OSError, PyMongoError) as exc:
            log.warning("intake.referral_consumer_unavailable", error=str(exc)[:300])
            await asyncio.sleep(1.0)


async def _consume(settings: Settings, store: QuestionReferrals, topic: str) -> None:
    consumer = kafka.consumer(settings, group_id(settings), topic)
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


async def _learn(store: QuestionReferrals, raw: bytes) -> None:
    try:
        envelope = Envelope.from_bytes(raw)
        bind_correlation_id(envelope.correlation_id)
        step = referrals.step_of(envelope)
    except (ValueError, LookupError) as exc:  # invalid payloads, unknown versions: skip, never block
        log.warning("intake.referral_skipped", error=str(exc)[:300])
        return
    if step is not None:
        await store.record(step)
