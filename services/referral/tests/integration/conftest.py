"""The referral gRPC API in-process on a free port, over the real FerretDB (names unique per test)."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest

from contracts.envelope import Role
from contracts.proto import referral_pb2_grpc
from services.plumbing import auth, devsecrets, grpcserver
from services.plumbing.eventstore.mongo import MongoEventStore
from services.referral.adapters.mongo import MongoReference, MongoViews
from services.referral.application.handlers import Deps
from services.referral.entrypoints.grpc_api import ReferralServicer
from services.referral.entrypoints.main import SERVICE_NAME


@pytest.fixture
async def deps(mongo, settings) -> Deps:
    database = settings.database("referral")
    store, views = MongoEventStore(mongo, database), MongoViews(mongo, database)
    await store.create_indexes()
    await views.create_indexes()
    return Deps(store=store, views=views, reference=MongoReference(mongo, database))


@pytest.fixture
async def api(deps, tmp_path) -> AsyncIterator[Callable[..., Any]]:
    """api(role, municipality=None, partner=None) → a stub acting as that principal."""
    secrets = devsecrets.write(tmp_path)
    verifier = auth.TokenVerifier(auth.load_public((secrets / "jwt-public.pem").read_bytes()))
    issuer = auth.TokenIssuer(auth.load_private((secrets / "jwt-private.pem").read_bytes()))
    servicer = ReferralServicer(deps)
    service = grpcserver.Service(SERVICE_NAME,
                                 lambda s: referral_pb2_grpc.add_ReferralServiceServicer_to_server(servicer, s),
                                 servicer.ACCESS)
    stopping, port = asyncio.Event(), asyncio.get_running_loop().create_future()
    task = asyncio.create_task(grpcserver.serve("127.0.0.1:0", [service], verifier, 0.1, stopping=stopping,
                                                bound=port.set_result))
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{await port}")

    def as_(role: Role, municipality: str | None = None, partner: str | None = None) -> Any:
        token = issuer.issue(auth.Principal(staff_id="s-it", role=role, municipality=municipality, partner=partner))
        stub = referral_pb2_grpc.ReferralServiceStub(channel)

        class Bound:
            def __getattr__(self, name: str) -> Any:
                call = getattr(stub, name)
                return lambda req: call(req, metadata=(("authorization", f"Bearer {token}"),), timeout=10)
        return Bound()

    yield as_
    await channel.close()
    stopping.set()
    await task
