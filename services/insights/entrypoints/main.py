"""Process entry point of insights: the projection runner and the query API, side by side, until SIGTERM."""
from __future__ import annotations

import asyncio

from contracts.proto import insights_pb2, insights_pb2_grpc
from services.insights.bootstrap import bootstrap
from services.insights.entrypoints.grpc_api import InsightsServicer
from services.insights.entrypoints.live import follow_active
from services.plumbing import grpcserver, log
from services.plumbing.settings import Settings

SERVICE_NAME = insights_pb2.DESCRIPTOR.services_by_name["InsightsService"].full_name


async def main(settings: Settings) -> None:
    verifier, credentials = grpcserver.security(settings)
    app = await bootstrap(settings)
    runner = asyncio.create_task(follow_active(app), name="projection")
    try:
        servicer = InsightsServicer(app.generations, app.settings.suppression_threshold)
        await grpcserver.serve(
            f"{settings.grpc_host}:{settings.insights_port}",
            [grpcserver.Service(SERVICE_NAME,
                                lambda s: insights_pb2_grpc.add_InsightsServiceServicer_to_server(servicer, s),
                                servicer.ACCESS)],
            verifier, settings.shutdown_grace_seconds, credentials)
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await app.mongo.close()


def run() -> None:
    settings = Settings()
    log.configure(settings.log_level, settings.log_json)
    asyncio.run(main(settings))
