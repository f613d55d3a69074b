"""The shared interceptor: malformed protobuf, long lists, deep nesting, unexpected errors and deadlines all answer a
bounded status with `google.rpc.Status` details; health follows its probes; reflection v1 beside v1alpha."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from google.protobuf import struct_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2
from pydantic import BaseModel, Field, ValidationError

from contracts.envelope import Role
from contracts.proto import catalogue_pb2, catalogue_pb2_grpc, intake_pb2, intake_pb2_grpc
from services.plumbing import auth, grpcserver, probes
from services.plumbing.errors import NotFound, clip, describe

INTAKE = "wegwijs.intake.v1.IntakeService"
CATALOGUE = "wegwijs.catalogue.v1.CatalogueService"


class Fake(intake_pb2_grpc.IntakeServiceServicer):
    """RegisterQuestion does what its office_id says."""

    ACCESS = {"RegisterQuestion": {Role.FRONT_OFFICE}}

    def __init__(self) -> None:
        self.cancelled = asyncio.Event()

    async def RegisterQuestion(self, request: Any, context: Any) -> Any:  # noqa: N802
        if request.office_id == "recurse":
            def deeper(n: int) -> int:
                return deeper(n + 1) + 1
            deeper(0)
        if request.office_id == "boom":
            raise KeyError("secret internal detail")
        if request.office_id == "empty-id":
            raise NotFound("question does not exist", field="question_id", value="")
        if request.office_id == "unknown-id":
            raise NotFound("question does not exist", field="question_id", value="q-1")
        if request.office_id == "slow":
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                self.cancelled.set()
                raise
        return intake_pb2.CommandResult(id="ok")


class FakeCatalogue(catalogue_pb2_grpc.CatalogueServiceServicer):
    ACCESS = {"UpdateService": {Role.FRONT_OFFICE}}

    async def UpdateService(self, request: Any, context: Any) -> Any:  # noqa: N802
        return catalogue_pb2.CommandResult(id="ok")


class Server:
    def __init__(self, port: int, token: str, servicer: Fake, flag: dict[str, bool]) -> None:
        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        self.metadata = (("authorization", f"Bearer {token}"),)
        self.servicer, self.flag = servicer, flag

    async def raw(self, method: str, payload: bytes, timeout: float = 10) -> Any:
        call = self.channel.unary_unary(method, request_serializer=lambda b: b,
                                        response_deserializer=lambda b: b)
        return await call(payload, metadata=self.metadata, timeout=timeout)

    async def register(self, timeout: float = 10, **fields: Any) -> Any:
        return await intake_pb2_grpc.IntakeServiceStub(self.channel).RegisterQuestion(
            intake_pb2.RegisterQuestionRequest(**fields), metadata=self.metadata, timeout=timeout)


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    private, public = auth.new_keypair()
    token = auth.TokenIssuer(auth.load_private(private)).issue(
        auth.Principal(staff_id="s", role=Role.FRONT_OFFICE, municipality="kortrijk"))
    fake, flag = Fake(), {"up": True}

    async def dependency() -> None:
        if not flag["up"]:
            raise ConnectionError("down")

    services = [grpcserver.Service(INTAKE, lambda s: intake_pb2_grpc.add_IntakeServiceServicer_to_server(fake, s),
                                   fake.ACCESS),
                grpcserver.Service(CATALOGUE, lambda s: catalogue_pb2_grpc.add_CatalogueServiceServicer_to_server(
                    FakeCatalogue(), s), FakeCatalogue.ACCESS)]
    stopping, port = asyncio.Event(), asyncio.get_running_loop().create_future()
    task = asyncio.create_task(grpcserver.serve(
        "127.0.0.1:0", services, auth.TokenVerifier(auth.load_public(public)), 0.1, stopping=stopping,
        bound=port.set_result, checks=grpcserver.Health([probes.Probe("database", dependency)], 0.05, 0.5)))
    s = Server(await port, token, fake, flag)
    try:
        yield s
    finally:
        await s.channel.close()
        stopping.set()
        await task


def details(error: grpc.aio.AioRpcError) -> list[tuple[str, str]]:
    """The BadRequest field violations of the google.rpc.Status in the trailing metadata."""
    raw = dict(error.trailing_metadata() or ())["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(raw)
    assert status.code == error.code().value[0] and status.message == error.details()
    out = []
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        assert detail.Unpack(bad)
        out += [(v.field, v.description) for v in bad.field_violations]
    return out


REGISTER = f"/{INTAKE}/RegisterQuestion"


def field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field, written by hand (the library refuses to write what is too deep)."""
    n, size = len(payload), b""
    while True:
        byte, n = n & 0x7F, n >> 7
        size += bytes([byte | (0x80 if n else 0)])
        if not n:
            return bytes([number << 3 | 2]) + size + payload


