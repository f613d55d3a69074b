"""The fault suite: bursts of RegisterQuestion from 12 callers of two municipalities through intake's gRPC API, while
in turn insights is killed, Kafka and FerretDB are stopped, intake is killed, published events are republished and
poison is produced; after each, every acknowledged command is stored once and on Kafka as one event, the views equal
the acknowledged truth and a clean rebuild, and no process needed a restart to get over an outage.

Seeded (`WEGWIJS_FAULTS_SEED`, printed with the table): the commands and the moments of the faults are the seed's.
The experiments run in this order on one system, each in a month of its own.
"""
from __future__ import annotations

import asyncio
import random
import statistics
import time

import pytest

from contracts import topics
from contracts.envelope import Envelope
from tests.faults import checks
from tests.faults.system import System

pytestmark = [pytest.mark.faults, pytest.mark.e2e]
COPIES = 300  # published records produced again in experiment e
FAIL_FAST = 5.0  # seconds: a command during a database outage is answered UNAVAILABLE within this (its deadline)


def kept_serving(system: System, pids: dict[str, int | None]) -> list[str]:
    """The processes that are no longer the ones that served before the fault (they needed a restart)."""
    return [f"{s.name} was restarted or died (pid {pids[s.name]} → {s.pid})"
            for s in (system.intake, system.insights) if s.pid != pids[s.name] or s.pid is None]


def pids(system: System) -> dict[str, int | None]:
    return {s.name: s.pid for s in (system.intake, system.insights)}


async def test_a_insights_killed_five_times(system: System) -> None:
    intake = system.intake.pid

    async def fault(rng: random.Random) -> float:
        for _ in range(5):
            await asyncio.sleep(rng.uniform(0.5, 3.0))
            system.insights.kill()
            system.insights.start()
            await system.insights.serving()
        return time.monotonic()

    outcome = await system.run("a. insights SIGKILL ×5", "2026-01", fault)
    assert not outcome.problems, outcome.problems
    assert system.intake.pid == intake


async def test_b_kafka_stopped_for_20_seconds(system: System) -> None:
    before = pids(system)
    took: dict[str, float] = {}

    async def fault(rng: random.Random) -> float:
        await asyncio.sleep(rng.uniform(2.0, 4.0))
        took["stop"] = await asyncio.to_thread(system.servers.stop, "kafka")
        await asyncio.sleep(20)
        took["start"] = await asyncio.to_thread(system.servers.start, "kafka")
        return time.monotonic()

    outcome = await system.run("b. Kafka stopped 20 s", "2026-02", fault, rate=15.0)
    outcome.row.notes.append(f"the broker took {took['stop']:.1f} s to stop, {took['start']:.1f} s to start")
    assert not outcome.problems, outcome.problems
    assert not kept_serving(system, before)
    assert outcome.resent == 0, "a living relay sent an acknowledged event again"


async def test_c_ferretdb_stopped_for_10_seconds(system: System) -> None:
    before = pids(system)
    window: list[float] = []

    async def fault(rng: random.Random) -> float:
        await asyncio.sleep(rng.uniform(2.0, 4.0))
        await asyncio.to_thread(system.servers.stop, "ferretdb")
        window.append(time.monotonic())
        await asyncio.sleep(10)
        window.append(time.monotonic() - FAIL_FAST)  # what started later may be answered once it is back
        await asyncio.to_thread(system.servers.start, "ferretdb")
        return time.monotonic()

    outcome = await system.run("c. FerretDB stopped 10 s", "2026-03", fault)
    failed = system.ledger.failures(*window)
    codes = {a.code for a in failed}
    slowest = max((a.seconds for a in failed), default=0.0)
    outcome.row.notes.append(
        f"{len(failed)} attempts sent while FerretDB was stopped (and at least {FAIL_FAST:.0f} s before its start) "
        f"answered {sorted(codes)} in p50 {statistics.median(a.seconds for a in failed) if failed else 0:.2f} s, "
        f"max {slowest:.2f} s")
    assert not outcome.problems, outcome.problems
    assert failed, "no command was sent while FerretDB was stopped"
    assert codes == {"UNAVAILABLE"}, codes
    assert not [a for a in system.ledger.attempts if a.code == "OK" and window[0] <= a.started <= window[1]]
    assert slowest < FAIL_FAST
    assert not kept_serving(system, before)
    assert outcome.resent == 0, "a living relay sent an acknowledged event again"


async def test_d_intake_killed_mid_burst(system: System) -> None:
    insights = system.insights.pid

    async def fault(rng: random.Random) -> float:
        await asyncio.sleep(rng.uniform(2.0, 5.0))
        system.intake.kill()
        system.intake.start()
        await system.intake.serving()
        return time.monotonic()

    outcome = await system.run("d. intake SIGKILL", "2026-04", fault, rate=40.0)
    assert not outcome.problems, outcome.problems
    assert system.insights.pid == insights


async def test_e_published_events_republished(system: System) -> None:
    async def fault(rng: random.Random) -> float:
        await asyncio.sleep(rng.uniform(1.0, 3.0))
        records = await checks.read_all(system.settings, checks.insights_inputs(system.settings))
        copies = rng.sample(records, min(COPIES, len(records)))
        await checks.produce(system.settings, [(r.topic, r.key, r.value, list(r.headers)) for r in copies])
        system.republished += sum(checks.registered(r) for r in copies)
        return time.monotonic()

    outcome = await system.run("e. events republished", "2026-05", fault, rate=40.0)
    outcome.row.notes.append(f"{COPIES} published records of every month so far produced again")
    assert not outcome.problems, outcome.problems


async def test_f_poison_produced(system: System) -> None:
    topic = system.settings.topic(topics.INTAKE_QUESTIONS)
    poison: dict[str, tuple[bytes, bytes]] = {}

    async def fault(rng: random.Random) -> float:
        await asyncio.sleep(rng.uniform(1.0, 3.0))
        template = next(r for r in await checks.read_all(system.settings, [topic]) if checks.registered(r))
        poison.update(checks.poison(Envelope.from_bytes(template.value)))
        await checks.produce(system.settings, [(topic, key, value, []) for key, value in poison.values()])
        return time.monotonic()

    outcome = await system.run("f. poison produced", "2026-06", fault, rate=40.0)
    dead = await checks.dead_letters(system.settings, topic)
    missing = [kind for kind, (key, _) in poison.items() if not dead.get(key)]
    first = {kind: " ".join(dead.get(key, ["—"])[0].split())[:80] for kind, (key, _) in poison.items()}
    outcome.row.notes.append("dead letters: " + "; ".join(f"{kind}: {error}" for kind, error in first.items()))
    assert not outcome.problems, outcome.problems
    assert not missing, f"poison not in {topic}.dlq with its error: {missing}"
