"""The HSDS API's server task: it answers, stops when cancelled (as at SIGTERM) with its port freed, and a port
already taken leaves the service running without it."""
from __future__ import annotations

import asyncio
import socket

import httpx

from services.catalogue.application.handlers import Deps
from services.catalogue.entrypoints import hsds_http
from services.catalogue.tests.support import SCHEMAS, import_document, demo_subset


async def test_serves_until_cancelled_then_frees_its_port(deps: Deps) -> None:
    await import_document(deps, demo_subset(1)["organizations"])
    port = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(hsds_http.serve(hsds_http.app(deps, SCHEMAS), "127.0.0.1", 0, bound=port.set_result))
    bound = await asyncio.wait_for(port, 10)
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"http://127.0.0.1:{bound}/kortrijk/organizations")
    assert answer.status_code == 200 and answer.json()["total_items"] == 1
    assert answer.headers["access-control-allow-origin"] == "*"
    task.cancel()
    await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 10)
    with socket.create_server(("127.0.0.1", bound)):
        pass


async def test_a_taken_port_is_logged_and_the_task_ends(deps: Deps) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        await asyncio.wait_for(hsds_http.serve(hsds_http.app(deps, SCHEMAS), "127.0.0.1",
                                               taken.getsockname()[1]), 5)
