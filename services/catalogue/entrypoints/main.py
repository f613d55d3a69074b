"""Process entry point of the catalogue: the gRPC API and the relay, side by side, until SIGTERM."""
from __future__ import annotations

from contracts.proto import catalogue_pb2, catalogue_pb2_grpc
from services.catalogue.bootstrap import bootstrap
from services.catalogue.entrypoints.grpc_api import CatalogueServicer
from services.plumbing import grpcserver, probes, process
from services.plumbing.settings import Settings

SERVICE_NAME = catalogue_pb2.DESCRIPTOR.services_by_name["CatalogueService"].full_name


async def main(settings: Settings) -> None:
    app = await bootstrap(settings)
    servicer = CatalogueServicer(app.deps, app.hsds_schema_dir, app.hsds_limits)
    api = grpcserver.Service(SERVICE_NAME,
                             lambda s: catalogue_pb2_grpc.add_CatalogueServiceServicer_to_server(servicer, s),
                             servicer.ACCESS)
    await process.serve(settings, settings.catalogue_port, [api], [app.relay.run()], app.mongo.close,
                        [probes.database(app.mongo)])


def run() -> None:
    process.run(main)
