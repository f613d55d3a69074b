"""The wire is encrypted and every call authenticated; logs never carry a token."""
from __future__ import annotations

import grpc
import pytest

from contracts.envelope import Role
from contracts.proto import intake_pb2, intake_pb2_grpc
from services.client import Client, tls

pytestmark = pytest.mark.e2e
QUESTION = dict(office_id="huis-van-de-kortrijkzaan", channel="walk-in", themes=["housing"], client_languages=["ar"],
                language_used="ar")


async def refused(channel: grpc.aio.Channel, metadata: tuple = ()) -> grpc.StatusCode:
    try:
        await intake_pb2_grpc.IntakeServiceStub(channel).RegisterQuestion(
            intake_pb2.RegisterQuestionRequest(command_id="cmd-security-1"), metadata=metadata, timeout=5)
    except grpc.aio.AioRpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


async def test_a_plaintext_client_is_refused(system: Client) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{system.ports['intake']}") as channel:
        assert await refused(channel) is grpc.StatusCode.UNAVAILABLE


async def test_a_client_without_a_certificate_is_refused_under_mutual_tls(system: Client, secrets) -> None:
    credentials = tls((secrets / "ca.pem").read_bytes())
    async with grpc.aio.secure_channel(f"127.0.0.1:{system.ports['intake']}", credentials) as channel:
        assert await refused(channel) is grpc.StatusCode.UNAVAILABLE


async def test_calls_without_a_valid_token_are_unauthenticated(system: Client, token) -> None:
    for bad in ("", "Bearer ", "Bearer not-a-token", "Basic dXNlcjpwYXNz",
                f"Bearer {token(Role.FRONT_OFFICE, 'kortrijk')[:-4]}AAAA"):
        anonymous = system.as_("x")
        anonymous.metadata = (("authorization", bad),) if bad else ()
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await anonymous.register_question(**QUESTION)
        assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED, bad


async def test_no_token_or_personal_field_reaches_the_logs(system: Client, token) -> None:
    await system.register_question(**QUESTION)
    with pytest.raises(grpc.aio.AioRpcError):
        await system.as_(token(Role.FRONT_OFFICE, "brugge")).register_question(tenant="kortrijk", **QUESTION)
    with pytest.raises(grpc.aio.AioRpcError):
        await system.as_(token(Role.PARTNER, partner="ocmw-kortrijk")).register_question(**QUESTION)
    await system.as_(token(Role.POLICY, "kortrijk")).questions_per_theme()
    lines = [line for path in system.logs for line in path.read_text().splitlines()]
    assert any("grpc.refused" in line for line in lines), "the refusals above should be logged"
    leaked = [line for line in lines for t in token.issued if t in line or t.split(".")[2] in line]
    assert not leaked, leaked[:3]
    assert not [line for line in lines if "Bearer" in line or '"authorization"' in line]
