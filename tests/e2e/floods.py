"""Floods of oversized requests at every service beside a health probe of each: what bench/bounded.py measures and
tests/e2e/test_bounded_services.py checks.

The floods are sent from a process of their own (so the probe's latency is the services', not the flooding client's),
each request serialised once and sent again as bytes. Every flood is one service's largest request with a list field
of 50,000 items (insights has no list field in any request: its flood is UnmetNeeds with a 1.4 MB month), and for the
catalogue also an import of 100,000 objects.
"""
from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from contracts.envelope import Role
from contracts.proto import catalogue_pb2, insights_pb2, intake_pb2, referral_pb2
from services.client import channel, tls

CHECK_TIMEOUT = 5.0
FAILED: list[str] = []  # the health checks not answered SERVING, with why


@dataclass(frozen=True)
class Flood:
    service: str
    method: str  # full gRPC path
    payload: bytes
    role: Role
    field: str  # the field the refusal must name


def floods() -> list[Flood]:
    many = 50_000
    return [
        Flood("catalogue", "/wegwijs.catalogue.v1.CatalogueService/ImportHsds", catalogue_pb2.ImportHsdsRequest(
            command_id=uuid.uuid4().hex, tenant="kortrijk", document=json.dumps([{}] * 100_000)).SerializeToString(),
            Role.CATALOGUE_ADMIN, "document"),
        Flood("catalogue", "/wegwijs.catalogue.v1.CatalogueService/RegisterService",
              catalogue_pb2.RegisterServiceRequest(command_id=uuid.uuid4().hex, tenant="kortrijk", service=(
                  catalogue_pb2.Service(name="Taalcafé", status="active", languages=["nl"] * many))
              ).SerializeToString(), Role.CATALOGUE_ADMIN, "service.languages"),
        Flood("intake", "/wegwijs.intake.v1.IntakeService/RegisterQuestion", intake_pb2.RegisterQuestionRequest(
            command_id=uuid.uuid4().hex, office_id="huis-van-de-kortrijkzaan", channel="whatsapp",
            themes=["housing"] * many, client_languages=["ar"], language_used="ar").SerializeToString(),
            Role.FRONT_OFFICE, "themes"),
        Flood("referral", "/wegwijs.referral.v1.ReferralService/ReferToService", referral_pb2.ReferToServiceRequest(
            command_id=uuid.uuid4().hex, question_id="q-1", service_id="svc-1", mode="information",
            themes=["housing"] * many).SerializeToString(), Role.FRONT_OFFICE, "themes"),
        Flood("insights", "/wegwijs.insights.v1.InsightsService/UnmetNeeds", insights_pb2.ThemePeriodRequest(
            from_month="2026-03" * 200_000).SerializeToString(), Role.POLICY, "from_month"),
    ]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(latencies: list[float]) -> str:
    return (f"p50 {percentile(latencies, 50) * 1000:6.1f} ms, p99 {percentile(latencies, 99) * 1000:6.1f} ms, "
            f"max {max(latencies) * 1000:6.1f} ms ({len(latencies):,} checks)")


async def probe(addresses: list[str], credentials: grpc.ChannelCredentials, seconds: float,
                every: float = 0.01) -> list[tuple[str, float]]:
    """Health.Check of each service in turn every `every` s for `seconds`: the latency of each answer (SERVING or
    NOT_SERVING, when the shared Kafka or FerretDB is down for a while); a check not answered counts as its timeout."""
    channels = [channel(a, credentials) for a in addresses]
    stubs = [health_pb2_grpc.HealthStub(ch) for ch in channels]
    latencies: list[tuple[str, float]] = []  # (address, seconds)
    end = time.perf_counter() + seconds
    try:
        while time.perf_counter() < end:
            for stub in stubs:
                started = time.perf_counter()
                try:
                    reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=CHECK_TIMEOUT)
                    failed = "" if reply.status == health_pb2.HealthCheckResponse.SERVING else "NOT_SERVING"
                except grpc.aio.AioRpcError as exc:
                    failed = exc.code().name
                answered = failed in ("", "NOT_SERVING")  # NOT_SERVING is an answer: a dependency is down
                latencies.append((addresses[stubs.index(stub)],
                                  time.perf_counter() - started if answered else CHECK_TIMEOUT))
                if failed:
                    FAILED.append(f"{addresses[stubs.index(stub)]} {failed} after {time.perf_counter() - started:.2f} s")
            await asyncio.sleep(every)
    finally:
        for ch in channels:
            await ch.close()
    return latencies


