"""Random and malformed commands against the servicer (in-memory fakes): it never crashes, never stores half a
command, and always answers with a clear error naming the field."""
from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import ValidationError

from contracts.envelope import Role
from contracts.proto import intake_pb2 as pb
from services.intake.application.handlers import Deps
from services.intake.entrypoints.grpc_api import IntakeServicer
from services.intake.tests.fuzz import assert_whole, requests
from services.plumbing import auth
from services.plumbing.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied, describe
from services.plumbing.eventstore.memory import InMemoryEventStore

CLEAR = (InvalidArgument, NotFound, FailedPrecondition, PermissionDenied)
PRINCIPALS = [auth.Principal(staff_id="s-fuzz", role=Role.FRONT_OFFICE, municipality="kortrijk"),
              auth.Principal(staff_id="s-admin", role=Role.ADMIN)]


def seeded() -> tuple[IntakeServicer, list[str]]:
    servicer = IntakeServicer(Deps(store=InMemoryEventStore()))
    auth.bind(PRINCIPALS[0])

    async def seed() -> list[str]:
        await servicer.OpenOffice(pb.OpenOfficeRequest(command_id="seed-office", office_id="huis", name="Huis"), None)
        q = await servicer.RegisterQuestion(pb.RegisterQuestionRequest(
            command_id="seed-question", office_id="huis", channel="whatsapp", themes=["housing"],
            client_languages=["ar"], language_used="ar"), None)
        c = await servicer.RegisterClient(pb.RegisterClientRequest(command_id="seed-client"), None)
        return [q.question_id, q.client_id, c.client_id]
    return servicer, asyncio.run(seed())


SERVICER, KNOWN = seeded()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(call=requests(KNOWN), admin=...)
def test_random_requests_get_an_answer_or_a_clear_error(call, admin: bool) -> None:
    rpc, request = call
    store = SERVICER.deps.store
    before = len(store.commits)

    async def run() -> None:
        auth.bind(PRINCIPALS[admin])
        try:
            await getattr(SERVICER, rpc)(request, None)
        except ValidationError as exc:
            message = describe(exc)
            assert message and ": " in message, message
            assert len(store.commits) == before, "a refused command stored something"
        except CLEAR as exc:
            assert str(exc), f"{rpc}: {type(exc).__name__} without a reason"
            assert len(store.commits) == before, "a refused command stored something"
    asyncio.run(run())
    assert len(store.commits) - before in (0, 1)
    assert_whole(list(store.commits.values()))
