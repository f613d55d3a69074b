"""Random and malformed requests through gRPC on the real MongoDB: every answer is OK or a clear status, never
INTERNAL/UNKNOWN, and every stored commit is whole."""
from __future__ import annotations

import grpc
import pytest
from hypothesis import HealthCheck, given, settings

from services.intake.tests.fuzz import assert_whole, requests
from services.plumbing.eventstore import Commit

pytestmark = pytest.mark.integration
CLEAR = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION,
         grpc.StatusCode.PERMISSION_DENIED}


@pytest.fixture
async def known(api) -> None:
    """A question and a client exist, so random requests also meet real state."""
    await api.call("OpenOffice", command_id="seed-office", office_id="huis", name="Huis")
    await api.call("RegisterQuestion", command_id="seed-question", office_id="huis", channel="whatsapp",
                       themes=["housing"], client_languages=["ar"], language_used="ar")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(call=requests([]))
async def test_random_requests_through_grpc(api, known, mongo, settings, call) -> None:
    rpc, request = call
    try:
        await api.call(rpc, **{f.name: v for f, v in request.ListFields()})
    except grpc.aio.AioRpcError as exc:
        assert exc.code() in CLEAR, f"{rpc}: {exc.code().name} {exc.details()}"
        assert exc.details(), f"{rpc}: {exc.code().name} without a reason"
    commits = await mongo[settings.database("intake")]["commits"].find().to_list()
    assert_whole([Commit.model_validate({**d, "commit_id": d["_id"]}) for d in commits])
