"""Runs intake and insights as real processes against the real stack, with names no other test uses."""
from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from contracts.envelope import Role
from services.client import Client, channel, tls
from services.plumbing import devsecrets
from services.plumbing.auth import Principal, TokenIssuer, load_private
from services.plumbing.settings import Settings
from tests.e2e import scan
from tests.faults.servers import Servers

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / ".local" / "logs" / "e2e"


# Personal data the e2e tests type in (all synthetic): none of it may ever reach a log line.
PERSONAL = [re.compile(p) for p in (r"\+32 ?4\d\d", r"[\w.-]+@example\.org", r"Amina", r"Doorniksewijk")]


@pytest.fixture(scope="session", autouse=True)
def logs_carry_no_token_and_no_personal_field(token: Tokens) -> Iterator[None]:
    """Over the whole e2e session: every service log line is free of issued tokens and of the personal data used."""
    started = time.time()
    yield
    leaks = []
    for path in LOGS.glob("*.log"):
        if path.stat().st_mtime < started:
            continue
        for line in path.read_text(errors="replace").splitlines():
            if any(t in line for t in token.issued) or "Bearer " in line or any(p.search(line) for p in PERSONAL):
                leaks.append(f"{path.name}: {line[:200]}")
    assert not leaks, "\n".join(leaks[:5])


SESSION: list[Settings] = []  # the settings (topic and database prefixes) every e2e test of this session used


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The root conftest's unique names, remembered for the scan at the end of the session."""
    SESSION.append(settings)
    return settings


@pytest.fixture(scope="session", autouse=True)
def stores_carry_no_planted_detail() -> Iterator[None]:
    """After the whole e2e session: no Kafka topic and no database of any of its tests holds a detail the tests
    typed in (tests/e2e/scan.py: PLANTED) in plaintext — sealed fields hold ciphertext, screened ones refused it."""
    yield
    if not SESSION:
        return
    prefixes = ({s.topic_prefix for s in SESSION}, {s.db_prefix for s in SESSION})
    found, places = asyncio.run(scan.scan(SESSION[0], *prefixes))
    assert places, "the scan found no topic and no database of the session"
    assert not found, "planted personal data in plaintext:\n" + "\n".join(found[:10])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A token key pair, a CA and TLS certificates made for this test session."""
    return devsecrets.write(tmp_path_factory.mktemp("secrets"))


class Tokens:
    def __init__(self, secrets: Path) -> None:
        self.issuer = TokenIssuer(load_private((secrets / "jwt-private.pem").read_bytes()))
        self.issued: list[str] = []

    def __call__(self, role: Role | str, municipality: str | None = None, partner: str | None = None,
                 staff_id: str = "staff-e2e") -> str:
        token = self.issuer.issue(Principal(staff_id=staff_id, role=Role(role), municipality=municipality,
                                            partner=partner))
        self.issued.append(token)
        return token


@pytest.fixture(scope="session")
def token(secrets: Path) -> Tokens:
    """Issues tokens: token(role, municipality=None, partner=None)."""
    return Tokens(secrets)


SERVICES = ("intake", "referral", "catalogue", "insights")


def service_env(settings: Settings, ports: dict[str, int], secrets: Path) -> dict[str, str]:
    """The services' environment: unique names, every service's port, the token key, intake's KEK, mutual TLS on."""
    tls_env = {"WEGWIJS_JWT_PUBLIC_KEY_FILE": secrets / "jwt-public.pem", "WEGWIJS_TLS_CERT_FILE": secrets / "server.pem",
               "WEGWIJS_TLS_KEY_FILE": secrets / "server-key.pem", "WEGWIJS_TLS_CLIENT_CA_FILE": secrets / "ca.pem",
               "WEGWIJS_KEK_KEYRING_FILE": secrets / devsecrets.KEYRING,
               "WEGWIJS_REFERRAL_PARTNER_SECRET_FILE": secrets / devsecrets.PARTNER_SECRET}
    return {**os.environ, **{k: str(v) for k, v in tls_env.items()},
            **{f"WEGWIJS_{name.upper()}_PORT": str(port) for name, port in ports.items()},
            "WEGWIJS_TOPIC_PREFIX": settings.topic_prefix, "WEGWIJS_DB_PREFIX": settings.db_prefix,
            "WEGWIJS_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "WEGWIJS_MONGO_URL": settings.mongo_url,
            "WEGWIJS_LOG_JSON": "true", "WEGWIJS_LOG_LEVEL": "debug"}


