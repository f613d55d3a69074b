"""A question registered through gRPC travels through Kafka into the insights view and comes back as a count."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest

from contracts.envelope import Role
from services.client import Client
from tests.faults.servers import Servers

pytestmark = pytest.mark.e2e
KORTRIJK = dict(office_id="huis-van-de-kortrijkzaan", channel="whatsapp", client_languages=["ar"],
                language_used="ar", occurred_at="2026-03-10T09:30:00+01:00")


@pytest.fixture(autouse=True)
def exact_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests follow single questions, so small-cell suppression is off (threshold 1); it has its own tests."""
    monkeypatch.setenv("WEGWIJS_SUPPRESSION_THRESHOLD", "1")


async def eventually(read: Callable[[], Any], expect: Callable[[Any], bool], seconds: float = 30) -> Any:
    """Poll `read` until `expect` holds; return the last reading either way so the assertion shows it."""
    value = None
    for _ in range(int(seconds / 0.2)):
        value = await read()
        if expect(value):
            break
        await asyncio.sleep(0.2)
    return value


def counts(reply: Any) -> dict[tuple[str, str], int]:
    return {(r.theme, r.month): r.questions for r in reply.rows}


async def test_registered_questions_are_counted_per_theme_and_month(system: Client, token) -> None:
    await system.register_question(themes=["housing"], **KORTRIJK)
    await system.register_question(themes=["housing", "work"], **KORTRIJK)
    await system.register_question(themes=["work"], **{**KORTRIJK, "occurred_at": "2026-04-01T00:30:00+02:00"})
    brugge = system.as_(token(Role.FRONT_OFFICE, "brugge"))  # at an office of its own: Kortrijk's is not Brugge's
    await brugge.intake_call("OpenOffice", office_id="huis-van-de-bruggeling", name="Huis van de Bruggeling")
    await brugge.register_question(themes=["housing"], **{**KORTRIJK, "office_id": "huis-van-de-bruggeling"})

    policy = system.as_(token(Role.POLICY, "kortrijk"))
    reply = await eventually(lambda: policy.questions_per_theme(), lambda r: r.total == 3)
    assert reply.total == 3
    assert counts(reply) == {("housing", "2026-03"): 2, ("work", "2026-03"): 1, ("work", "2026-04"): 1}
    only_april = await policy.questions_per_theme(from_month="2026-04")
    assert (only_april.total, counts(only_april)) == (1, {("work", "2026-04"): 1})


async def test_a_retried_command_is_counted_once(system: Client, token) -> None:
    command_id = uuid.uuid4().hex
    first = await system.register_question(themes=["health"], command_id=command_id, **KORTRIJK)
    again = await system.register_question(themes=["health"], command_id=command_id, **KORTRIJK)
    assert again.question_id == first.question_id
    await system.register_question(themes=["health"], **KORTRIJK)  # a marker that arrives after the retry

    policy = system.as_(token(Role.POLICY, "kortrijk"))
    reply = await eventually(lambda: policy.questions_per_theme(), lambda r: r.total >= 2)
    await asyncio.sleep(1)  # give a wrongly duplicated event time to show up
    reply = await policy.questions_per_theme()
    assert reply.total == 2 and counts(reply) == {("health", "2026-03"): 2}


async def test_a_malformed_request_is_refused_naming_the_field(system: Client, token) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await system.register_question(themes=["housing", "astrology"], **KORTRIJK)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details().startswith("themes") and "astrology" in caught.value.details()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await system.as_(token(Role.POLICY, "kortrijk")).questions_per_theme(from_month="March")
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "from_month" in caught.value.details()


async def test_questions_registered_while_kafka_is_down_are_counted_when_it_is_back(
        own_system: Client, own_stack: Servers, token) -> None:
    """On the session's own stack: stopping the shared broker would break every test beside this one."""
    system = own_system
    policy = system.as_(token(Role.POLICY, "kortrijk"))
    await system.register_question(themes=["education"], **KORTRIJK)
    await eventually(lambda: policy.questions_per_theme(), lambda r: r.total == 1)
    own_stack.stop("kafka")
    try:
        for _ in range(3):  # commands still succeed: the event store is the outbox
            await system.register_question(themes=["education"], **KORTRIJK)
        assert (await policy.questions_per_theme()).total == 1
    finally:
        own_stack.start("kafka")
    reply = await eventually(lambda: policy.questions_per_theme(), lambda r: r.total == 4, seconds=90)
    assert reply.total == 4 and counts(reply) == {("education", "2026-03"): 4}
