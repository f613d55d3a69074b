"""Intake's gRPC API in-process on a free port, with the real MongoDB adapters, TLS-free and with real tokens."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from google.protobuf import message_factory

from contracts.envelope import Role
from contracts.proto import intake_pb2, intake_pb2_grpc
from services.intake.bootstrap import KeySettings, bootstrap
from services.intake.entrypoints.grpc_api import IntakeServicer
from services.intake.entrypoints.main import SERVICE_NAME
from services.plumbing import auth, devsecrets, grpcserver
from services.plumbing.settings import Settings


class Api:
    """Calls intake as a principal: `await api.call("CloseQuestion", question_id=..., outcome=...)`."""

    def __init__(self, stub: Any, issuer: auth.TokenIssuer, deps: Any, role: Role = Role.FRONT_OFFICE,
                 municipality: str | None = "kortrijk") -> None:
        self.stub, self.issuer, self.deps = stub, issuer, deps
        self.token = issuer.issue(auth.Principal(staff_id="s-it", role=role, municipality=municipality))

    def as_(self, role: Role, municipality: str | None) -> Api:
        return Api(self.stub, self.issuer, self.deps, role, municipality)

    async def call(self, rpc: str, **fields: Any) -> Any:
        request = request_class(rpc)(**fields)
        return await getattr(self.stub, rpc)(request, metadata=(("authorization", f"Bearer {self.token}"),),
                                             timeout=10)


def request_class(rpc: str) -> Any:
    descriptor = intake_pb2.DESCRIPTOR.services_by_name["IntakeService"].methods_by_name[rpc]
    return message_factory.GetMessageClass(descriptor.input_type)


@pytest.fixture
async def api(settings: Settings, tmp_path) -> AsyncIterator[Api]:
    secrets = devsecrets.write(tmp_path)
    verifier = auth.TokenVerifier(auth.load_public((secrets / "jwt-public.pem").read_bytes()))
    issuer = auth.TokenIssuer(auth.load_private((secrets / "jwt-private.pem").read_bytes()))
    app = await bootstrap(settings, KeySettings(kek_keyring_file=secrets / devsecrets.KEYRING))
    servicer = IntakeServicer(app.deps)
    service = grpcserver.Service(SERVICE_NAME, lambda s: intake_pb2_grpc.add_IntakeServiceServicer_to_server(
        servicer, s), servicer.ACCESS)
    stopping, port = asyncio.Event(), asyncio.get_running_loop().create_future()
    task = asyncio.create_task(grpcserver.serve("127.0.0.1:0", [service], verifier, 0.1, stopping=stopping,
                                                bound=port.set_result))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{await port}") as channel:
        yield Api(intake_pb2_grpc.IntakeServiceStub(channel), issuer, app.deps)
    stopping.set()
    await task
    await app.mongo.close()
