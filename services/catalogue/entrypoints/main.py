"""Process entry point of the catalogue: the gRPC API, the public HSDS API over HTTP and the relay, side by side,
until SIGTERM."""
from __future__ import annotations

from contracts.proto import catalogue_pb2, catalogue_pb2_grpc
from services.catalogue.adapters import hsds
from services.catalogue.bootstrap import CatalogueSettings, bootstrap
from services.catalogue.entrypoints import hsds_http
from services.catalogue.entrypoints.grpc_api import CatalogueServicer
from services.plumbing import grpcserver, probes, process
from services.plumbing.settings import Settings

SERVICE_NAME = catalogue_pb2.DESCRIPTOR.services_by_name["CatalogueService"].full_name


async def main(settings: Settings) -> None:
    own = CatalogueSettings()
    app = await bootstrap(settings, own)
    servicer = CatalogueServicer(app.deps, app.hsds_schema_dir, app.hsds_limits, app.hsds_processes)
    api = grpcserver.Service(SERVICE_NAME,
                             lambda s: catalogue_pb2_grpc.add_CatalogueServiceServicer_to_server(servicer, s),
                             servicer.ACCESS)
    background = [app.relay.run()]
    if own.catalogue_hsds_port:
        public = hsds_http.app(app.deps, app.hsds_schema_dir, own.catalogue_hsds_cache_seconds,
                               [probes.database(app.mongo)])
        background.append(hsds_http.serve(public, settings.grpc_host, own.catalogue_hsds_port))
    if app.hsds_processes is not None:
        background.append(app.hsds_processes.warm(hsds.read, "[]", app.hsds_schema_dir, None, app.hsds_limits))
    await process.serve(settings, settings.catalogue_port, [api], background, app.close,
                        [probes.database(app.mongo)])


def run() -> None:
    process.run(main)
