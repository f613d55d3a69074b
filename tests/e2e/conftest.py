"""Runs intake and insights as real processes against the real stack, with names no other test uses."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.client import Client
from services.plumbing.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / ".local" / "logs" / "e2e"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_env(settings: Settings, ports: dict[str, int]) -> dict[str, str]:
    return {**os.environ, "WEGWIJS_TOPIC_PREFIX": settings.topic_prefix, "WEGWIJS_DB_PREFIX": settings.db_prefix,
            "WEGWIJS_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "WEGWIJS_MONGO_URL": settings.mongo_url,
            "WEGWIJS_INTAKE_PORT": str(ports["intake"]), "WEGWIJS_INSIGHTS_PORT": str(ports["insights"]),
            "WEGWIJS_LOG_JSON": "true"}


@pytest.fixture
async def system(settings: Settings, request: pytest.FixtureRequest) -> AsyncIterator[Client]:
    ports = {"intake": free_port(), "insights": free_port()}
    LOGS.mkdir(parents=True, exist_ok=True)
    procs = []
    for name in ports:
        log = open(LOGS / f"{request.node.name}.{name}.log", "w")  # noqa: SIM115 (closed with the process)
        procs.append((subprocess.Popen([sys.executable, "-m", f"services.{name}"], cwd=ROOT, stdout=log,
                                       stderr=subprocess.STDOUT, env=service_env(settings, ports)), log))
    client = Client(f"127.0.0.1:{ports['intake']}", f"127.0.0.1:{ports['insights']}")
    try:
        for _ in range(150):
            if await client.healthy():
                break
            if any(p.poll() is not None for p, _ in procs):
                pytest.fail(f"a service exited at start; see {LOGS}")
            await asyncio.sleep(0.2)
        else:
            pytest.fail(f"services not healthy within 30 s; see {LOGS}")
        yield client
    finally:
        await client.close()
        for proc, log in procs:
            proc.send_signal(signal.SIGTERM)
        for proc, log in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
