"""Fixtures shared by every test: settings with unique names, and the real stack for integration and e2e tests.

Integration tests never skip: if Kafka or FerretDB is not up, the session starts them with deploy/local/stack.
"""
from __future__ import annotations

import socket
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.plumbing.settings import Settings

ROOT = Path(__file__).resolve().parent


def _listening(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, int(port))) == 0


@pytest.fixture(scope="session")
def stack() -> Settings:
    """The real Kafka and FerretDB on loopback, started by deploy/local/stack when they are not running."""
    base = Settings()
    if not (_listening(base.kafka_bootstrap) and _listening(base.mongo_url.removeprefix("mongodb://"))):
        subprocess.run([str(ROOT / "deploy/local/stack"), "up"], check=True)
    return base


@pytest.fixture
def settings(stack: Settings) -> Settings:
    """Settings whose topics and databases no other test uses."""
    tag = uuid.uuid4().hex[:10]
    return stack.model_copy(update={"topic_prefix": f"t{tag}.", "db_prefix": f"t{tag}_"})


@pytest.fixture(scope="session")
async def mongo(stack: Settings) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, serverSelectionTimeoutMS=5000)
    yield client
    await client.close()
