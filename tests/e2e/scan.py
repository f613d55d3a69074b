"""The personal-data scan after the e2e suite: every Kafka topic and every database of the session's prefixes,
searched for the synthetic details the e2e tests typed in (none may be stored or sent in plaintext)."""
from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from bson import json_util
from pymongo import AsyncMongoClient

from services.plumbing import kafka
from services.plumbing.settings import Settings

# Every detail an e2e test types into a free-text or contact field (all synthetic), in the spellings it may take.
PHONES = ("+32 470 98 76 54", "+32 470 11 22 33", "+32 471 55 44 33")
EMAILS = ("amina.haddad@example.org", "a.haddad@example.org")
NATIONAL_NUMBER, IBAN = "85.07.30-033.28", "BE68 5390 0754 7034"
PLANTED = (*PHONES, *(p.replace(" ", "") for p in PHONES), *(p.removeprefix("+32 ") for p in PHONES), *EMAILS,
           NATIONAL_NUMBER, NATIONAL_NUMBER.replace(".", "").replace("-", ""), IBAN, IBAN.replace(" ", ""),
           "Amina", "Haddad", "Doorniksewijk")


def leaks(where: str, blob: bytes, planted: Iterable[str] = PLANTED) -> list[str]:
    """`where: detail` for each planted detail found in `blob` (UTF-8 and JSON-escaped spellings)."""
    found = []
    for detail in planted:
        spellings = {detail.encode(), json_util.dumps(detail).strip('"').encode()}
        if any(s in blob for s in spellings):
            found.append(f"{where}: {detail}")
    return found


async def topics_of(settings: Settings, prefixes: Iterable[str]) -> dict[str, list[int]]:
    """Each topic whose name starts with one of `prefixes`, with its partitions."""
    wanted = tuple(prefixes)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, **kafka.security(settings))
    await admin.start()
    try:
        names = sorted(t for t in await admin.list_topics() if wanted and t.startswith(wanted))
        described = await admin.describe_topics(names) if names else []
        return {d["topic"]: sorted(p["partition"] for p in d["partitions"]) for d in described}
    finally:
        await admin.close()


async def topics_bytes(settings: Settings, topics: dict[str, list[int]]) -> dict[str, bytes]:
    """Every record of each of `topics` from its beginning to its end now (keys, values and headers), read by one
    consumer assigned all their partitions: a consumer per topic cost a start and a fetch wait each."""
    assigned = [TopicPartition(t, p) for t, partitions in topics.items() for p in partitions]
    chunks: dict[str, list[bytes]] = {t: [] for t in topics}
    if not assigned:
        return {}
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                                **kafka.security(settings))
    await consumer.start()
    try:
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        end = await consumer.end_offsets(assigned)
        left = {tp for tp in assigned if await consumer.position(tp) < end[tp]}
        async with asyncio.timeout(120 + len(assigned) / 10):  # a topic that cannot be read to its end fails
            while left:
                for tp, records in (await consumer.getmany(*left, timeout_ms=500)).items():
                    for r in records:
                        chunks[tp.topic] += [r.key or b"", r.value or b"", *(v for _, v in r.headers)]
                    if await consumer.position(tp) >= end[tp]:
                        left.discard(tp)
        return {t: b"\n".join(c) for t, c in chunks.items()}
    finally:
        await consumer.stop()


async def database_bytes(client: AsyncMongoClient[dict[str, Any]], name: str) -> bytes:
    """Every document of every collection of database `name`, as extended JSON."""
    database = client[name]
    return b"\n".join([json_util.dumps(await database[c].find().to_list()).encode()
                       for c in await database.list_collection_names()])


async def scan(settings: Settings, topic_prefixes: Iterable[str], db_prefixes: Iterable[str],
               planted: Iterable[str] = PLANTED) -> tuple[list[str], list[str]]:
    """(leaks, places scanned): every topic and database whose name starts with one of the prefixes."""
    planted, db_prefixes = tuple(planted), tuple(db_prefixes)
    found, places = [], []
    for topic, blob in (await topics_bytes(settings, await topics_of(settings, topic_prefixes))).items():
        found += leaks(f"topic {topic}", blob, planted)
        places.append(f"topic {topic}")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, serverSelectionTimeoutMS=5000)
    try:
        for name in await client.list_database_names():
            if db_prefixes and name.startswith(db_prefixes):
                found += leaks(f"database {name}", await database_bytes(client, name), planted)
                places.append(f"database {name}")
    finally:
        await client.close()
    return found, places
