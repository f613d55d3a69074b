"""Expired, tampered, wrongly signed and missing tokens are refused; a valid one maps to its principal.

Services refuse at the door (UNAUTHENTICATED, before any handler or request validation) a token living longer than
WEGWIJS_TOKEN_MAX_LIFETIME_SECONDS, an empty or overlong subject, and a system token unless the service declares it;
the issuer and `wegwijs token` mint none of those.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import grpc
import jwt
import pytest
from typer.testing import CliRunner

from contracts.envelope import Role
from contracts.proto import insights_pb2, insights_pb2_grpc, intake_pb2, intake_pb2_grpc
from services import cli
from services.intake.application.handlers import Deps
from services.intake.entrypoints.grpc_api import IntakeServicer
from services.plumbing import auth, devsecrets, grpcserver
from services.plumbing.errors import PermissionDenied, Unauthenticated
from services.plumbing.eventstore.memory import InMemoryEventStore
from services.plumbing.settings import Settings
from services.referral.application import overdue
from tests.security.test_authorisation_matrix import SERVICERS

PRINCIPAL = auth.Principal(staff_id="s-1", role=Role.FRONT_OFFICE, municipality="kortrijk")


def signed(issuer: auth.TokenIssuer, claims: dict[str, Any]) -> str:
    """A token with exactly these claims, signed with the issuer's key (for tokens the issuer itself refuses)."""
    return jwt.encode({"iss": auth.ISSUER, "aud": auth.AUDIENCE, **claims}, issuer.private_key,
                      algorithm=auth.ALGORITHM)


@pytest.fixture(scope="module")
def keys() -> tuple[auth.TokenIssuer, auth.TokenVerifier]:
    private, public = auth.new_keypair()
    return auth.TokenIssuer(auth.load_private(private)), auth.TokenVerifier(auth.load_public(public))


def test_a_valid_token_maps_to_its_principal(keys) -> None:
    issuer, verifier = keys
    assert verifier.verify(issuer.issue(PRINCIPAL)) == PRINCIPAL


def test_an_expired_token_is_refused(keys) -> None:
    issuer, verifier = keys  # the issuer mints no expired token any more: sign one by hand
    now = int(time.time())
    expired = signed(issuer, {"sub": "s-1", "role": "front-office", "iat": now - 120, "exp": now - 60})
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(expired)


def test_a_tampered_token_is_refused(keys) -> None:
    issuer, verifier = keys
    header, payload, signature = issuer.issue(PRINCIPAL).split(".")
    claims = jwt.api_jws.base64url_decode(payload).replace(b'"front-office"', b'"admin"')
    forged = ".".join([header, jwt.api_jws.base64url_encode(claims).decode(), signature])
    with pytest.raises(Unauthenticated, match="invalid"):
        verifier.verify(forged)


def test_a_token_signed_by_another_key_is_refused(keys) -> None:
    _, verifier = keys
    stranger = auth.TokenIssuer(auth.load_private(auth.new_keypair()[0]))
    with pytest.raises(Unauthenticated):
        verifier.verify(stranger.issue(PRINCIPAL))


def test_an_unsigned_or_hmac_token_is_refused(keys) -> None:
    _, verifier = keys
    now = int(time.time())
    claims = {"sub": "s-1", "role": "admin", "iss": auth.ISSUER, "aud": auth.AUDIENCE, "iat": now, "exp": now + 60}
    guessed_secret = "a-guessed-shared-secret-of-32-bytes!"
    for token in (jwt.encode(claims, None, algorithm="none"), jwt.encode(claims, guessed_secret, algorithm="HS256")):
        with pytest.raises(Unauthenticated):
            verifier.verify(token)


def test_garbage_and_empty_tokens_are_refused(keys) -> None:
    _, verifier = keys
    for token in ("", "not.a.token", "abc"):
        with pytest.raises(Unauthenticated):
            verifier.verify(token)


def test_tenant_scoping_never_trusts_the_body() -> None:
    assert auth.scope_tenant(PRINCIPAL, None) == "kortrijk"
    assert auth.scope_tenant(PRINCIPAL, "kortrijk") == "kortrijk"
    with pytest.raises(PermissionDenied):
        auth.scope_tenant(PRINCIPAL, "brugge")
    admin = auth.Principal(staff_id="a-1", role=Role.ADMIN)
    assert auth.scope_tenant(admin, "brugge") == "brugge"
    with pytest.raises(PermissionDenied):
        auth.scope_tenant(admin, None)


