"""Which Kafka errors refuse a record for good (park it) and which are an outage (retry with back-off).

aiokafka's `retriable` flag alone cannot tell: its base KafkaError, KafkaTimeoutError and OutOfOrderSequenceNumber
are not retriable either, yet a new producer or a broker that is back fixes them. So the refusals are named here.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiokafka.errors import (
    InvalidTimestampError, InvalidTopicError, KafkaError, MessageSizeTooLargeError, PolicyViolationError,
    RecordListTooLargeError, RecordTooLargeError, TopicAuthorizationFailedError, UnknownTopicOrPartitionError)

from contracts import topics


class Unroutable(Exception):
    """The relay cannot name a topic for this event (its route raised): no retry will help before a fix."""


# Errors after which sending the same record again can only fail again.
FOR_GOOD = (MessageSizeTooLargeError, RecordTooLargeError, RecordListTooLargeError, InvalidTopicError,
            TopicAuthorizationFailedError, PolicyViolationError, InvalidTimestampError, Unroutable)


def check_topic(topic: str) -> str:
    """`topic`, or InvalidTopicError before the broker is asked: a name it would refuse, and that aiokafka would
    ask it for again at every metadata refresh."""
    if not topics.legal(topic):
        raise InvalidTopicError(f"{topic!r} is not a legal topic name (1 to 249 of [a-zA-Z0-9._-])")
    return topic


async def for_good(exc: BaseException, producer: Any, wanted: Iterable[str]) -> bool:
    """Whether `exc` refuses for good a record of the `wanted` topics. A topic the broker does not know is such a
    refusal only when the broker answers and still has none of that name (it does not create topics on demand);
    while it cannot be asked, it is an outage."""
    if isinstance(exc, FOR_GOOD):
        return True
    if not isinstance(exc, UnknownTopicOrPartitionError):
        return False
    try:
        known = (await producer.client.fetch_all_metadata()).topics()
    except (KafkaError, OSError):
        return False
    return any(topic not in known for topic in wanted)
