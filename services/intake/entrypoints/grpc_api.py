"""IntakeService over gRPC: translates protobuf ↔ commands only. No business rule here."""
from __future__ import annotations

from typing import Any, ClassVar

import grpc
import structlog

from contracts.envelope import Role, new_event_id
from contracts.proto import intake_pb2, intake_pb2_grpc
from services.intake.application.handlers import Context, Deps, handle
from services.intake.domain.commands import RegisterQuestion
from services.plumbing import auth

FRONT_OFFICE = frozenset({Role.FRONT_OFFICE, Role.ADMIN})


def context() -> Context:
    """The caller's actor and the correlation id bound by the server's guard."""
    correlation_id = structlog.contextvars.get_contextvars().get("correlation_id") or new_event_id()
    return Context(auth.current().actor, correlation_id)


def _optional(value: str) -> str | None:
    return value or None


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    ACCESS: ClassVar[auth.Access] = {
        "RegisterQuestion": FRONT_OFFICE,
    }

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def RegisterQuestion(self, request: Any, _: grpc.aio.ServicerContext) -> Any:  # noqa: N802
        cmd = RegisterQuestion(
            command_id=request.command_id, tenant=auth.scope_tenant(auth.current(), _optional(request.tenant)),
            office_id=request.office_id, client_id=_optional(request.client_id), channel=request.channel,
            themes=tuple(request.themes), client_languages=tuple(request.client_languages),
            language_used=request.language_used, interpreter_needed=request.interpreter_needed,
            urgent=request.urgent, occurred_at=_optional(request.occurred_at))
        result = await handle(cmd, context(), self.deps)
        return intake_pb2.RegisterQuestionResponse(**result)
