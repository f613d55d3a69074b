"""Reading a topic from its beginning in end-to-end tests: every message of the given streams, in order."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from aiokafka.structs import ConsumerRecord

from services.plumbing import kafka
from services.plumbing.settings import Settings


async def read_until(settings: Settings, topics: list[str], done: Callable[[list[ConsumerRecord]], bool],
                     seconds: float = 30) -> list[ConsumerRecord]:
    """All records of `topics` from the beginning, until `done(records)` holds or time is up."""
    consumer = kafka.consumer(settings, f"e2e-{uuid.uuid4().hex}", *[settings.topic(t) for t in topics])
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        async with asyncio.timeout(seconds):
            while not done(records):
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    records.extend(batch)
    except TimeoutError:
        pass
    finally:
        await consumer.stop()
    return records
