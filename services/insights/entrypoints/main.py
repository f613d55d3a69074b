"""Process entry point of insights: the projection runner and the query API, side by side, until SIGTERM."""
from __future__ import annotations

from contracts.proto import insights_pb2, insights_pb2_grpc
from services.insights.bootstrap import bootstrap
from services.insights.entrypoints.grpc_api import InsightsServicer
from services.insights.entrypoints.live import follow_active
from services.plumbing import grpcserver, kafka, probes, process
from services.plumbing.settings import Settings

SERVICE_NAME = insights_pb2.DESCRIPTOR.services_by_name["InsightsService"].full_name


async def main(settings: Settings) -> None:
    app = await bootstrap(settings)
    servicer = InsightsServicer(app.generations, app.settings.suppression_threshold)
    api = grpcserver.Service(SERVICE_NAME,
                             lambda s: insights_pb2_grpc.add_InsightsServiceServicer_to_server(servicer, s),
                             servicer.ACCESS)
    health = [probes.database(app.mongo), probes.Probe("kafka", lambda: kafka.reachable(settings))]
    await process.serve(settings, settings.insights_port, [api], [follow_active(app)], app.mongo.close, health)


def run() -> None:
    process.run(main)
