"""Benchmark: RegisterQuestion over gRPC (mutual TLS, bearer token) against the real stack, beside a baseline.

Starts intake as a subprocess with its own topic and database prefixes, then measures
  1. steady load: a fixed rate (default 300 commands/s) for a fixed time, open loop: latency counts from the moment
     each command was due, so a stalled server cannot hide its queue;
  2. saturation: N concurrent callers, each sending its next command as soon as the last one is answered.
The baseline does the same number of operations at the same rate / concurrency as a raw MongoDB `insert_one` of an
equivalent commit document (one QuestionRegistered envelope) into a scratch collection.

Run: .local/venv/bin/python bench/register_question.py [--rate 300] [--seconds 10] [--concurrency 32]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from pymongo import AsyncMongoClient

from contracts.envelope import Actor, Role
from contracts.events.intake import QuestionRegistered
from contracts.proto import intake_pb2
from services.client import Client, tls
from services.plumbing import devsecrets
from services.plumbing.auth import Principal, TokenIssuer, load_private
from services.plumbing.eventstore import Commit
from services.plumbing.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
Op = Callable[[], Awaitable[object]]
FIRST_ERRORS: list[str] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request() -> intake_pb2.RegisterQuestionRequest:
    return intake_pb2.RegisterQuestionRequest(
        command_id=uuid.uuid4().hex, office_id="huis-van-de-kortrijkzaan", channel="whatsapp",
        themes=["housing", "letters"], barriers=["language"], client_languages=["ar", "fr"], language_used="ar")


def commit_document() -> dict:
    """What the event store writes for one RegisterQuestion: one commit document with one envelope."""
    event = QuestionRegistered(question_id=f"q-{uuid.uuid4()}", office_id="huis-van-de-kortrijkzaan",
                               client_id=f"c-{uuid.uuid4()}", channel="whatsapp", themes=("housing", "letters"),
                               barriers=("language",), client_languages=("ar", "fr"), language_used="ar")
    commit = Commit.of([event], stream_id=event.question_id, first_version=1, tenant="kortrijk",
                       actor=Actor(staff_id="s-bench", role=Role.FRONT_OFFICE), command_id=uuid.uuid4().hex,
                       correlation_id=uuid.uuid4().hex, occurred_at=datetime.now(UTC),
                       result={"question_id": event.question_id, "client_id": event.client_id, "stream_version": 1})
    doc = commit.model_dump(mode="json", exclude={"commit_id"})
    return {**doc, "_id": commit.commit_id}


async def steady(op: Op, rate: float, seconds: float) -> tuple[float, list[float], int]:
    """Open loop at `rate`/s; latency from the due time. Returns (achieved ops/s, latencies in ms, errors)."""
    latencies, errors, tasks = [], 0, []
    start = time.perf_counter()

    async def one(due: float) -> None:
        nonlocal errors
        try:
            await op()
            latencies.append((time.perf_counter() - due) * 1000)
        except Exception as exc:  # counted, not fatal: a benchmark reports failures
            errors += 1
            FIRST_ERRORS.append(repr(exc)[:300])
    for i in range(int(rate * seconds)):
        due = start + i / rate
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    return len(latencies) / (time.perf_counter() - start), latencies, errors


async def saturate(op: Op, concurrency: int, total: int, limit: float = 60) -> tuple[float, list[float], int]:
    """Closed loop: `concurrency` callers share `total` operations; stops after `limit` seconds whatever is left."""
    latencies, errors, left = [], 0, total
    stop_at = time.perf_counter() + limit

    async def caller() -> None:
        nonlocal errors, left
        while left > 0 and time.perf_counter() < stop_at:
            left -= 1
            t0 = time.perf_counter()
            try:
                await op()
                latencies.append((time.perf_counter() - t0) * 1000)
            except Exception as exc:  # counted, not fatal
                errors += 1
                FIRST_ERRORS.append(repr(exc)[:300])
    start = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return len(latencies) / (time.perf_counter() - start), latencies, errors


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=1000)[int(p * 10) - 1] if len(values) > 1 else float("nan")


def row(name: str, result: tuple[float, list[float], int]) -> str:
    rate, lat, errors = result
    return f"  {name:<34} {rate:>9.0f} {pct(lat, 50):>9.2f} {pct(lat, 99):>9.2f} {errors:>7}"


def start_intake(settings: Settings, port: int, secrets: Path, log: Path, kafka: str) -> subprocess.Popen:
    env = {**os.environ, "WEGWIJS_JWT_PUBLIC_KEY_FILE": str(secrets / "jwt-public.pem"),
           "WEGWIJS_TLS_CERT_FILE": str(secrets / "server.pem"),
           "WEGWIJS_TLS_KEY_FILE": str(secrets / "server-key.pem"),
           "WEGWIJS_TLS_CLIENT_CA_FILE": str(secrets / "ca.pem"), "WEGWIJS_TOPIC_PREFIX": settings.topic_prefix,
           "WEGWIJS_KEK_KEYRING_FILE": str(secrets / devsecrets.KEYRING),
           "WEGWIJS_DB_PREFIX": settings.db_prefix, "WEGWIJS_INTAKE_PORT": str(port), "WEGWIJS_LOG_JSON": "true",
           "WEGWIJS_LOG_LEVEL": "warning", "WEGWIJS_KAFKA_BOOTSTRAP": kafka}
    return subprocess.Popen([sys.executable, "-m", "services.intake"], cwd=ROOT, env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)


async def main(args: argparse.Namespace) -> None:
    tag = uuid.uuid4().hex[:8]
    settings = Settings().model_copy(update={"topic_prefix": f"bench{tag}.", "db_prefix": f"bench{tag}_"})
    tmp = Path(tempfile.mkdtemp(prefix="wegwijs-bench-"))
    secrets, port = devsecrets.write(tmp), free_port()
    kafka = f"127.0.0.1:{free_port()}" if args.without_relay else settings.kafka_bootstrap
    proc = start_intake(settings, port, secrets, tmp / "intake.log", kafka)
    token = TokenIssuer(load_private((secrets / "jwt-private.pem").read_bytes())).issue(
        Principal(staff_id="s-bench", role=Role.FRONT_OFFICE, municipality="kortrijk"))
    creds = tls(*((secrets / f).read_bytes() for f in ("ca.pem", "client.pem", "client-key.pem")))
    client = Client(f"127.0.0.1:{port}", f"127.0.0.1:{port}", token, creds)
    mongo: AsyncMongoClient = AsyncMongoClient(settings.mongo_url)
    scratch = mongo[f"bench{tag}_scratch"]["commits"]
    try:
        for _ in range(150):
            if proc.poll() is not None:
                raise SystemExit(f"intake exited at start; see {tmp / 'intake.log'}")
            if await client.healthy():
                break
            await asyncio.sleep(0.2)
        await client.intake_call("OpenOffice", office_id="huis-van-de-kortrijkzaan", name="Huis")  # questions need it

        async def grpc_op() -> object:
            return await client.intake.RegisterQuestion(request(), metadata=client.metadata, timeout=5)

        async def mongo_op() -> object:
            return await scratch.insert_one(commit_document())

        await saturate(grpc_op, 8, 300)  # warm up: connections, indexes, caches
        await saturate(mongo_op, 8, 300)
        n = int(args.rate * args.seconds)
        print(f"\nRegisterQuestion over gRPC (mTLS, token) vs raw MongoDB insert_one; {n} ops per run; "
              f"{os.cpu_count()} CPUs, everything co-located{'; relay OFF' if args.without_relay else ''}")
        print(f"  {'run':<34} {'ops/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}", flush=True)
        rate, seconds, callers = args.rate, args.seconds, args.concurrency
        runs = [("steady", f"RegisterQuestion @ {rate:.0f}/s", lambda: steady(grpc_op, rate, seconds)),
                ("steady", f"baseline insert_one @ {rate:.0f}/s", lambda: steady(mongo_op, rate, seconds)),
                ("saturation", f"RegisterQuestion x{callers}", lambda: saturate(grpc_op, callers, n)),
                ("saturation", f"baseline insert_one x{callers}", lambda: saturate(mongo_op, callers, n))]
        results = []
        for phase, name, run in runs:
            results.append(await run())
            print(row(f"{phase}: {name}", results[-1]), flush=True)
        _, lat, _ = results[0]
        verdict = "met" if pct(lat, 99) < 10 else "NOT met"
        if FIRST_ERRORS:
            print(f"\n  {len(FIRST_ERRORS)} errors; the first: {FIRST_ERRORS[0]}")
        print(f"\n  goal p99 < 10 ms at {args.rate:.0f}/s: {verdict} (p99 {pct(lat, 99):.2f} ms)")
    finally:
        await client.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        for name in (f"bench{tag}_scratch", settings.database("intake")):
            await mongo.drop_database(name)
        await mongo.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=300, help="steady load, commands per second")
    parser.add_argument("--seconds", type=float, default=10, help="duration of the steady run")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent callers at saturation")
    parser.add_argument("--without-relay", action="store_true",
                        help="diagnosis: point the relay at a closed port, so Kafka publishing costs nothing")
    asyncio.run(main(parser.parse_args()))
