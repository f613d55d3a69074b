"""Rebuild: replay every event into a new generation of views, switch queries and the live runner to it."""
from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog

from services.insights.bootstrap import App

log = structlog.get_logger(__name__)


async def rebuild(app: App, progress: Callable[[int, int], None], grace_seconds: float = 5.0) -> int:
    """Project all events into a fresh generation, make it the active one, drop the old one; returns the new number.

    Queries keep reading the old generation until the switch. `grace_seconds` gives live processes (which poll the
    active generation every second) time to leave the old generation before its collections are dropped. A rebuild
    that crashed never switched: this one starts over in a fresh generation and drops the abandoned one too.
    """
    old = await app.generations.active(fresh=True)
    new = await app.generations.new()
    log.info("insights.rebuild_started", old=old, new=new)
    consumed = await app.runner(new).catch_up(progress)
    await app.generations.activate(new)
    log.info("insights.rebuild_switched", old=old, new=new, records=consumed)
    await asyncio.sleep(grace_seconds)
    await app.generations.drop_all_but(new)
    return new
