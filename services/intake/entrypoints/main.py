"""Process entry point of intake: the gRPC API and the relay, side by side, until SIGTERM."""
from __future__ import annotations

import asyncio

from contracts.proto import intake_pb2, intake_pb2_grpc
from services.intake.bootstrap import bootstrap
from services.intake.entrypoints.grpc_api import IntakeServicer
from services.plumbing import grpcserver, log
from services.plumbing.settings import Settings

SERVICE_NAME = intake_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name


async def main(settings: Settings) -> None:
    verifier, credentials = grpcserver.security(settings)
    app = await bootstrap(settings)
    relay = asyncio.create_task(app.relay.run(), name="relay")
    try:
        servicer = IntakeServicer(app.deps)
        await grpcserver.serve(
            f"{settings.grpc_host}:{settings.intake_port}",
            [grpcserver.Service(SERVICE_NAME, lambda s: intake_pb2_grpc.add_IntakeServiceServicer_to_server(servicer, s),
                                servicer.ACCESS)],
            verifier, settings.shutdown_grace_seconds, credentials)
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)
        await app.mongo.close()


def run() -> None:
    settings = Settings()
    log.configure(settings.log_level, settings.log_json)
    asyncio.run(main(settings))