@pytest.mark.parametrize("payload", [
    b"\x1a\x02\xff\xfe",  # office_id (a string) holding invalid UTF-8
    intake_pb2.RegisterQuestionRequest(office_id="o-1", themes=["work"]).SerializeToString()[:-2],  # truncated
    b"\x1a\x7f" + b"x" * 3,  # a length running past the end
])
async def test_malformed_protobuf_is_invalid_argument_not_unknown(server: Server, payload: bytes) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.raw(REGISTER, payload)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details().startswith("request: not a well-formed protobuf message")
    assert "Error" not in caught.value.details() and "Exception" not in caught.value.details()
    assert details(caught.value)[0][0] == "request"


async def test_nesting_deeper_than_the_parser_allows_is_invalid_argument(server: Server) -> None:
    value = b""
    for _ in range(120):  # Value.list_value → ListValue.values → Value ...
        value = field(6, field(1, value))
    payload = field(4, field(1, field(1, b"x") + field(2, value)))  # UpdateRequest.changes.fields["x"]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.raw(f"/{CATALOGUE}/UpdateService", payload)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_list_field_over_the_limit_is_refused_before_the_handler_naming_it(server: Server) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.register(office_id="o-1", themes=["x" * 10] * 50_000)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details().startswith("themes: at most 1,000 items per list")
    assert "50,000 items" in caught.value.details() and len(caught.value.details()) < 300
    assert details(caught.value) == [("themes", caught.value.details().removeprefix("themes: "))]


async def test_lists_nested_in_a_struct_are_bounded_too(server: Server) -> None:
    changes = struct_pb2.Struct()
    changes.fields["tags"].list_value.extend(["a"] * 5000)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.raw(f"/{CATALOGUE}/UpdateService",
                         catalogue_pb2.UpdateRequest(changes=changes).SerializeToString())
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "changes.fields[tags].list_value.values (5,000 items)" in caught.value.details()


async def test_recursion_error_anywhere_is_invalid_argument(server: Server) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.register(office_id="recurse")
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "RecursionError" not in caught.value.details()


async def test_an_unexpected_error_is_internal_without_its_python_class(server: Server) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.register(office_id="boom")
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert "KeyError" not in caught.value.details() and "secret" not in caught.value.details()
    assert "correlation id" in caught.value.details()


async def test_not_found_names_the_field_and_an_empty_id_is_invalid_argument(server: Server) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.register(office_id="unknown-id")
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert caught.value.details() == "question_id: question does not exist"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.register(office_id="empty-id")
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details(caught.value) == [("question_id", "required")]


async def test_the_clients_deadline_ends_the_handler(server: Server) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.register(office_id="slow", timeout=0.3)
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    await asyncio.wait_for(server.servicer.cancelled.wait(), 2)


async def test_health_follows_the_probe_down_and_up(server: Server) -> None:
    stub = health_pb2_grpc.HealthStub(server.channel)

    async def status() -> int:
        return (await stub.Check(health_pb2.HealthCheckRequest(service=INTAKE), timeout=1)).status

    async def becomes(expected: int) -> None:
        for _ in range(100):
            if await status() == expected:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"health never became {expected}")

    assert await status() == health_pb2.HealthCheckResponse.SERVING
    server.flag["up"] = False
    await becomes(health_pb2.HealthCheckResponse.NOT_SERVING)
    server.flag["up"] = True
    await becomes(health_pb2.HealthCheckResponse.SERVING)


async def test_reflection_v1_beside_v1alpha(server: Server) -> None:
    for name in ("grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"):
        call = server.channel.stream_stream(
            f"/{name}/ServerReflectionInfo",
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
        replies = call(iter([reflection_pb2.ServerReflectionRequest(list_services=""),
                             reflection_pb2.ServerReflectionRequest(file_containing_symbol=INTAKE)]))
        answers = [r async for r in replies]
        assert {s.name for s in answers[0].list_services_response.service} >= {
            INTAKE, "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"}
        assert answers[1].file_descriptor_response.file_descriptor_proto


class Many(BaseModel):
    themes: list[int] = Field(max_length=200_000)


def test_validation_messages_name_the_first_few_and_count_the_rest() -> None:
    with pytest.raises(ValidationError) as caught:
        Many(themes=["x"] * 100_000)
    message = describe(caught.value)
    assert message.startswith("themes[0]: ") and message.endswith("; and 99,995 more") and len(message) < 1000


def test_an_echoed_value_is_clipped() -> None:
    echoed = clip("a" * 1_000_000)
    assert len(echoed) < 100 and "1,000,000 characters" in echoed
    assert clip("kortrijk") == "'kortrijk'"


async def test_one_slow_probe_is_no_outage_two_in_a_row_are() -> None:
    answers, reports = iter([True, False, True, False, False, True]), []

    async def check() -> None:
        if not next(answers):
            raise TimeoutError

    async def report(serving: bool) -> None:
        reports.append(serving)

    task = asyncio.create_task(probes.watch([probes.Probe("database", check)], report, 0.001, 1))
    while len(reports) < 3 and not task.done():
        await asyncio.sleep(0.01)
    task.cancel()
    assert reports[:3] == [True, False, True]
