"""Health tells the truth about the real dependencies: NOT_SERVING while FerretDB cannot be reached (through a proxy
this test closes), SERVING again when it is back; the Kafka probe fails on a port where no broker listens."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pymongo import AsyncMongoClient

from services.plumbing import auth, grpcserver, kafka, probes
from services.plumbing.settings import Settings

pytestmark = pytest.mark.integration


class Proxy:
    """A TCP proxy to `target` that can be cut (listener and every connection closed) and restored on its port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port, self.server = target, 0, None
        self.open: set[asyncio.StreamWriter] = set()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.open |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        self.server.close()
        for writer in self.open:
            writer.close()
        self.open.clear()
        await self.server.wait_closed()


@contextlib.asynccontextmanager
async def serving(probe: probes.Probe) -> AsyncIterator[health_pb2_grpc.HealthStub]:
    _, public = auth.new_keypair()
    stopping, port = asyncio.Event(), asyncio.get_running_loop().create_future()
    task = asyncio.create_task(grpcserver.serve(
        "127.0.0.1:0", [], auth.TokenVerifier(auth.load_public(public)), 0.1, stopping=stopping,
        bound=port.set_result, checks=grpcserver.Health([probe], every=0.1, timeout=0.5, failures=1)))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{await port}") as channel:
        yield health_pb2_grpc.HealthStub(channel)
    stopping.set()
    await task


async def becomes(stub: health_pb2_grpc.HealthStub, status: int, within: float = 30) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while loop.time() < end:
        if (await stub.Check(health_pb2.HealthCheckRequest(), timeout=2)).status == status:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"health did not become {status} within {within} s")


async def test_health_follows_the_database_down_and_up(stack: Settings) -> None:
    host, port = stack.mongo_url.removeprefix("mongodb://").rsplit(":", 1)
    proxy = Proxy((host, int(port)))
    await proxy.start()
    client: AsyncMongoClient = AsyncMongoClient(f"mongodb://127.0.0.1:{proxy.port}", serverSelectionTimeoutMS=400,
                                             heartbeatFrequencyMS=500)
    try:
        async with serving(probes.database(client)) as stub:
            await becomes(stub, health_pb2.HealthCheckResponse.SERVING)
            await proxy.cut()
            await becomes(stub, health_pb2.HealthCheckResponse.NOT_SERVING)
            await proxy.start()
            await becomes(stub, health_pb2.HealthCheckResponse.SERVING)
    finally:
        await proxy.cut()
        await client.close()


async def test_the_kafka_probe_passes_on_the_broker_and_fails_where_none_listens(stack: Settings) -> None:
    await kafka.reachable(stack)
    with pytest.raises(Exception):  # noqa: B017 (aiokafka's connection error, whatever its class)
        await asyncio.wait_for(kafka.reachable(stack.model_copy(update={"kafka_bootstrap": "127.0.0.1:1"})), 5)
