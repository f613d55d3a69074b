"""The fault suite's own Kafka and FerretDB, run by deploy/local/stack under a state directory of this session.

Stopping the shared stack would break the tests running beside this suite, so the suite starts a second one
(STACK_STATE, other ports) and stops and starts its servers at will. The ports lie below Linux's ephemeral range
(32768–60999): while a server is stopped, no outgoing connection of another process may take its port.
"""
from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from services.plumbing.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "deploy" / "local" / "stack"
STATES = ROOT / ".local" / "faults"
HEAP = "-Xms128m -Xmx512m"  # beside the shared broker on a small machine


def quiet_port(taken: set[int], span: int = 1) -> int:
    """The first of `span` free ports between 20000 and 32767 that nothing listens on (none of them in `taken`)."""
    rng = random.Random()
    while True:
        port = rng.randrange(20000, 32767 - span)
        ports = range(port, port + span)
        if not taken.isdisjoint(ports) or not all(map(_free, ports)):
            continue
        taken.update(ports)
        return port


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Servers:
    """One Kafka and one FerretDB of this session: `stop("kafka")`, `start("kafka")`, each returning its seconds."""

    state: Path
    kafka_port: int
    controller_port: int
    mongo_port: int

    def _env(self) -> dict[str, str]:
        return {**os.environ, "STACK_STATE": str(self.state), "KAFKA_PORT": str(self.kafka_port),
                "KAFKA_CONTROLLER_PORT": str(self.controller_port), "MONGO_PORT": str(self.mongo_port),
                "KAFKA_HEAP_OPTS": HEAP}

    def _stack(self, *args: str) -> float:
        started = time.monotonic()
        done = subprocess.run([str(STACK), *args], env=self._env(), capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            raise RuntimeError(f"deploy/local/stack {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return time.monotonic() - started

    def start(self, which: str = "all") -> float:
        return self._stack("up", which)

    def stop(self, which: str = "all") -> float:
        return self._stack("down", which)

    def settings(self) -> Settings:
        tag = uuid.uuid4().hex[:8]
        return Settings().model_copy(update={
            "kafka_bootstrap": f"127.0.0.1:{self.kafka_port}", "mongo_url": f"mongodb://127.0.0.1:{self.mongo_port}",
            "topic_prefix": f"faults{tag}.", "db_prefix": f"faults{tag}_"})


def _owned(state: Path) -> bool:
    """Whether the session that started the stack under `state` still runs (its pid is in `owner`; without one, a
    stack whose servers still run is taken as owned)."""
    try:
        os.kill(int((state / "owner").read_text()), 0)
    except FileNotFoundError:
        return any(_running(pidfile) for pidfile in (state / "run").glob("*.pid"))
    except (OSError, ValueError):
        return False
    return True


def _running(pidfile: Path) -> bool:
    try:
        os.kill(int(pidfile.read_text()), 0)
    except (OSError, ValueError):
        return False
    return True


def start() -> Servers:
    """Stop and remove what ended sessions left (a session killed before its teardown leaves its servers running),
    then start a fresh stack of this session."""
    STATES.mkdir(parents=True, exist_ok=True)
    for old in STATES.iterdir():
        if old.is_dir() and not _owned(old):
            subprocess.run([str(STACK), "down"], env={**os.environ, "STACK_STATE": str(old)}, capture_output=True,
                           timeout=120)
            shutil.rmtree(old, ignore_errors=True)
    taken: set[int] = set()
    kafka = quiet_port(taken, span=2)  # the broker's port and its controller's
    servers = Servers(STATES / uuid.uuid4().hex[:8], kafka, kafka + 1, quiet_port(taken))
    servers.state.mkdir(parents=True)
    (servers.state / "owner").write_text(str(os.getpid()))
    servers.start()
    return servers


def remove(servers: Servers) -> None:
    servers.stop()
    shutil.rmtree(servers.state, ignore_errors=True)
