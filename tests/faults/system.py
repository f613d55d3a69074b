"""One experiment of the fault suite: a burst of commands while a fault happens, then what must hold afterwards.

Each experiment asks its questions in a month of its own, so the table can tell its commands from the others' in the
views; the checks cover the whole history so far (all months, every view).
"""
from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient

from contracts import topics
from services.plumbing.settings import Settings
from tests.faults import checks
from tests.faults.load import Burst, Caller, Cell, Ledger
from tests.faults.processes import Service
from tests.faults.report import REPORT, Row
from tests.faults.servers import Servers

Fault = Callable[[random.Random], Awaitable[float]]  # does its harm mid-burst; returns when it ended (monotonic)
RECOVERY_BOUND = 120.0  # seconds from a fault's end until what was acknowledged before it is counted
SETTLE_BOUND = 60.0  # seconds after the burst until the views count every acknowledged command
MAX_COMMANDS = 2000  # of one experiment: a fault that lasts longer than it should still ends its burst


@dataclass
class Outcome:
    row: Row
    problems: list[str]
    fault_end: float
    resent: int  # copies a relay sent again during the experiment


@dataclass
class System:
    seed: int
    servers: Servers
    settings: Settings
    intake: Service
    insights: Service
    views: checks.Views
    callers: dict[str, list[Caller]] = field(default_factory=dict)
    ledger: Ledger = field(default_factory=Ledger)
    republished: int = 0  # QuestionRegistered copies the suite itself put on Kafka
    resent: int = 0  # QuestionRegistered copies a relay sent again (after a crash between the ack and the mark)
    trace: Callable[[str], None] = print  # where the steps of each experiment are told, with the time


    def rng(self, experiment: str) -> random.Random:
        return random.Random(f"{self.seed}:{experiment}")

    async def run(self, name: str, month: str, fault: Fault, rate: float = 25.0, tail: float = 3.0) -> Outcome:
        """A burst of commands at `rate`/s in `month` (at most MAX_COMMANDS), the fault in its midst, `tail` seconds
        of burst after it; then everything checked and the experiment's row added to the report."""
        rng = self.rng(name)
        before, started = set(self.ledger.sent), time.monotonic()
        self.trace(f"{name}: burst")
        burst = Burst(self.callers, rng, month, rate, MAX_COMMANDS).start()
        fault_end = await fault(rng)
        self.trace(f"{name}: fault ended after {burst.count} commands")
        watch = asyncio.create_task(self.recovered(fault_end))
        await asyncio.sleep(tail)
        await burst.wait()
        self.trace(f"{name}: burst done, {len(self.ledger.unacknowledged())} commands to settle")
        await self.settle()
        recovery = await watch
        self.trace(f"{name}: recovered in {recovery} s; checking")
        problems = [f"refused: {k}: {why}" for k, why in self.ledger.refused.items()]
        problems += [f"never acknowledged: {c.key}" for c in self.ledger.unacknowledged()]
        if recovery is None:
            problems.append(f"what was acknowledged before the fault ended was not counted within {RECOVERY_BOUND} s")
        cells = await self.views_settled()
        mine = [k for k in self.ledger.sent if k not in before]
        rebuilt, resent = await checks.rebuild(self.settings), self.resent
        row = self.row(name, month, mine, cells, rebuilt, recovery)
        problems += await self.consistent(cells, rebuilt, row)
        REPORT.rows.append(row)
        failed = Counter(a.code for a in self.ledger.attempts if a.started >= started and a.code != "OK")
        self.trace(f"{name}: {row.cells()}, failed attempts {dict(failed)}, problems {problems[:3]}")
        return Outcome(row, problems, fault_end, self.resent - resent)

    def months(self) -> list[str]:
        """The months of the experiments so far."""
        return sorted({c.month for c in self.ledger.sent.values()})

    async def settle(self) -> None:
        """Retry every command not yet acknowledged (a caller gave up on it during a long outage)."""
        left = self.ledger.unacknowledged()
        deadline = time.monotonic() + SETTLE_BOUND
        await asyncio.gather(*(self.callers[c.tenant][0].deliver(c, deadline) for c in left))

    async def recovered(self, since: float) -> float | None:
        """Seconds from `since` (a fault's end) until commands are acknowledged again and the views count what was
        acknowledged by then (None: not within the bound)."""
        while (again := self.ledger.acknowledged_again(since)) is None:
            if time.monotonic() - since > RECOVERY_BOUND:
                return None
            await asyncio.sleep(0.1)
        return await self.counted(self.ledger.truth(until=again), since)

    async def counted(self, truth: Counter[Cell], since: float) -> float | None:
        """Seconds from `since` until the views count at least `truth` in every cell (None: not within the bound)."""
        while (waited := time.monotonic() - since) < RECOVERY_BOUND:
            cells = await self.views.cells(self.months())
            if cells is not None and all(cells[c] >= n for c, n in truth.items()):
                return waited
            await asyncio.sleep(0.25)
        return None

    async def views_settled(self) -> Counter[Cell]:
        """The views once they equal the acknowledged truth, or as they are after the bound."""
        truth, cells, deadline = self.ledger.truth(), None, time.monotonic() + SETTLE_BOUND
        while time.monotonic() < deadline:
            if (cells := await self.views.cells(self.months())) == truth:
                break
            await asyncio.sleep(0.25)
        return cells or Counter()

    def row(self, name: str, month: str, mine: list[str], cells: Counter[Cell], rebuilt: checks.Rebuilt,
            recovery: float | None) -> Row:
        truth = Counter({c: n for c, n in self.ledger.truth().items() if c[2] == month})
        shown = Counter({c: n for c, n in cells.items() if c[2] == month})
        return Row(name, len(mine), sum(k in self.ledger.acked for k in mine), checks.month_total(cells, month),
                   checks.month_total(rebuilt.cells(), month), sum((truth - shown).values()),
                   sum((shown - truth).values()), recovery)

    async def consistent(self, cells: Counter[Cell], rebuilt: checks.Rebuilt, row: Row) -> list[str]:
        """The checks over the whole history: views = truth = clean rebuild, every acknowledged command stored once
        and on Kafka as one event. Kafka copies of an event (a relay's resend) are told in the row's notes."""
        truth = self.ledger.truth()
        problems = [] if cells == truth else [f"views differ from the acknowledged truth: {_diff(cells, truth)}"]
        if rebuilt.cells() != truth:
            problems.append(f"a clean rebuild differs from the acknowledged truth: {_diff(rebuilt.cells(), truth)}")
        if rebuilt.live != rebuilt.clean:
            problems.append(f"live views differ from a clean rebuild: {_diff(rebuilt.live, rebuilt.clean)}")
        problems += await self.stored_once()
        problems += await self.on_kafka_once(row)
        return problems

    async def stored_once(self) -> list[str]:
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(self.settings.mongo_url)
        try:
            stored = await checks.stored_questions(mongo, self.settings.database("intake"))
        finally:
            await mongo.close()
        wrong = [f"{k}: stored as {stored.get(k, [])}, acknowledged as {q}" for k, q in self.ledger.acked.items()
                 if stored.get(k) != [q]]
        wrong += [f"{k}: stored, never acknowledged" for k in stored if k not in self.ledger.acked]
        return [f"event store: {len(wrong)} commands not stored exactly once, e.g. {wrong[:3]}"] if wrong else []

    async def on_kafka_once(self, row: Row) -> list[str]:
        records = await checks.read_all(self.settings, [self.settings.topic(topics.INTAKE_QUESTIONS)])
        kafka = checks.OnKafka.of(records)
        wrong = [f"{q}: {len(kafka.events_of.get(q, ()))} events" for q in self.ledger.acked.values()
                 if len(kafka.events_of.get(q, ())) != 1]
        self.resent = kafka.extra_copies() - self.republished
        row.notes.append(f"Kafka: {len(kafka.copies):,} QuestionRegistered events, {self.resent} copies "
                         f"resent by a relay (deduplicated by the views), {self.republished} republished by the suite")
        return [f"Kafka: {len(wrong)} acknowledged questions not there as one event, e.g. {wrong[:3]}"] if wrong else []


def _diff(a: Counter[Any], b: Counter[Any], shown: int = 5) -> str:
    keys = [k for k in set(a) | set(b) if a[k] != b[k]]
    return f"{len(keys)} cells, e.g. " + ", ".join(f"{k}: {a[k]} vs {b[k]}" for k in keys[:shown])
