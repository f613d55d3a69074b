"""Process entry point of referrals: the gRPC API, the relay, the reference consumer and the overdue task."""
from __future__ import annotations

from contracts.proto import referral_pb2, referral_pb2_grpc
from services.plumbing import grpcserver, probes, process
from services.plumbing.settings import Settings
from services.referral.bootstrap import bootstrap
from services.referral.entrypoints.grpc_api import ReferralServicer

SERVICE_NAME = referral_pb2.DESCRIPTOR.services_by_name["ReferralService"].full_name


async def main(settings: Settings) -> None:
    app = await bootstrap(settings)
    servicer = ReferralServicer(app.deps)
    api = grpcserver.Service(SERVICE_NAME,
                             lambda s: referral_pb2_grpc.add_ReferralServiceServicer_to_server(servicer, s),
                             servicer.ACCESS)
    await process.serve(settings, settings.referral_port, [api], app.background, app.mongo.close,
                        [probes.database(app.mongo)])


def run() -> None:
    process.run(main)
