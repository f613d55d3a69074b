"""The catalogue's calls are bounded: ids named in NOT_FOUND, empty ids refused, huge imports refused at once."""
from __future__ import annotations

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