def test_partner_scoping_never_trusts_the_body() -> None:
    partner = auth.Principal(staff_id="p-1", role=Role.PARTNER, partner="ocmw-kortrijk")
    assert auth.scope_partner(partner, None) == "ocmw-kortrijk"
    with pytest.raises(PermissionDenied):
        auth.scope_partner(partner, "vzw-elders")


# --- what the services refuse at the door, through the real gRPC server (its auth interceptor) ---------------------

HOUR = 3600
INTAKE = "wegwijs.intake.v1.IntakeService"


class Declared(insights_pb2_grpc.InsightsServiceServicer):
    """A service that declares it accepts system tokens, for one method."""

    ACCESS = {"QuestionsPerTheme": {Role.SYSTEM}}

    async def QuestionsPerTheme(self, request, context):  # noqa: N802
        return insights_pb2.QuestionsPerThemeResponse(total=1)


@dataclass
class Door:
    """IntakeService (in-memory store) and a service declaring Role.SYSTEM behind the real gRPC server."""

    channel: grpc.aio.Channel
    issuer: auth.TokenIssuer
    store: InMemoryEventStore

    async def register_client(self, token: str, command_id: str = "") -> grpc.StatusCode | str:
        """RegisterClient: its status code when refused, else the client id; an empty command id is invalid."""
        stub = intake_pb2_grpc.IntakeServiceStub(self.channel)
        try:
            reply = await stub.RegisterClient(intake_pb2.RegisterClientRequest(command_id=command_id),
                                              metadata=(("authorization", f"Bearer {token}"),), timeout=10)
        except grpc.aio.AioRpcError as exc:
            return exc.code()
        return reply.client_id

    async def written(self) -> int:
        return len(await self.store.unpublished(1000))


@pytest.fixture
async def door(tmp_path, monkeypatch) -> AsyncIterator[Door]:
    """The servers' verifier built as services build it, from WEGWIJS_* settings (the maximum lifetime left at its
    default unless a test sets it first)."""
    secrets = devsecrets.write(tmp_path)
    monkeypatch.setenv("WEGWIJS_JWT_PUBLIC_KEY_FILE", str(secrets / "jwt-public.pem"))
    verifier, _ = grpcserver.security(Settings())
    store = InMemoryEventStore()
    intake, declared = IntakeServicer(Deps(store=store)), Declared()
    services = [grpcserver.Service(INTAKE, lambda s: intake_pb2_grpc.add_IntakeServiceServicer_to_server(intake, s),
                                   intake.ACCESS),
                grpcserver.Service("wegwijs.insights.v1.InsightsService",
                                   lambda s: insights_pb2_grpc.add_InsightsServiceServicer_to_server(declared, s),
                                   declared.ACCESS)]
    stopping, port = asyncio.Event(), asyncio.get_running_loop().create_future()
    task = asyncio.create_task(grpcserver.serve("127.0.0.1:0", services, verifier, 0.1, stopping=stopping,
                                                bound=port.set_result))
    issuer = auth.TokenIssuer(auth.load_private((secrets / "jwt-private.pem").read_bytes()), system=True)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{await port}") as channel:
        yield Door(channel, issuer, store)
    stopping.set()
    await task


def front_office(issuer: auth.TokenIssuer, lifetime: int, sub: str = "s-1") -> str:
    now = int(time.time())
    return signed(issuer, {"sub": sub, "role": "front-office", "municipality": "kortrijk", "iat": now,
                           "exp": now + lifetime})


async def test_a_token_living_longer_than_12_hours_is_unauthenticated_before_validation(door) -> None:
    too_long = front_office(door.issuer, 12 * HOUR + 1)
    assert await door.register_client(too_long) is grpc.StatusCode.UNAUTHENTICATED  # not INVALID_ARGUMENT
    assert await door.register_client(too_long, "command-1") is grpc.StatusCode.UNAUTHENTICATED
    assert await door.written() == 0
    twelve = front_office(door.issuer, 12 * HOUR)
    assert await door.register_client(twelve) is grpc.StatusCode.INVALID_ARGUMENT  # the empty command id
    assert isinstance(await door.register_client(twelve, "command-2"), str)


@pytest.fixture
def one_hour_at_most(monkeypatch) -> None:
    monkeypatch.setenv("WEGWIJS_TOKEN_MAX_LIFETIME_SECONDS", str(HOUR))


async def test_the_maximum_lifetime_is_a_setting(one_hour_at_most, door) -> None:
    assert await door.register_client(front_office(door.issuer, 2 * HOUR), "command-1") is grpc.StatusCode.UNAUTHENTICATED
    assert isinstance(await door.register_client(front_office(door.issuer, HOUR), "command-2"), str)


