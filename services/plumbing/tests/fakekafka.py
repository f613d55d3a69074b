"""A fake of the part of AIOKafkaProducer the relay uses, with the broker's behaviours that matter to it.

Like the real producer: a record above the producer's limit is refused at `send()`; one above the broker's limit
fails its ack, and every later record of that partition fails with OutOfOrderSequenceNumber until a new producer
(the idempotent sequence is broken); a topic the broker does not have raises UnknownTopicOrPartitionError at
`send()` unless it creates topics on demand; while the broker is down, everything raises KafkaConnectionError.
"""
from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass, field

from aiokafka.errors import (
    KafkaConnectionError, MessageSizeTooLargeError, OutOfOrderSequenceNumber, UnknownTopicOrPartitionError)

from contracts.envelope import Envelope

PARTITIONS = 3


@dataclass
class FakeBroker:
    producer_limit: int = 1_048_576
    broker_limit: int = 1_048_576
    down: bool = False
    auto_create: bool = True
    topics: set[str] = field(default_factory=set)
    log: list[tuple[str, Envelope]] = field(default_factory=list)  # (topic, event) in the order acknowledged
    producers: int = 0

    def producer(self) -> FakeProducer:
        self.producers += 1
        return FakeProducer(self)

    def streams(self) -> dict[str, list[int]]:
        """Each stream's versions in the order they arrived."""
        out: dict[str, list[int]] = {}
        for _, e in self.log:
            out.setdefault(e.stream_id, []).append(e.stream_version)
        return out


class _Metadata:
    def __init__(self, broker: FakeBroker) -> None:
        self._broker = broker

    async def fetch_all_metadata(self) -> _Metadata:
        if self._broker.down:
            raise KafkaConnectionError("broker down")
        return self

    def topics(self) -> set[str]:
        return set(self._broker.topics)


class FakeProducer:
    def __init__(self, broker: FakeBroker) -> None:
        self._broker = broker
        self._broken: set[tuple[str, int]] = set()
        self.client = _Metadata(broker)

    async def start(self) -> None:
        if self._broker.down:
            raise KafkaConnectionError("broker down")

    async def stop(self) -> None:
        return None

    async def send(self, topic: str, value: bytes, key: bytes, headers: list[tuple[str, bytes]]
                   ) -> asyncio.Future[object]:
        broker = self._broker
        if broker.down:
            raise KafkaConnectionError("broker down")
        if topic not in broker.topics:
            if not broker.auto_create:
                raise UnknownTopicOrPartitionError()
            broker.topics.add(topic)
        if len(value) > broker.producer_limit:
            raise MessageSizeTooLargeError(f"The message is {len(value)} bytes when serialized")
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        partition = (topic, zlib.crc32(key) % PARTITIONS)
        if partition in self._broken:
            future.set_exception(OutOfOrderSequenceNumber())
        elif len(value) > broker.broker_limit:
            self._broken.add(partition)
            future.set_exception(MessageSizeTooLargeError())
        else:
            broker.log.append((topic, Envelope.from_bytes(value)))
            future.set_result(len(broker.log))
        return future
