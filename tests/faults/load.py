"""The suite's load: seeded RegisterQuestion commands from concurrent callers of two municipalities, and the ledger of
what each command's attempts got back.

A caller retries a command that failed for want of a service (UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, INTERNAL)
with the same command id until it is acknowledged, as a real client does: a retry of a command already stored
must get the first answer, never a second question. What the views must count is what was acknowledged.
"""
from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import grpc

from contracts.proto import intake_pb2, intake_pb2_grpc

TENANTS = {"kortrijk": ("huis-van-de-kortrijkzaan", "kortrijk-west"),
           "brugge": ("huis-van-de-bruggeling", "sint-pieters")}
THEMES = ("housing", "work", "income", "health", "education", "letters")
CHANNELS = ("walk-in", "whatsapp", "phone")
LANGUAGES = ("ar", "ti", "uk", "so", "fr", "prs")
ALL = "*"  # the row of QuestionsPerTheme counting each question once
DEADLINE = 5.0  # seconds, of every command call: what "fails fast" is measured against
RETRIED = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED,
                     grpc.StatusCode.INTERNAL})
Cell = tuple[str, str, str]  # (tenant, theme, month)


@dataclass(frozen=True)
class Command:
    tenant: str
    command_id: str
    month: str
    themes: tuple[str, ...]
    request: intake_pb2.RegisterQuestionRequest

    @property
    def key(self) -> str:
        return f"{self.tenant}|{self.command_id}"

    def cells(self) -> list[Cell]:
        return [(self.tenant, theme, self.month) for theme in (ALL, *self.themes)]


def command(rng: random.Random, month: str) -> Command:
    """A question of a random municipality, asked on a random day of `month` (Brussels office hours)."""
    tenant = rng.choice(sorted(TENANTS))
    themes = tuple(rng.sample(THEMES, rng.choice((1, 1, 2))))
    spoken = rng.choice(LANGUAGES)
    command_id = uuid.UUID(int=rng.getrandbits(128)).hex
    when = f"{month}-{rng.randint(2, 27):02d}T{rng.randint(8, 16):02d}:{rng.randint(0, 59):02d}:00+01:00"
    request = intake_pb2.RegisterQuestionRequest(
        command_id=command_id, office_id=rng.choice(TENANTS[tenant]),
        channel=rng.choice(CHANNELS), themes=list(themes), client_languages=[spoken],
        language_used=rng.choice((spoken, "nl")), interpreter_needed=rng.random() < 0.3, occurred_at=when)
    return Command(tenant, command_id, month, themes, request)


@dataclass(frozen=True)
class Attempt:
    started: float  # time.monotonic()
    seconds: float
    code: str  # "OK" or the gRPC status code's name


@dataclass
class Ledger:
    sent: dict[str, Command] = field(default_factory=dict)
    acked: dict[str, str] = field(default_factory=dict)  # command key → question id
    acked_at: dict[str, float] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # command key → code and message of a refusal for good
    attempts: list[Attempt] = field(default_factory=list)

    def truth(self, until: float | None = None) -> Counter[Cell]:
        """The cells the acknowledged commands (those acknowledged by `until`) make: each question once."""
        out: Counter[Cell] = Counter()
        for key in self.acked:
            if until is None or self.acked_at[key] <= until:
                out.update(self.sent[key].cells())
        return out

    def unacknowledged(self) -> list[Command]:
        return [c for k, c in self.sent.items() if k not in self.acked and k not in self.refused]

    def acknowledged_again(self, since: float) -> float | None:
        """When the first attempt started after `since` was acknowledged, if one was."""
        return min((a.started + a.seconds for a in self.attempts if a.code == "OK" and a.started >= since),
                   default=None)

    def failures(self, start: float, end: float) -> list[Attempt]:
        """Attempts that failed and were started between `start` and `end`."""
        return [a for a in self.attempts if a.code != "OK" and start <= a.started <= end]


class Caller:
    """One bridge worker's terminal: a token of its municipality, sending one command at a time."""

    def __init__(self, stub: intake_pb2_grpc.IntakeServiceStub, token: str, ledger: Ledger) -> None:
        self.stub, self.ledger = stub, ledger
        self.metadata = (("authorization", f"Bearer {token}"),)

    async def deliver(self, cmd: Command, give_up: float) -> None:
        """Send `cmd` until it is acknowledged, refused for good, or `give_up` (monotonic) has passed."""
        self.ledger.sent.setdefault(cmd.key, cmd)
        while cmd.key not in self.ledger.acked:
            started = time.monotonic()
            try:
                reply = await self.stub.RegisterQuestion(cmd.request, metadata=self.metadata, timeout=DEADLINE)
            except grpc.aio.AioRpcError as exc:
                self.ledger.attempts.append(Attempt(started, time.monotonic() - started, exc.code().name))
                if exc.code() not in RETRIED:
                    self.ledger.refused[cmd.key] = f"{exc.code().name}: {exc.details()}"
                    return
                if time.monotonic() > give_up:
                    return
                await asyncio.sleep(0.25)
                continue
            now = time.monotonic()
            self.ledger.attempts.append(Attempt(started, now - started, "OK"))
            self.ledger.acked[cmd.key], self.ledger.acked_at[cmd.key] = reply.question_id, now


@dataclass
class Burst:
    """Commands of `month` at about `rate` per second, spread over the callers of each municipality, until
    `stop()` or `limit` commands; `wait()` returns once every queued command was delivered (or given up on)."""

    callers: dict[str, list[Caller]]
    rng: random.Random
    month: str
    rate: float
    limit: int
    give_up_seconds: float = 150.0  # from the start: a command not acknowledged by then is left to `settle`
    count: int = 0
    _give_up: float = 0.0
    _stopped: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self) -> Burst:
        self._give_up = time.monotonic() + self.give_up_seconds
        queues = {tenant: asyncio.Queue[Command](maxsize=2 * len(cs)) for tenant, cs in self.callers.items()}
        self._tasks = [asyncio.create_task(self._feed(queues))]
        self._tasks += [asyncio.create_task(self._work(c, queues[t])) for t, cs in self.callers.items() for c in cs]
        return self

    def stop(self) -> None:
        self._stopped.set()

    async def wait(self) -> None:
        self.stop()
        await asyncio.gather(*self._tasks)

    async def _feed(self, queues: dict[str, asyncio.Queue[Command]]) -> None:
        due = time.monotonic()
        while self.count < self.limit and not self._stopped.is_set():
            cmd = command(self.rng, self.month)
            await queues[cmd.tenant].put(cmd)
            self.count += 1
            due += 1 / self.rate
            if (pause := due - time.monotonic()) > 0:
                try:
                    await asyncio.wait_for(self._stopped.wait(), pause)
                except TimeoutError:
                    pass
        for tenant, queue in queues.items():
            for _ in self.callers[tenant]:
                await queue.put(None)  # type: ignore[arg-type]  # one end mark per caller

    async def _work(self, caller: Caller, queue: asyncio.Queue[Command]) -> None:
        while (cmd := await queue.get()) is not None:
            await caller.deliver(cmd, self._give_up)
