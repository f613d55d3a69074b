"""The catalogue's gRPC server in-process on the real stack (FerretDB, Kafka), behind the shared auth guard."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest

from contracts.envelope import Role
from contracts.proto import catalogue_pb2_grpc
from services.catalogue.bootstrap import bootstrap
from services.catalogue.entrypoints.grpc_api import CatalogueServicer
from services.catalogue.entrypoints.main import SERVICE_NAME
from services.plumbing import auth, devsecrets, grpcserver
from services.plumbing.settings import Settings


@dataclass
class Api:
    stub: catalogue_pb2_grpc.CatalogueServiceStub
    issuer: auth.TokenIssuer
    settings: Settings
    target: str = ""  # host:port of the server, for a test's own channel

    def as_(self, role: Role = Role.CATALOGUE_ADMIN, municipality: str | None = "kortrijk") -> tuple[Any, ...]:
        token = self.issuer.issue(auth.Principal(staff_id="staff-it", role=role, municipality=municipality))
        return (("authorization", f"Bearer {token}"),)

    async def call(self, method: str, request: Any, role: Role = Role.CATALOGUE_ADMIN) -> Any:
        return await getattr(self.stub, method)(request, metadata=self.as_(role), timeout=30)


@pytest.fixture
async def api(settings: Settings, mongo, tmp_path) -> AsyncIterator[Api]:
    secrets = devsecrets.write(tmp_path)
    verifier = auth.TokenVerifier(auth.load_public((secrets / "jwt-public.pem").read_bytes()))
    issuer = auth.TokenIssuer(auth.load_private((secrets / "jwt-private.pem").read_bytes()))
    app = await bootstrap(settings)
    servicer = CatalogueServicer(app.deps, app.hsds_schema_dir)
    relay = asyncio.create_task(app.relay.run())
    stopping, port = asyncio.Event(), asyncio.get_running_loop().create_future()
    server = asyncio.create_task(grpcserver.serve(
        "127.0.0.1:0", [grpcserver.Service(
            SERVICE_NAME, lambda s: catalogue_pb2_grpc.add_CatalogueServiceServicer_to_server(servicer, s),
            servicer.ACCESS)], verifier, 0.1, stopping=stopping, bound=port.set_result))
    target = f"127.0.0.1:{await port}"
    channel = grpc.aio.insecure_channel(target)
    try:
        yield Api(catalogue_pb2_grpc.CatalogueServiceStub(channel), issuer, settings, target)
    finally:
        await channel.close()
        stopping.set()
        await server
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)
        await app.mongo.close()
        await mongo.drop_database(settings.database("catalogue"))
