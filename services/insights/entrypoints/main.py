"""Process entry point of insights: the projection runner and the query API, side by side, until SIGTERM."""
from __future__ import annotations

import asyncio

import structlog
from pymongo.errors import PyMongoError

from contracts.proto import insights_pb2, insights_pb2_grpc
from services.insights.adapters.generations import Generations
from services.insights.application.answers import Answers
from services.insights.bootstrap import bootstrap
from services.insights.entrypoints.grpc_api import InsightsServicer
from services.insights.entrypoints.live import follow_active
from services.plumbing import grpcserver, log
from services.plumbing.settings import Settings

logger = structlog.get_logger(__name__)
SERVICE_NAME = insights_pb2.DESCRIPTOR.services_by_name["InsightsService"].full_name
REFRESH_SECONDS = 0.5


async def keep_answers_fresh(answers: Answers, generations: Generations) -> None:
    """Refresh-ahead of the answers kept by the query API (see `Answers.refresh`), until cancelled."""
    while True:
        try:
            await answers.refresh(await generations.current())
        except PyMongoError as exc:  # the views are briefly away: questions recompute as usual meanwhile
            logger.warning("insights.refresh_failed", error=str(exc))
        await asyncio.sleep(REFRESH_SECONDS)


async def main(settings: Settings) -> None:
    verifier, credentials = grpcserver.security(settings)
    app = await bootstrap(settings)
    answers = Answers()
    runner = asyncio.create_task(follow_active(app), name="projection")
    refresher = asyncio.create_task(keep_answers_fresh(answers, app.generations), name="refresh-ahead")
    try:
        servicer = InsightsServicer(app.generations, app.settings.suppression_threshold, answers)
        await grpcserver.serve(
            f"{settings.grpc_host}:{settings.insights_port}",
            [grpcserver.Service(SERVICE_NAME,
                                lambda s: insights_pb2_grpc.add_InsightsServiceServicer_to_server(servicer, s),
                                servicer.ACCESS)],
            verifier, settings.shutdown_grace_seconds, credentials)
    finally:
        runner.cancel()
        refresher.cancel()
        await asyncio.gather(runner, refresher, return_exceptions=True)
        await app.mongo.close()


def run() -> None:
    settings = Settings()
    log.configure(settings.log_level, settings.log_json)
    asyncio.run(main(settings))
