"""IntakeService over gRPC: translates protobuf ↔ commands and queries, and domain errors ↔ status codes."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import grpc
import structlog
from pydantic import BaseModel

from contracts.envelope import Role, new_event_id
from contracts.proto import intake_pb2 as pb
from contracts.proto import intake_pb2_grpc
from services.intake.application import queries
from services.intake.application.handlers import Context, Deps, handle
from services.intake.domain import client, office, signal
from services.intake.domain import commands as c
from services.intake.domain.errors import RuleViolated, Unknown
from services.intake.entrypoints import translate as t
from services.plumbing import auth
from services.plumbing.errors import FailedPrecondition, NotFound

FRONT_OFFICE = frozenset({Role.FRONT_OFFICE, Role.ADMIN})
ADMIN = frozenset({Role.ADMIN})

# rpc → (command, reply) for commands; (query, read, translate) for reads.
COMMANDS: dict[str, tuple[type[BaseModel], Any]] = {
    "RegisterQuestion": (c.RegisterQuestion, pb.RegisterQuestionResponse),
    "ClarifyQuestion": (c.ClarifyQuestion, pb.QuestionReply),
    "InformClient": (c.InformClient, pb.QuestionReply),
    "AccompanyClient": (c.AccompanyClient, pb.QuestionReply),
    "RecordGap": (c.RecordGap, pb.QuestionReply),
    "CloseQuestion": (c.CloseQuestion, pb.QuestionReply),
    "ReopenQuestion": (c.ReopenQuestion, pb.QuestionReply),
    "RegisterClient": (client.RegisterClient, pb.ClientReply),
    "RecordConsent": (client.RecordConsent, pb.ClientReply),
    "RecordContactDetails": (client.RecordContactDetails, pb.ClientReply),
    "AddClientNote": (client.AddClientNote, pb.ClientReply),
    "EraseClient": (client.EraseClient, pb.ClientReply),
    "OpenOffice": (office.OpenOffice, pb.OfficeReply),
    "AddBridgeWorker": (office.AddBridgeWorker, pb.OfficeReply),
    "ChangeBridgeWorkerLanguages": (office.ChangeBridgeWorkerLanguages, pb.OfficeReply),
    "RecountOfficeLanguages": (office.RecountOfficeLanguages, pb.OfficeReply),
    "ReportSignal": (signal.ReportSignal, pb.SignalReply),
}
READS: dict[str, tuple[type[BaseModel], Callable[[Any, Deps], Awaitable[Any]], Callable[[Any], Any]]] = {
    "GetQuestion": (c.GetQuestion, queries.get_question, t.question_detail),
    "ListClientQuestions": (c.ListClientQuestions, queries.client_questions, t.question_page),
    "ListOfficeQuestions": (c.ListOfficeQuestions, queries.office_questions, t.question_page),
    "GetClient": (client.GetClient, queries.get_client, t.client_detail),
    "GetOffice": (office.GetOffice, queries.get_office, t.office_detail),
}


def context() -> Context:
    """The caller's actor and the correlation id bound by the server's guard."""
    correlation_id = structlog.contextvars.get_contextvars().get("correlation_id") or new_event_id()
    return Context(auth.current().actor, correlation_id)


def _input(model: type[BaseModel], request: Any) -> Any:
    """Tenant from the principal (checked before anything else), then the request validated as `model`."""
    tenant = auth.scope_tenant(auth.current(), request.tenant or None)
    return model(**t.fields(request, model), tenant=tenant)


async def _domain(work: Awaitable[Any]) -> Any:
    try:
        return await work
    except RuleViolated as exc:
        raise FailedPrecondition(str(exc)) from None
    except Unknown as exc:
        raise NotFound(str(exc)) from None


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    ACCESS: ClassVar[auth.Access] = {**{name: FRONT_OFFICE for name in (*COMMANDS, *READS)},
                                     "RecountOfficeLanguages": ADMIN}

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def _command(self, rpc: str, request: Any) -> Any:
        model, reply = COMMANDS[rpc]
        result = await _domain(handle(_input(model, request), context(), self.deps))
        return t.reply(reply, result)

    async def _read(self, rpc: str, request: Any) -> Any:
        model, read, translate = READS[rpc]
        return translate(await _domain(read(_input(model, request), self.deps)))


def _rpc(name: str, kind: str) -> Callable[..., Awaitable[Any]]:
    async def call(self: IntakeServicer, request: Any, _: grpc.aio.ServicerContext) -> Any:
        return await getattr(self, kind)(name, request)
    call.__name__ = name
    return call


# One method per rpc, all alike: translate, call the handler or the read, translate back.
for _name in COMMANDS:
    setattr(IntakeServicer, _name, _rpc(_name, "_command"))
for _name in READS:
    setattr(IntakeServicer, _name, _rpc(_name, "_read"))
_missing = set(pb.DESCRIPTOR.services_by_name["IntakeService"].methods_by_name) - set(COMMANDS) - set(READS)
assert not _missing, f"IntakeService rpcs without a translation: {sorted(_missing)}"