Answer = tuple[str, str, float]  # status code, message, seconds to the answer


async def _send(ch: grpc.aio.Channel, flood: Flood, token: str, seconds: float) -> list[Answer]:
    call = ch.unary_unary(flood.method, request_serializer=lambda b: b, response_deserializer=lambda b: b)
    answers: list[Answer] = []
    end = time.perf_counter() + seconds
    while (started := time.perf_counter()) < end:
        try:
            await call(flood.payload, metadata=(("authorization", f"Bearer {token}"),), timeout=30)
            answers.append(("OK", "", time.perf_counter() - started))
        except grpc.aio.AioRpcError as exc:
            answers.append((exc.code().name, exc.details() or "", time.perf_counter() - started))
    return answers


async def _flood_all(ports: dict[str, int], secrets: Path, tokens: dict[str, str], seconds: float,
                     senders: int) -> dict[str, list[Answer]]:
    credentials = tls(*((secrets / f).read_bytes() for f in ("ca.pem", "client.pem", "client-key.pem")))
    work = floods()
    channels = {name: channel(f"127.0.0.1:{port}", credentials) for name, port in ports.items()}
    try:
        results = await asyncio.gather(*(_send(channels[f.service], f, tokens[f.role.value], seconds)
                                         for f in work for _ in range(senders)))
    finally:
        for ch in channels.values():
            await ch.close()
    out: dict[str, list[Answer]] = {}
    for i, f in enumerate(work):
        out[f.method] = [a for r in results[i * senders:(i + 1) * senders] for a in r]
    return out


def _flood_process(ports: dict[str, int], secrets: Path, tokens: dict[str, str], seconds: float, senders: int,
                   results: multiprocessing.Queue) -> None:
    results.put(asyncio.run(_flood_all(ports, secrets, tokens, seconds, senders)))


@dataclass
class Run:
    idle: list[float]
    loaded: list[float]
    loaded_by: dict[str, list[float]]  # per service
    answers: dict[str, list[Answer]]


async def measure(ports: dict[str, int], secrets: Path, tokens: dict[str, str], seconds: float,
                  senders: int = 2) -> Run:
    """Health latency with no load, then during the floods (sent from a child process), and the floods' answers."""
    credentials = tls(*((secrets / f).read_bytes() for f in ("ca.pem", "client.pem", "client-key.pem")))
    addresses = [f"127.0.0.1:{p}" for p in ports.values()]
    idle = [s for _, s in await probe(addresses, credentials, seconds / 2)]
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue = context.Queue()
    flooder = context.Process(target=_flood_process, args=(ports, secrets, tokens, seconds, senders, results))
    flooder.start()
    try:
        await asyncio.sleep(1.0)  # the child imports and serialises its requests first
        checks = await probe(addresses, credentials, seconds - 1.0)
        answers = await asyncio.to_thread(results.get, True, seconds + 120)
    finally:
        flooder.join(10)
        if flooder.is_alive():
            flooder.kill()
    names = {f"127.0.0.1:{p}": name for name, p in ports.items()}
    by: dict[str, list[float]] = {name: [] for name in ports}
    for address, took in checks:
        by[names[address]].append(took)
    return Run(idle, [s for _, s in checks], by, answers)


def refused_well(run: Run) -> list[str]:
    """What is wrong with the floods' answers: each must be INVALID_ARGUMENT naming its field, in a short message."""
    wrong = []
    for f in floods():
        answers = run.answers[f.method]
        if not answers:
            wrong.append(f"{f.method}: no answer")
        for code, details, _ in answers:
            if code != "INVALID_ARGUMENT" or not details.startswith(f"{f.field}: ") or len(details) > 2000:
                wrong.append(f"{f.method}: {code} {details[:120]!r}")
                break
    return wrong
