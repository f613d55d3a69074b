"""InsightsService over gRPC: translates protobuf ↔ queries only."""
from __future__ import annotations

from typing import Any

import grpc

from contracts.proto import insights_pb2, insights_pb2_grpc
from services.insights.application.queries import QuestionsPerThemeQuery, questions_per_theme
from services.plumbing.projection.store import ProjectionStore


class InsightsServicer(insights_pb2_grpc.InsightsServiceServicer):
    def __init__(self, views: ProjectionStore) -> None:
        self.views = views

    async def QuestionsPerTheme(self, request: Any, context: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        query = QuestionsPerThemeQuery(tenant=request.tenant, from_month=request.from_month or None,
                                       to_month=request.to_month or None)
        result = await questions_per_theme(query, self.views)
        return insights_pb2.QuestionsPerThemeResponse(
            rows=[insights_pb2.ThemeMonthCount(**r) for r in result["rows"]], total=result["total"])
