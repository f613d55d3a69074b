"""The live projection: a runner on the active generation, moved to the next one when a rebuild switches over."""
from __future__ import annotations

import asyncio

import structlog
from pymongo.errors import PyMongoError

from services.insights.bootstrap import App

log = structlog.get_logger(__name__)


async def follow_active(app: App, poll_seconds: float = 1.0) -> None:
    """Run the active generation's runner; on a switch, stop it and continue with the new generation's group.

    The rebuild left that group's offsets where its catch-up ended, so the live runner resumes right after it. A
    generation whose views another release built (`Generations.stale`) is not projected into at all.
    """
    generation = await app.generations.active(fresh=True)
    while True:
        if stale := await app.generations.stale():
            # Built by another release (say, a rebuild run before this process's release was rolled out, or this
            # process is the older one): projecting into it by this release's rules would leave counts no check
            # finds. Project nothing; queries of those views answer FAILED_PRECONDITION here meanwhile.
            log.error("insights.generation_of_another_release", generation=generation, views=sorted(stale))
            await _idle_until_current(app, poll_seconds)
            generation = await app.generations.active(fresh=True)
            continue
        task = asyncio.create_task(app.runner(generation).run(), name=f"projection-g{generation}")
        log.info("insights.projecting", generation=generation)
        try:
            generation = await _until_switch(app, generation, task, poll_seconds)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def _idle_until_current(app: App, poll_seconds: float) -> None:
    """Wait (projecting nothing) until the active generation is one of this release's views again."""
    while True:
        await asyncio.sleep(poll_seconds)
        try:
            if not await app.generations.stale():
                return
        except PyMongoError as exc:
            log.warning("insights.meta_unreadable", error=str(exc))


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
