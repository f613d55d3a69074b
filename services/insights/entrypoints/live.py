"""The live projection: a runner on the active generation, moved to the next one when a rebuild switches over."""
from __future__ import annotations

import asyncio

import structlog
from pymongo.errors import PyMongoError

from services.insights.bootstrap import App

log = structlog.get_logger(__name__)


async def follow_active(app: App, poll_seconds: float = 1.0) -> None:
    """Run the active generation's runner; on a switch, stop it and continue with the new generation's group.

    The rebuild left that group's offsets where its catch-up ended, so the live runner resumes right after it. Into a
    generation another release built (`Generations.built_here`) nothing is projected: the process waits until the
    active generation is one of its release's again (or it is replaced by the new release). The views' database
    briefly away is waited out, never the end of the projection.
    """
    idle: int | None = None  # the generation of another release this process waits beside
    while True:
        try:
            generation, ours = await app.generations.built_here()
        except PyMongoError as exc:
            log.warning("insights.meta_unreadable", error=str(exc))
            await asyncio.sleep(poll_seconds)
            continue
        if not ours:
            if idle != generation:
                log.error("insights.generation_of_another_release", generation=generation)
                idle = generation
            await asyncio.sleep(poll_seconds)
            continue
        idle = None
        task = asyncio.create_task(app.runner(generation).run(), name=f"projection-g{generation}")
        log.info("insights.projecting", generation=generation)
        try:
            await _until_changed(app, generation, task, poll_seconds)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def _until_changed(app: App, generation: int, task: asyncio.Task[None], poll_seconds: float) -> None:
    """Return when the runner stopped, or the active generation is another or no longer of this release."""
    while True:
        await asyncio.sleep(poll_seconds)
        if task.done():
            log.error("insights.runner_stopped", generation=generation, error=repr(task.exception()))
            return
        try:
            active, ours = await app.generations.built_here()
        except PyMongoError as exc:
            log.warning("insights.meta_unreadable", error=str(exc))
            continue
        if (active, ours) != (generation, True):
            log.info("insights.switching", old=generation, new=active, ours=ours)
            return
