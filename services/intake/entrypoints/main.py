"""Process entry point of intake: the gRPC API, the relay and the referral consumer, side by side, until SIGTERM."""
from __future__ import annotations

from contracts.proto import intake_pb2, intake_pb2_grpc
from services.intake.adapters import referral_consumer
from services.intake.bootstrap import bootstrap
from services.intake.entrypoints.grpc_api import IntakeServicer
from services.plumbing import grpcserver, probes, process
from services.plumbing.settings import Settings

SERVICE_NAME = intake_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name


async def main(settings: Settings) -> None:
    app = await bootstrap(settings)
    servicer = IntakeServicer(app.deps)
    api = grpcserver.Service(SERVICE_NAME, lambda s: intake_pb2_grpc.add_IntakeServiceServicer_to_server(servicer, s),
                             servicer.ACCESS)
    background = [app.relay.run(), referral_consumer.run(settings, app.deps.referrals)]
    await process.serve(settings, settings.intake_port, [api], background, app.mongo.close,
                        [probes.database(app.mongo)])


def run() -> None:
    process.run(main)
