"""The live projection: a runner on the active generation, moved to the next one when a rebuild switches over."""
from __future__ import annotations

import asyncio

import structlog
from pymongo.errors import PyMongoError

from services.insights.bootstrap import App

log = structlog.get_logger(__name__)


async def follow_active(app: App, poll_seconds: float = 1.0) -> None:
    """Run the active generation's runner; on a switch, stop it and continue with the new generation's group.

    The rebuild left that group's offsets where its catch-up ended, so the live runner resumes right after it.
    """
    generation = await app.generations.active(fresh=True)
    while True:
        task = asyncio.create_task(app.runner(generation).run(), name=f"projection-g{generation}")
        log.info("insights.projecting", generation=generation)
        try:
            generation = await _until_switch(app, generation, task, poll_seconds)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def _until_switch(app: App, generation: int, task: asyncio.Task[None], poll_seconds: float) -> int:
    while True:
        await asyncio.sleep(poll_seconds)
        if task.done():
            log.error("insights.runner_stopped", generation=generation, error=repr(task.exception()))
            return generation
        try:
            active = await app.generations.active(fresh=True)
        except PyMongoError as exc:
            log.warning("insights.meta_unreadable", error=str(exc))
            continue
        if active != generation:
            log.info("insights.switching", old=generation, new=active)
            return active
