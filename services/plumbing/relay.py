"""The relay: publishes unpublished commits to Kafka and marks them published once the broker acknowledged.

Runs in the write service's process. If Kafka is down, commands still succeed and the relay retries with back-off
until it is back. A crash between the broker's ack and the mark republishes a commit: consumers deduplicate by
stream version. A database away when the mark is due republishes nothing: the acknowledged commits are marked first
when it is back.

A refusal for good is not an outage: a commit Kafka will never take as it is (a record above the message limit, a
topic it cannot have or that does not exist and is not created, no right to write it) is parked in the store with
its error and counted (`wegwijs_relay_parked_total`); the relay goes on with every other stream, while the later
commits of the parked one's stream wait behind it (per-stream order is kept). An operator retries it after a fix or
resolves it (`wegwijs relay`); the relay acts on both within a poll.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from contracts.envelope import Envelope
from services.plumbing import metrics, records
from services.plumbing.errors import bounded
from services.plumbing.eventstore import Commit, EventStore, Parked, StoreUnavailable
from services.plumbing.refusals import Unroutable, check_topic, for_good

log = structlog.get_logger(__name__)


class Relay:
    def __init__(self, store: EventStore, producer_factory: Callable[[], AIOKafkaProducer],
                 topic_of: Callable[[Envelope], str], batch_size: int = 500, poll_seconds: float = 1.0,
                 name: str = "relay") -> None:
        self._store, self._factory, self._topic_of = store, producer_factory, topic_of
        self._batch_size, self._poll, self._name = batch_size, poll_seconds, name
        self._producer: AIOKafkaProducer | None = None
        self._wake = asyncio.Event()
        self._followed = float("-inf")
        self._acked: set[str] = set()  # commits the broker acknowledged whose mark the database has not taken yet

    def notify(self) -> None:
        """Called after an append so the relay publishes at once instead of at its next poll."""
        self._wake.set()

    async def run(self) -> None:
        backoff = 0.2
        try:
            while True:
                try:
                    await self.follow_operators()
                    published = await self.publish_pending()
                    backoff = 0.2
                except (KafkaError, OSError) as exc:
                    log.warning("relay.kafka_unavailable", error=bounded(str(exc), 500), retry_in=backoff)
                    await self._reset()
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
                except StoreUnavailable as exc:
                    log.warning("relay.store_unavailable", error=bounded(str(exc), 500), retry_in=backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
                except Exception:  # never let the relay die
                    log.exception("relay.failed")
                    await asyncio.sleep(backoff)
                    continue
                if published == 0:
                    await self._sleep_until_woken()
        finally:
            await self._reset()

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished commits, parking those refused for good; returns how many were handled
        (published or parked)."""
        await self._mark_acked()
        commits = await self._store.unpublished(self._batch_size)
        if not commits:
            return 0
        acked, failed, refused, outage = await self._pipelined(commits)
        await self._published(acked)
        for commit, exc in refused:
            await self._park(commit, exc)
        if failed:
            # A batch the broker refused breaks the idempotent producer's sequence of its partition (every later
            # batch there fails too): a new producer sends each failed commit alone, to tell the refused one.
            await self._reset()
            await self._isolate(failed)
        if outage is not None:
            raise outage
        return len(acked) + len(refused) + len(failed)

    async def follow_operators(self, now: bool = False) -> Sequence[Parked]:
        """At most once a poll: the parked commits as the database has them (an operator's resolve frees a stream
        there), and a retry of each one an operator asked for. Returns the parked commits."""
        if not now and time.monotonic() - self._followed < self._poll:
            return ()
        self._followed = time.monotonic()
        parked = await self._store.parked()
        metrics.RELAY_PARKED.labels(self._name).set(len(parked))
        for p in parked:
            if p.retry_asked is not None:
                await self._retry(p)
        return parked

    async def _pipelined(self, commits: Sequence[Commit]) -> tuple[
            list[Commit], list[Commit], list[tuple[Commit, BaseException]], BaseException | None]:
        """Send the batch at once (send() enqueues in call order, so per-stream order is kept), then wait for every
        ack. Returns the acked commits, those with a failed ack, those refused for good at send(), and the outage
        that stopped the sending, if one did."""
        producer = await self._started_producer()
        sent: list[tuple[Commit, list[asyncio.Future[object]]]] = []
        stray: list[asyncio.Future[object]] = []  # the events a refused or interrupted commit had sent already
        refused: list[tuple[Commit, BaseException]] = []
        waiting: set[str] = set()
        outage: BaseException | None = None
        for commit in commits:
            if commit.stream_id in waiting:
                continue
            futures: list[asyncio.Future[object]] = []
            try:
                for envelope in commit.events:
                    futures.append(await self._enqueue(producer, envelope))
            except Exception as exc:
                stray.extend(futures)
                if not await for_good(exc, producer, self._topics(commit)):
                    outage = exc
                    break
                refused.append((commit, exc))
                waiting.add(commit.stream_id)
                continue
            sent.append((commit, futures))
        results = await asyncio.gather(*(f for _, fs in sent for f in fs), *stray, return_exceptions=True)
        acked, failed, at = [], [], 0
        for commit, futures in sent:
            ok = not any(isinstance(r, BaseException) for r in results[at:at + len(futures)])
            at += len(futures)
            (acked if ok else failed).append(commit)
        return acked, failed, refused, outage

    async def _isolate(self, failed: Sequence[Commit]) -> None:
        """Each commit alone, in order: published, parked when refused for good alone; an outage stops here."""
        waiting: set[str] = set()
        for commit in failed:
            if commit.stream_id in waiting:
                continue
            if (exc := await self._alone(commit)) is not None:
                await self._park(commit, exc)
                waiting.add(commit.stream_id)
                await self._reset()
                continue
            await self._published([commit])

    async def _retry(self, parked: Parked) -> None:
        """An operator's retry: the parked commit, then the commits waiting behind it, in order; the stream flows
        again when all are published, or stays parked on the first one refused again (with its new error)."""
        log.info("relay.retrying", stream_id=parked.stream_id, commit_id=parked.commit_id)
        for commit in await self._store.waiting(parked.stream_id):
            if (exc := await self._alone(commit)) is not None:
                await self._park(commit, exc)
                await self._reset()
                return
            await self._published([commit])
        await self._store.unpark(parked.stream_id)
        log.info("relay.unparked", stream_id=parked.stream_id)

    async def _alone(self, commit: Commit) -> BaseException | None:
        """Send one commit's events one by one, each acked before the next; the refusal for good, if any (an
        outage raises)."""
        producer = await self._started_producer()
        try:
            for envelope in commit.events:
                await (await self._enqueue(producer, envelope))
        except Exception as exc:
            if await for_good(exc, producer, self._topics(commit)):
                return exc
            raise
        return None

    async def _enqueue(self, producer: AIOKafkaProducer, envelope: Envelope) -> asyncio.Future[object]:
        try:
            topic = self._topic_of(envelope)
        except Exception as exc:
            raise Unroutable(f"no topic for {envelope.type}: {exc!r}") from exc
        future: asyncio.Future[object] = await producer.send(
            check_topic(topic), envelope.to_bytes(), key=records.key(envelope), headers=records.headers(envelope))
        return future

    def _topics(self, commit: Commit) -> set[str]:
        routed = set()
        for envelope in commit.events:
            try:
                routed.add(self._topic_of(envelope))
            except Exception:  # noqa: BLE001 (an unroutable event is refused by _enqueue, not here)
                continue
        return routed

    async def _park(self, commit: Commit, exc: BaseException) -> None:
        error = bounded(f"{type(exc).__name__}: {exc}", 1000)
        await self._store.park(commit, error)
        metrics.RELAY_PARKED_TOTAL.labels(self._name).inc()
        log.error("relay.parked", stream_id=commit.stream_id, commit_id=commit.commit_id, tenant=commit.tenant,
                  error=error)

    async def _published(self, commits: Sequence[Commit]) -> None:
        if commits:
            self._acked.update(c.commit_id for c in commits)
            metrics.RELAY_PUBLISHED_TOTAL.labels(self._name).inc(len(commits))
            await self._mark_acked()

    async def _mark_acked(self) -> None:
        """Mark what the broker acknowledged. A mark the database could not take (it is away) is made again first
        thing on the next round, before anything is sent: an acknowledged commit is never sent twice by a living
        process (only a crash between the ack and the mark republishes)."""
        if self._acked:
            await self._store.mark_published(sorted(self._acked))
            self._acked.clear()

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
