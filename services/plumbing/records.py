"""How an event travels as a Kafka record (key, headers, size), and the door check that a commit's events fit one.

The relay sends each event as one record; the event store's `append` refuses a commit with an event whose record
would be larger than the broker takes (`WEGWIJS_KAFKA_MAX_MESSAGE_BYTES`, the producer's `max_request_size` too),
so such a command is answered INVALID_ARGUMENT naming its largest field instead of stopping its stream later.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from contracts.envelope import Envelope
from services.plumbing.errors import InvalidArgument

MAX_MESSAGE_BYTES = 1_048_576  # Kafka's default max.message.bytes (1 MiB + 12 bytes) and aiokafka's max_request_size
# A record batch's header (61 bytes) and the record's own framing (lengths, offsets, timestamp: at most 56 bytes
# of varints with two headers), rounded up: never less than aiokafka's own estimate of the record.
FRAMING_BYTES = 128


def key(envelope: Envelope) -> bytes:
    """Key = stream id: one stream, one partition, so per-stream order holds on Kafka."""
    return envelope.stream_id.encode()


def headers(envelope: Envelope) -> list[tuple[str, bytes]]:
    return [("type", envelope.type.encode()), ("correlation_id", envelope.correlation_id.encode())]


def size(envelope: Envelope, value: bytes | None = None) -> int:
    """The bytes the broker counts for this event's record (an upper bound)."""
    value = envelope.to_bytes() if value is None else value
    return len(value) + len(key(envelope)) + sum(len(k) + len(v) for k, v in headers(envelope)) + FRAMING_BYTES


def check(events: Iterable[Envelope], limit: int | None) -> None:
    """INVALID_ARGUMENT naming the largest field of the first event too large for one record; `limit` None: any."""
    if limit is None:
        return
    for envelope in events:
        if (n := size(envelope)) > limit:
            field = largest(envelope.payload)
            raise InvalidArgument(field, f"too large: the event it makes would be {n:,} bytes, more than the "
                                         f"{limit:,} a message may have; {field} is its largest field")


def largest(payload: dict[str, Any]) -> str:
    """The payload field that takes the most bytes as JSON, followed into an object while one of its fields takes
    most of it (`record.hsds_extra`)."""
    if not payload:
        return "request"
    name, value = max(payload.items(), key=lambda kv: _json_bytes(kv[1]))
    path = [str(name)]
    while isinstance(value, dict) and value:
        inner, part = max(value.items(), key=lambda kv: _json_bytes(kv[1]))
        if 2 * _json_bytes(part) < _json_bytes(value):
            break
        path.append(str(inner))
        value = part
    return ".".join(path)


def _json_bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str).encode())
