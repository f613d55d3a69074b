"""Health that tells the truth: a cheap periodic probe of what a service cannot answer without.

While a probe keeps failing (the database does not answer a ping, insights' Kafka does not answer a metadata request:
twice in a row) the process reports NOT_SERVING on the gRPC health service; once all pass again, SERVING. Only
changes are logged.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Probe:
    """`check` raises (or takes longer than the timeout) while `name` is unreachable."""

    name: str
    check: Callable[[], Awaitable[Any]]


def database(client: Any) -> Probe:
    """A MongoDB (FerretDB) client answers `ping`."""
    return Probe("database", lambda: client.admin.command("ping"))


async def failing(probes: Sequence[Probe], timeout: float) -> list[str]:
    """The names of the probes that fail now, each given at most `timeout` seconds."""
    async def one(probe: Probe) -> str | None:
        try:
            await asyncio.wait_for(probe.check(), timeout)
        except Exception:  # noqa: BLE001 (any failure of a probe means: not reachable)
            return probe.name
        return None
    return [name for name in await asyncio.gather(*(one(p) for p in probes)) if name]


async def watch(probes: Sequence[Probe], report: Callable[[bool], Awaitable[None]], every: float,
                timeout: float, failures: int = 2) -> None:
    """Forever: probe every `every` seconds and `report(serving)` whenever the answer changes; down only after
    `failures` probes in a row failed (a slow answer on a loaded machine is no outage), up after one passed."""
    serving: bool | None = None
    failed = 0
    while True:
        down = await failing(probes, timeout)
        failed = failed + 1 if down else 0
        now = serving if down and failed < failures and serving is not None else not down
        if now != serving:
            serving = now
            (log.info if serving else log.warning)("health.changed", serving=serving, unreachable=down)
            await report(serving)
        await asyncio.sleep(every)
