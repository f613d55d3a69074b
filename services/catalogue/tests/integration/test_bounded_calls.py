"""The catalogue's calls are bounded: ids named in NOT_FOUND, empty ids refused, huge imports refused at once."""
from __future__ import annotations

import json
import time
import uuid

import grpc
import pytest

from contracts.envelope import Role
from contracts.proto import catalogue_pb2 as pb

pytestmark = pytest.mark.integration


async def test_get_service_names_the_field_clips_the_id_and_refuses_an_empty_one(api) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await api.call("GetService", pb.GetRequest(tenant="kortrijk", id="x" * 1_000_000), Role.POLICY)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert caught.value.details().startswith("id: service 'xxx") and len(caught.value.details()) < 200
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await api.call("GetService", pb.GetRequest(tenant="kortrijk", id=""), Role.POLICY)
    assert (caught.value.code(), caught.value.details()) == (grpc.StatusCode.INVALID_ARGUMENT, "id: required")


async def test_an_import_of_a_hundred_thousand_objects_is_refused_whole_and_at_once(api) -> None:
    request = pb.ImportHsdsRequest(command_id=uuid.uuid4().hex, tenant="kortrijk", document=json.dumps([{}] * 100_000))
    started = time.perf_counter()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await api.call("ImportHsds", request)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details().startswith("document: more than 5,000 objects")
    assert time.perf_counter() - started < 5