@pytest.mark.parametrize("sub", ["", "   ", "s" * (auth.MAX_STAFF_ID + 1), "s" * 129, "s" * 500])
async def test_an_empty_or_overlong_subject_is_unauthenticated_before_validation(door, sub: str) -> None:
    token = front_office(door.issuer, HOUR, sub)
    assert await door.register_client(token) is grpc.StatusCode.UNAUTHENTICATED
    assert await door.register_client(token, "command-1") is grpc.StatusCode.UNAUTHENTICATED
    assert await door.written() == 0


async def test_the_longest_subject_accepted_can_act(door) -> None:
    """The bound is what an event's actor holds: an accepted subject never fails a command later."""
    sub = "s" * auth.MAX_STAFF_ID
    assert isinstance(await door.register_client(front_office(door.issuer, HOUR, sub), "command-1"), str)
    assert [e.actor.staff_id for c in await door.store.unpublished(10) for e in c.events] == [sub]


async def test_a_system_token_is_refused_by_a_service_that_does_not_declare_it(door) -> None:
    system = door.issuer.issue(auth.Principal(staff_id="referral-overdue", role=Role.SYSTEM))
    assert await door.register_client(system) is grpc.StatusCode.UNAUTHENTICATED  # not INVALID/PERMISSION_DENIED
    assert await door.written() == 0
    stub = insights_pb2_grpc.InsightsServiceStub(door.channel)
    reply = await stub.QuestionsPerTheme(insights_pb2.QuestionsPerThemeRequest(),
                                         metadata=(("authorization", f"Bearer {system}"),), timeout=10)
    assert reply.total == 1  # the service that names Role.SYSTEM in its ACCESS serves it


def test_no_service_declares_system_tokens_so_none_is_minted() -> None:
    """The system role acts in-process (overdue flagging carries an Actor, no token); if a service ever declares
    Role.SYSTEM, `wegwijs token` must learn to mint for it."""
    assert overdue.ACTOR.role is Role.SYSTEM
    assert not [name for name, (cls, _) in SERVICERS.items() if auth.accepts_system(cls.ACCESS)]


# --- what the issuer and `wegwijs token` refuse to mint ---------------------------------------------------------------

@pytest.mark.parametrize(("principal", "ttl", "claim"), [
    (PRINCIPAL, 12 * HOUR + 1, "exp"), (PRINCIPAL, 0, "exp"),
    (PRINCIPAL.model_copy(update={"staff_id": ""}), HOUR, "sub"),
    (PRINCIPAL.model_copy(update={"staff_id": "s" * 129}), HOUR, "sub"),
    (auth.Principal(staff_id="referral-overdue", role=Role.SYSTEM), HOUR, "role")])
def test_the_issuer_mints_nothing_the_services_refuse(keys, principal, ttl: int, claim: str) -> None:
    issuer, _ = keys
    with pytest.raises(auth.TokenRefused) as refused:
        issuer.issue(principal, ttl_seconds=ttl)
    assert refused.value.claim == claim


@pytest.fixture
def cli_keys(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WEGWIJS_JWT_PRIVATE_KEY_FILE", str(devsecrets.write(tmp_path) / "jwt-private.pem"))
    monkeypatch.setenv("COLUMNS", "200")  # one line per error, whatever the terminal


@pytest.mark.parametrize(("args", "option", "reason"), [
    (["front-office", "--municipality", "kortrijk", "--hours", "13"], "--hours", "exceeds the maximum of 43200 s"),
    (["front-office", "--hours", "0"], "--hours", "more than 0"),
    (["front-office", "--staff-id", ""], "--staff-id", "the subject is empty"),
    (["front-office", "--staff-id", "s" * 129], "--staff-id", "at most 64"),
    (["system"], "ROLE", "no service accepts system tokens")])
def test_wegwijs_token_refuses_what_services_refuse(cli_keys, args: list[str], option: str, reason: str) -> None:
    result = CliRunner().invoke(cli.app, ["token", *args])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {option}" in result.output and reason in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_wegwijs_token_follows_the_configured_maximum(cli_keys, monkeypatch) -> None:
    monkeypatch.setenv("WEGWIJS_TOKEN_MAX_LIFETIME_SECONDS", str(HOUR))
    assert CliRunner().invoke(cli.app, ["token", "policy", "--municipality", "kortrijk", "--hours", "2"]).exit_code == 2
    minted = CliRunner().invoke(cli.app, ["token", "policy", "--municipality", "kortrijk", "--hours", "1"])
    assert minted.exit_code == 0 and minted.output.count(".") == 2
