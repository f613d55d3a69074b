"""The relay: publishes unpublished commits to Kafka and marks them published once the broker acknowledged.

Runs in the write service's process. If Kafka is down, commands still succeed and the relay retries until it is
back. A crash between the broker's ack and the mark republishes a commit: consumers deduplicate by stream version.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from contracts.envelope import Envelope
from services.plumbing.eventstore import Commit, EventStore

log = structlog.get_logger(__name__)


class Relay:
    def __init__(self, store: EventStore, producer_factory: Callable[[], AIOKafkaProducer],
                 topic_of: Callable[[Envelope], str], batch_size: int = 500, poll_seconds: float = 1.0) -> None:
        self._store, self._factory, self._topic_of = store, producer_factory, topic_of
        self._batch_size, self._poll = batch_size, poll_seconds
        self._producer: AIOKafkaProducer | None = None
        self._wake = asyncio.Event()

    def notify(self) -> None:
        """Called after an append so the relay publishes at once instead of at its next poll."""
        self._wake.set()

    async def run(self) -> None:
        backoff = 0.2
        try:
            while True:
                try:
                    published = await self.publish_pending()
                    backoff = 0.2
                except (KafkaError, OSError) as exc:
                    log.warning("relay.kafka_unavailable", error=str(exc), retry_in=backoff)
                    await self._reset()
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
                except Exception:  # the store may be briefly down; never let the relay die
                    log.exception("relay.failed")
                    await asyncio.sleep(backoff)
                    continue
                if published == 0:
                    await self._sleep_until_woken()
        finally:
            await self._reset()

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished commits; returns how many commits were published."""
        commits = await self._store.unpublished(self._batch_size)
        if not commits:
            return 0
        await self._send(commits)
        await self._store.mark_published([c.commit_id for c in commits])
        log.debug("relay.published", commits=len(commits))
        return len(commits)

    async def _send(self, commits: Sequence[Commit]) -> None:
        producer = await self._started_producer()
        # send() enqueues in call order, so per-stream order is kept; then wait for every ack.
        acks = [await producer.send(self._topic_of(e), e.to_bytes(), key=e.stream_id.encode(),
                                    headers=[("type", e.type.encode()), ("correlation_id", e.correlation_id.encode())])
                for c in commits for e in c.events]
        await asyncio.gather(*acks)

    async def _started_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._factory()
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _reset(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                await producer.stop()
            except Exception:  # already broken; nothing more to release
                log.debug("relay.producer_stop_failed")

    async def _sleep_until_woken(self) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
        except TimeoutError:
            pass
        self._wake.clear()
