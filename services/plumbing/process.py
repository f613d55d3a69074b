"""One way to run a service process: settings and logging once, the gRPC API beside background tasks, clean exit."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from services.plumbing import bounds, dates, grpcserver, log, metrics, probes
from services.plumbing.settings import Settings


async def serve(settings: Settings, port: int, services: Sequence[grpcserver.Service],
                background: Sequence[Coroutine[Any, Any, Any]], close: Callable[[], Awaitable[None]],
                health: Sequence[probes.Probe] = ()) -> None:
    """Serve `services` on `port` with `background` tasks (relay, consumers) until SIGTERM; then stop all, `close`.

    Health reports NOT_SERVING while one of the `health` probes fails."""
    verifier, credentials = grpcserver.security(settings)
    metrics.serve(settings, port)
    tasks = [asyncio.create_task(job) for job in background]
    try:
        await grpcserver.serve(f"{settings.grpc_host}:{port}", services, verifier, settings.shutdown_grace_seconds,
                               credentials, limits=bounds.Limits(settings.max_list_items),
                               checks=grpcserver.Health(health, settings.health_probe_seconds))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await close()


def run(main: Callable[[Settings], Coroutine[Any, Any, None]]) -> None:
    """Read settings from the environment, configure logging, run `main` until it returns."""
    settings = Settings()
    log.configure(settings.log_level, settings.log_json)
    dates.configure(settings.dates_earliest, settings.dates_ahead_days)
    asyncio.run(main(settings))
