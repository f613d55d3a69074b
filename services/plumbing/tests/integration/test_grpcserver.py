"""The gRPC bootstrap: health and reflection open to all, graceful shutdown lets an in-flight call finish."""
import asyncio

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from contracts.envelope import Role
from contracts.proto import insights_pb2, insights_pb2_grpc
from services.plumbing import auth, grpcserver

pytestmark = pytest.mark.integration
NAME = "wegwijs.insights.v1.InsightsService"


class SlowInsights(insights_pb2_grpc.InsightsServiceServicer):
    ACCESS = {"QuestionsPerTheme": {Role.POLICY}}

    async def QuestionsPerTheme(self, request, context):  # noqa: N802
        await asyncio.sleep(0.5)
        return insights_pb2.QuestionsPerThemeResponse(total=7)


async def test_health_reflection_and_graceful_shutdown() -> None:
    private, public = auth.new_keypair()
    token = auth.TokenIssuer(auth.load_private(private)).issue(
        auth.Principal(staff_id="p", role=Role.POLICY, municipality="kortrijk"))
    servicer, stopping = SlowInsights(), asyncio.Event()
    port = asyncio.get_running_loop().create_future()
    service = grpcserver.Service(NAME, lambda s: insights_pb2_grpc.add_InsightsServiceServicer_to_server(servicer, s),
                                 servicer.ACCESS)
    server = asyncio.create_task(grpcserver.serve("127.0.0.1:0", [service], auth.TokenVerifier(auth.load_public(public)),
                                                  grace_seconds=5, stopping=stopping, bound=port.set_result))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{await port}") as channel:
        health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=NAME))
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        stream = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        listed = [s.name async for reply in stream for s in reply.list_services_response.service]
        assert NAME in listed
        call = insights_pb2_grpc.InsightsServiceStub(channel).QuestionsPerTheme(
            insights_pb2.QuestionsPerThemeRequest(), metadata=(("authorization", f"Bearer {token}"),))
        await asyncio.sleep(0.1)
        stopping.set()  # SIGTERM arrives while the call is in flight
        assert (await call).total == 7
    await server
