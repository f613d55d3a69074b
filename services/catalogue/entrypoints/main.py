"""Process entry point of the catalogue: the gRPC API and the relay, side by side, until SIGTERM."""
from __future__ import annotations

import asyncio

from contracts.proto import catalogue_pb2, catalogue_pb2_grpc
from services.catalogue.bootstrap import bootstrap
from services.catalogue.entrypoints.grpc_api import CatalogueServicer
from services.plumbing import grpcserver, log
from services.plumbing.settings import Settings

SERVICE_NAME = catalogue_pb2.DESCRIPTOR.services_by_name["CatalogueService"].full_name


async def main(settings: Settings) -> None:
    verifier, credentials = grpcserver.security(settings)
    app = await bootstrap(settings)
    relay = asyncio.create_task(app.relay.run(), name="relay")
    try:
        servicer = CatalogueServicer(app.deps, app.hsds_schema_dir)
        await grpcserver.serve(
            f"{settings.grpc_host}:{settings.catalogue_port}",
            [grpcserver.Service(SERVICE_NAME,
                                lambda s: catalogue_pb2_grpc.add_CatalogueServiceServicer_to_server(servicer, s),
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
