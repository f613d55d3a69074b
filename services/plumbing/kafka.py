"""Kafka clients built by factories, never at import time."""
from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context

from services.plumbing.settings import Settings


def security(settings: Settings) -> dict[str, Any]:
    """Connection security options shared by every client (SASL/TLS in production, plaintext on loopback)."""
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    if settings.kafka_security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = create_ssl_context(
            cafile=str(settings.kafka_ca_file) if settings.kafka_ca_file else None)
    if settings.kafka_sasl_mechanism:
        options |= {"sasl_mechanism": settings.kafka_sasl_mechanism,
                    "sasl_plain_username": settings.kafka_sasl_username,
                    "sasl_plain_password": settings.kafka_sasl_password}
    return options


def producer(settings: Settings, client_id: str) -> AIOKafkaProducer:
    """Idempotent producer that waits for all in-sync replicas: no loss, no duplicates from retries."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        request_timeout_ms=10_000,
        max_request_size=settings.kafka_max_message_bytes,
        **security(settings),
    )


def consumer(settings: Settings, group_id: str, *topics: str) -> AIOKafkaConsumer:
    """Consumer with manual offset commits: offsets move only after the caller's writes succeeded."""
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_partition_fetch_bytes=4 * 1024 * 1024,
        metadata_max_age_ms=5_000,
        **security(settings),
    )


async def ensure_topics(settings: Settings, topics: list[str], partitions: int = 3) -> None:
    """Create topics that do not exist yet (idempotent)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, **security(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, partitions, 1) for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()


async def reachable(settings: Settings) -> None:
    """Raises unless a broker answers a metadata request now: the health probe of a process that consumes Kafka."""
    client = AIOKafkaClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=3000,
                            **security(settings))
    try:
        await client.bootstrap()
    finally:
        await client.close()
