"""IntakeService over gRPC: translates protobuf ↔ commands only. No business rule here."""
from __future__ import annotations

from typing import Any

import grpc
import structlog

from contracts.envelope import Actor, Role, new_event_id
from contracts.proto import intake_pb2, intake_pb2_grpc
from services.intake.application.handlers import Context, Deps, handle
from services.intake.domain.commands import RegisterQuestion

STAFF_HEADER = "x-staff-id"


def context_of(grpc_context: grpc.aio.ServicerContext) -> Context:
    """The caller's actor and correlation id (bound by the server interceptor)."""
    metadata = dict(grpc_context.invocation_metadata() or ())
    correlation_id = structlog.contextvars.get_contextvars().get("correlation_id") or new_event_id()
    return Context(Actor(staff_id=metadata.get(STAFF_HEADER) or "unknown", role=Role.FRONT_OFFICE), correlation_id)


def _optional(value: str) -> str | None:
    return value or None


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def RegisterQuestion(self, request: Any, context: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        cmd = RegisterQuestion(
            command_id=request.command_id, tenant=request.tenant, office_id=request.office_id,
            client_id=_optional(request.client_id), channel=request.channel, themes=tuple(request.themes),
            client_languages=tuple(request.client_languages), language_used=request.language_used,
            interpreter_needed=request.interpreter_needed, urgent=request.urgent,
            occurred_at=_optional(request.occurred_at))
        result = await handle(cmd, context_of(context), self.deps)
        return intake_pb2.RegisterQuestionResponse(**result)
