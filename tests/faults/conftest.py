"""The fault suite's system: its own Kafka and FerretDB, intake and insights as processes (mutual TLS, tokens,
suppression threshold 1), callers of two municipalities, and the table printed at the end of the session."""
from __future__ import annotations

import os
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import grpc
import pytest

from contracts.envelope import Role
from contracts.proto import insights_pb2_grpc, intake_pb2, intake_pb2_grpc
from services.plumbing import devsecrets
from tests.e2e.conftest import Tokens, client_credentials, service_env
from tests.faults import servers as stack
from tests.faults.checks import Views
from tests.faults.load import TENANTS, Caller
from tests.faults.processes import Service
from tests.faults.report import FAULT_TABLE, REPORT
from tests.faults.system import System

CALLERS_PER_MUNICIPALITY = 6  # 12 concurrent callers
LOGS = stack.ROOT / ".local" / "logs" / "faults"
# A restarted service is found again within a second: gRPC's default reconnect back-off grows to minutes.
RECONNECT = (("grpc.initial_reconnect_backoff_ms", 200), ("grpc.max_reconnect_backoff_ms", 1000))


@pytest.fixture(autouse=True)
def report_rows(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each experiment, the table so far rides on the test's report (an xdist worker's REPORT is not the
    controller's): tests/conftest.py prints the last one at the end of the session."""
    yield
    if REPORT.rows:
        request.node.user_properties.append((FAULT_TABLE, REPORT.lines()))


@pytest.fixture(scope="module")
def servers(own_stack: stack.Servers) -> stack.Servers:
    """The session's own Kafka and FerretDB (tests/conftest.py), started in the background at collection."""
    return own_stack


@pytest.fixture(scope="module")
async def system(servers: stack.Servers, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    seed = int(os.environ.get("WEGWIJS_FAULTS_SEED") or random.SystemRandom().randrange(1_000_000))
    REPORT.seed = seed
    print(f"fault suite seed {seed}")
    secrets = devsecrets.write(tmp_path_factory.mktemp("fault-secrets"))
    settings = servers.settings()
    taken: set[int] = {servers.kafka_port, servers.controller_port, servers.mongo_port}
    ports = {name: stack.quiet_port(taken) for name in ("intake", "referral", "catalogue", "insights")}
    env = {**service_env(settings, ports, secrets), "WEGWIJS_SUPPRESSION_THRESHOLD": "1",
           "WEGWIJS_LOG_LEVEL": "info", "WEGWIJS_HEALTH_PROBE_SECONDS": "1"}
    credentials = client_credentials(secrets)
    LOGS.mkdir(parents=True, exist_ok=True)
    services = {name: Service(name, ports[name], env, credentials, LOGS / f"{settings.topic_prefix}{name}.log")
                for name in ("intake", "insights")}
    tokens = Tokens(secrets)
    for service in services.values():
        service.start()
    intake_channel = grpc.aio.secure_channel(services["intake"].address, credentials, options=RECONNECT)
    insights_channel = grpc.aio.secure_channel(services["insights"].address, credentials, options=RECONNECT)
    try:
        for service in services.values():
            await service.serving()
        system = System(seed, servers, settings, services["intake"], services["insights"],
                        Views(insights_pb2_grpc.InsightsServiceStub(insights_channel),
                              {t: tokens(Role.POLICY, t) for t in TENANTS}),
                        trace=tracer(LOGS / f"{settings.topic_prefix}suite.log"))
        stub = intake_pb2_grpc.IntakeServiceStub(intake_channel)
        system.callers = {t: [Caller(stub, tokens(Role.FRONT_OFFICE, t, staff_id=f"worker-{t}-{i}"), system.ledger)
                              for i in range(CALLERS_PER_MUNICIPALITY)] for t in TENANTS}
        await open_offices(stub, tokens)
        yield system
    finally:
        await intake_channel.close()
        await insights_channel.close()
        for service in services.values():
            service.stop()


def tracer(path: Path) -> Callable[[str], None]:
    """Steps of the suite with the time, appended to `path` as they happen (pytest shows output only at the end)."""
    def trace(message: str) -> None:
        with path.open("a") as out:
            out.write(f"{time.strftime('%H:%M:%S')} {message}\n")
    return trace


async def open_offices(stub: intake_pb2_grpc.IntakeServiceStub, tokens: Tokens) -> None:
    for tenant, offices in TENANTS.items():
        metadata = (("authorization", f"Bearer {tokens(Role.FRONT_OFFICE, tenant)}"),)
        for office in offices:
            await stub.OpenOffice(intake_pb2.OpenOfficeRequest(command_id=f"open-{office}", office_id=office,
                                                               name=f"Onthaal {office}"), metadata=metadata, timeout=10)
