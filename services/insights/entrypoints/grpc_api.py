"""InsightsService over gRPC: translates protobuf ↔ queries only."""
from __future__ import annotations

from typing import Any, ClassVar

import grpc

from contracts.envelope import Role
from contracts.proto import insights_pb2, insights_pb2_grpc
from services.insights.application.queries import QuestionsPerThemeQuery, questions_per_theme
from services.plumbing import auth
from services.plumbing.projection.store import ProjectionStore

POLICY = frozenset({Role.POLICY, Role.ADMIN})


class InsightsServicer(insights_pb2_grpc.InsightsServiceServicer):
    ACCESS: ClassVar[auth.Access] = {
        "QuestionsPerTheme": POLICY,
    }

    def __init__(self, views: ProjectionStore) -> None:
        self.views = views

    async def QuestionsPerTheme(self, request: Any, _: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        tenant = auth.scope_tenant(auth.current(), request.tenant or None)
        query = QuestionsPerThemeQuery(tenant=tenant, from_month=request.from_month or None,
                                       to_month=request.to_month or None)
        result = await questions_per_theme(query, self.views)
        return insights_pb2.QuestionsPerThemeResponse(
            rows=[insights_pb2.ThemeMonthCount(**r) for r in result["rows"]], total=result["total"])