def client_credentials(secrets: Path) -> grpc.ChannelCredentials:
    return tls(*((secrets / f).read_bytes() for f in ("ca.pem", "client.pem", "client-key.pem")))


@asynccontextmanager
async def running(names: tuple[str, ...], settings: Settings, secrets: Path,
                  test: str) -> AsyncIterator[dict[str, int]]:
    """Start `names` as processes (logs in .local/logs/e2e), wait until each reports SERVING, stop them after."""
    ports = {name: free_port() for name in SERVICES}
    env = service_env(settings, ports, secrets)
    LOGS.mkdir(parents=True, exist_ok=True)
    procs = []
    for name in names:
        log = open(LOGS / f"{test}.{name}.log", "w")  # noqa: SIM115 (closed with the process)
        procs.append((subprocess.Popen([sys.executable, "-m", f"services.{name}"], cwd=ROOT, stdout=log,
                                       stderr=subprocess.STDOUT, env=env), log))
    try:
        for name in names:
            await _serving(f"127.0.0.1:{ports[name]}", client_credentials(secrets), procs)
        if "intake" in names:
            await _open_office(f"127.0.0.1:{ports['intake']}", secrets)
        yield ports
    finally:
        for proc, _ in procs:
            proc.send_signal(signal.SIGTERM)
        for proc, log in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()


HUIS = "huis-van-de-kortrijkzaan"
OPENING = f"e2e-open-{HUIS}"  # a test opening Huis again with this command id gets the first answer


async def _open_office(address: str, secrets: Path) -> None:
    """The Kortrijk office the tests register their questions at (a question needs an open office of its
    municipality)."""
    client = Client(address, address, Tokens(secrets)(Role.FRONT_OFFICE, "kortrijk"), client_credentials(secrets))
    try:
        await client.intake_call("OpenOffice", command_id=OPENING, office_id=HUIS, name="Huis van de Kortrijkzaan")
    finally:
        await client.close()


async def _serving(address: str, credentials: grpc.ChannelCredentials, procs: list) -> None:
    async with channel(address, credentials) as ch:
        for _ in range(150):
            try:
                reply = await health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            if any(p.poll() is not None for p, _ in procs):
                pytest.fail(f"a service exited at start; see {LOGS}")
            await asyncio.sleep(0.2)
    pytest.fail(f"{address} not healthy within 30 s; see {LOGS}")


@pytest.fixture
async def system(settings: Settings, request: pytest.FixtureRequest, secrets: Path,
                 token: Tokens) -> AsyncIterator[Client]:
    """Intake and insights as processes, with TLS; the client acts as a Kortrijk front-office worker."""
    async with _system(settings, request, secrets, token) as client:
        yield client


@pytest.fixture
async def own_system(own_stack: Servers, request: pytest.FixtureRequest, secrets: Path,
                     token: Tokens) -> AsyncIterator[Client]:
    """As `system`, on the session's own Kafka and FerretDB (tests/conftest.py), for a test that stops one of them.
    Its names are not in SESSION: the scan at the end reads the shared stack."""
    async with _system(own_stack.settings(), request, secrets, token) as client:
        yield client


@asynccontextmanager
async def _system(settings: Settings, request: pytest.FixtureRequest, secrets: Path,
                  token: Tokens) -> AsyncIterator[Client]:
    async with running(("intake", "insights"), settings, secrets, request.node.name) as ports:
        client = Client(f"127.0.0.1:{ports['intake']}", f"127.0.0.1:{ports['insights']}",
                        token(Role.FRONT_OFFICE, "kortrijk"), client_credentials(secrets))
        client.ports = ports  # type: ignore[attr-defined]
        client.logs = [LOGS / f"{request.node.name}.{name}.log" for name in ("intake", "insights")]  # type: ignore[attr-defined]
        try:
            yield client
        finally:
            await client.close()
