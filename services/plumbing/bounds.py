"""Bounds every request meets before a handler sees it: a well-formed protobuf message, no list field too long.

Checked in the server interceptor, once for all services, so no handler starts per-item work on a list of 50,000
items. A large payload is decoded and checked off the event loop (health and other calls keep answering).
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import DecodeError, Message

from services.plumbing.errors import InvalidArgument, few

OFF_LOOP_BYTES = 64 * 1024  # a payload larger than this is decoded in a worker thread
MALFORMED = "not a well-formed protobuf message (invalid UTF-8, truncated data or nesting too deep)"


@dataclass(frozen=True)
class Limits:
    """Per request: items of any one repeated (or map) field, anywhere in the message."""

    list_items: int = 1000


def decode(deserializer: Callable[[bytes], Any] | None, raw: bytes) -> Any:
    """The request message, or INVALID_ARGUMENT for bytes the parser refuses (never UNKNOWN)."""
    if deserializer is None:
        return raw
    try:
        return deserializer(raw)
    except (DecodeError, RecursionError, UnicodeDecodeError, ValueError):
        raise InvalidArgument("request", MALFORMED) from None


def check(message: Any, limits: Limits) -> None:
    """INVALID_ARGUMENT naming every list field longer than the limit (the first few, then how many more)."""
    if not isinstance(message, Message):
        return
    found: list[tuple[str, int]] = []
    _walk(message, limits.list_items, "", found)
    if found:
        names = few([f"{name} ({n:,} items)" for name, n in found])
        field = found[0][0] if len(found) == 1 else "request"
        raise InvalidArgument(field, f"at most {limits.list_items:,} items per list; too many in {names}")


def _walk(message: Message, limit: int, prefix: str, found: list[tuple[str, int]]) -> None:
    for field, value in message.ListFields():
        name = f"{prefix}{field.name}"
        if field.is_repeated:
            if len(value) > limit:
                found.append((name, len(value)))
                continue
            if field.message_type is None:
                continue
            if field.message_type.GetOptions().map_entry:
                if field.message_type.fields_by_name["value"].message_type is not None:
                    for key, item in value.items():
                        _walk(item, limit, f"{name}[{key!s:.40}].", found)
            else:
                for i, item in enumerate(value):
                    _walk(item, limit, f"{name}[{i}].", found)
        elif field.message_type is not None:
            _walk(value, limit, f"{name}.", found)


def read(deserializer: Callable[[bytes], Any] | None, raw: bytes, limits: Limits) -> Any:
    """Decode and check in one step."""
    message = decode(deserializer, raw)
    check(message, limits)
    return message


async def request(deserializer: Callable[[bytes], Any] | None, raw: bytes, limits: Limits) -> Any:
    """`read`, in a worker thread when the payload is large enough for decoding and checking to take a while."""
    if isinstance(raw, bytes) and len(raw) > OFF_LOOP_BYTES:
        return await asyncio.to_thread(read, deserializer, raw, limits)
    return read(deserializer, raw, limits)
