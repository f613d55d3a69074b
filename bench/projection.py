"""Benchmark of the insights projection against the real stack: rebuild and live throughput beside a raw baseline,
query latency per query kind, and how soon a question registered through gRPC shows in its view.

    .local/venv/bin/python bench/projection.py [--events 1000000] [--live-seconds 30] [--queries 300] [--visible 100]

In one run, on a scratch topic and database (removed at the end):
1. N synthetic QuestionRegistered v2 envelopes, serialised once and produced in batches per partition;
2. rebuild: `ProjectionRunner.catch_up` into a fresh generation (folds in memory, inserts once), then activated;
3. baseline: raw aiokafka `getmany` of the same records plus one `insert_many` of the view documents the rebuild
   produced (the least any projection must do: read every record, write the result);
4. live: a runner on another fresh generation, batch by batch as the live process runs, for --live-seconds;
5. queries: --queries calls of each InsightsService method over the rebuilt history (servicer in-process),
   reading the views every time, then with answers kept while no view changes;
6. visibility: intake and insights started as processes (TLS, tokens, as the e2e tests start them); --visible
   questions registered one after another through IntakeService, each timed from the call until the
   questions_per_theme view counts it.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import uuid_utils  # noqa: E402
from aiokafka import AIOKafkaConsumer  # noqa: E402
from aiokafka.admin import AIOKafkaAdminClient  # noqa: E402

from contracts import topics  # noqa: E402
from contracts.envelope import Role  # noqa: E402
from contracts.proto import insights_pb2  # noqa: E402
from services.client import Client  # noqa: E402
from services.insights.application.answers import Answers  # noqa: E402
from services.insights.bootstrap import App, bootstrap  # noqa: E402
from services.insights.domain import questions_per_theme as themes  # noqa: E402
from services.insights.entrypoints.grpc_api import InsightsServicer  # noqa: E402
from services.insights.tests.synthetic import CHANNELS, LANGUAGES, TENANTS, THEMES  # noqa: E402
from services.plumbing import auth, devsecrets, kafka  # noqa: E402
from services.plumbing.settings import Settings  # noqa: E402
from tests.e2e.conftest import Tokens, client_credentials, running  # noqa: E402

PARTITIONS = 3  # as kafka.ensure_topics creates them


def envelopes(count: int, seed: int = 42) -> Iterator[tuple[int, bytes, bytes]]:
    """(partition, key, serialised envelope) of `count` QuestionRegistered v2 events, one stream each, 180 days of 2026."""
    rng, start = random.Random(seed), datetime(2026, 1, 1, tzinfo=UTC)
    recorded = datetime.now(UTC).isoformat()
    for i in range(count):
        tenant = rng.choice(list(TENANTS))
        spoken = rng.sample(LANGUAGES, rng.choice((1, 1, 2)))
        payload = {"question_id": f"q-{seed}-{i}", "office_id": rng.choice(TENANTS[tenant]),
                   "client_id": f"c-{rng.randrange(10**9)}", "channel": rng.choice(CHANNELS),
                   "themes": rng.sample(THEMES, rng.choice((1, 2))), "barriers": [], "client_languages": spoken,
                   "language_used": rng.choice([*spoken, "nl", "fr"]), "interpreter_needed": rng.random() < 0.3,
                   "urgent": rng.random() < 0.1}
        occurred = (start + timedelta(hours=rng.randrange(24 * 180))).isoformat()
        envelope = {"event_id": str(uuid_utils.uuid7()), "type": "QuestionRegistered", "schema_version": 2,
                    "stream_id": f"question-{seed}-{i}", "stream_version": 1, "tenant": tenant,
                    "occurred_at": occurred, "recorded_at": recorded, "correlation_id": f"corr-{i}",
                    "causation_id": None, "actor": {"staff_id": "synthetic", "role": "front-office"},
                    "payload": payload}
        yield i % PARTITIONS, envelope["stream_id"].encode(), json.dumps(envelope, separators=(",", ":")).encode()


async def produce(settings: Settings, topic: str, count: int) -> None:
    """Produce in record batches per partition, keyed by stream id as the relay keys them (one stream per event, so any
    partition keeps stream order)."""
    producer = kafka.producer(settings, "bench")
    await producer.start()
    try:
        batches = {p: producer.create_batch() for p in range(PARTITIONS)}
        pending = []
        for partition, key, value in envelopes(count):
            if batches[partition].append(key=key, value=value, timestamp=None) is None:
                pending.append(await producer.send_batch(batches[partition], topic, partition=partition))
                batches[partition] = producer.create_batch()
                batches[partition].append(key=key, value=value, timestamp=None)
            if len(pending) >= 64:
                await asyncio.gather(*pending)
                pending.clear()
        for partition, batch in batches.items():
            if batch.record_count():
                pending.append(await producer.send_batch(batch, topic, partition=partition))
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def timed(spent: dict[str, float], name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def call(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - started
    return call


async def rebuild(app: App, batch: int) -> tuple[int, float, dict[str, float]]:
    generation = await app.generations.new()
    runner = app.runner(generation)
    runner.batch_size = batch
    spent: dict[str, float] = {}
    store = runner.store
    store.apply = timed(spent, "write views", store.apply)  # type: ignore[method-assign]
    store.remember_packed = timed(spent, "write stream positions", store.remember_packed)  # type: ignore[method-assign]
    started, cpu = time.perf_counter(), time.process_time()
    await runner.catch_up()
    seconds = time.perf_counter() - started
    spent["CPU of the consuming process"] = time.process_time() - cpu
    for i, folder_cpu in enumerate(runner.fold_cpu):
        spent[f"CPU of folder {i + 1}"] = folder_cpu
    await app.generations.activate(generation)
    return generation, seconds, spent


async def baseline(app: App, topic: str, count: int, generation: int) -> tuple[float, int]:
    store = app.generations.store(generation)
    docs = [{**d, "_id": f"{view}/{d['_id']}"} for view in app.projection.views
            async for d in store.collection(view).find({})]
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=app.settings.kafka_bootstrap, group_id=f"bench-{uuid.uuid4()}",
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                max_partition_fetch_bytes=4 * 1024 * 1024)
    started = time.perf_counter()
    await consumer.start()
    try:
        seen = 0
        while seen < count:
            batches = await consumer.getmany(timeout_ms=500, max_records=50_000)
            seen += sum(len(rs) for rs in batches.values())
    finally:
        await consumer.stop()
    await app.mongo[app.settings.database("insights")]["baseline"].insert_many(docs, ordered=False)
    return time.perf_counter() - started, len(docs)


async def live(app: App, seconds: float) -> tuple[int, float, dict[str, float]]:
    generation = await app.generations.new()
    runner = app.runner(generation)
    spent: dict[str, float] = {}
    store = runner.store
    for name in ("seen", "guards", "apply", "changed", "remember"):
        setattr(store, name, timed(spent, name, getattr(store, name)))
    task = asyncio.create_task(runner.run())
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    elapsed = time.perf_counter() - started
    await app.generations.drop(generation)
    return runner.applied, elapsed, spent


QUERIES: dict[str, Callable[[InsightsServicer], Awaitable[Any]]] = {
    "QuestionsPerTheme": lambda s: s.QuestionsPerTheme(insights_pb2.QuestionsPerThemeRequest(), None),
    "WorkloadByChannel": lambda s: s.WorkloadByChannel(insights_pb2.PeriodRequest(from_month="2026-02"), None),
    "LanguageDemand": lambda s: s.LanguageDemand(insights_pb2.PeriodRequest(to_month="2026-04"), None),
    "UnmetNeeds": lambda s: s.UnmetNeeds(insights_pb2.ThemePeriodRequest(period="quarter"), None),
    "ServiceAccess": lambda s: s.ServiceAccess(insights_pb2.GroupedPeriodRequest(), None),
    "SelfReliance": lambda s: s.SelfReliance(insights_pb2.GroupedPeriodRequest(), None),
}


async def latencies(app: App, count: int, kept: bool) -> dict[str, list[float]]:
    """Milliseconds per call of each query kind; `kept`: with the servicer's answers kept while no view changes
    (each call then reads the change count and, the views being still, is answered from memory), else every call
    reads the views (a cache that keeps nothing: the change count is read all the same)."""
    auth.bind(auth.Principal(staff_id="bench", role=Role.POLICY, municipality="kortrijk"))
    servicer = InsightsServicer(app.generations, app.settings.suppression_threshold, Answers(512 if kept else 0))
    out: dict[str, list[float]] = {name: [] for name in QUERIES}
    for i in range(count * len(QUERIES)):
        name = list(QUERIES)[i % len(QUERIES)]
        started = time.perf_counter()
        await QUERIES[name](servicer)
        out[name].append((time.perf_counter() - started) * 1000)
    return out


async def visibility(app: App, settings: Settings, count: int) -> list[float]:
    """Seconds from each RegisterQuestion call until the active questions_per_theme view counts the question."""
    secrets = devsecrets.write(Path(tempfile.mkdtemp(prefix="bench-secrets-")))
    token = Tokens(secrets)(Role.FRONT_OFFICE, "kortrijk")
    month = themes.month_of(datetime.now(UTC))
    views = await app.generations.current()

    async def counted() -> int:
        match = {"tenant": "kortrijk", "month": month, "theme": themes.ALL_THEMES}
        return sum([d["questions"] async for d in views.documents(themes.VIEW, match, ("questions",))])

    out = []
    async with running(("intake", "insights"), settings, secrets, "bench-projection") as ports:
        client = Client(f"127.0.0.1:{ports['intake']}", f"127.0.0.1:{ports['insights']}", token,
                        client_credentials(secrets))
        try:
            before = await counted()
            for i in range(count):
                started = time.perf_counter()
                await client.register_question(office_id="huis-van-de-kortrijkzaan", channel="whatsapp",
                                               themes=["housing"], client_languages=["ar"], language_used="ar")
                while await counted() < before + i + 1:
                    if time.perf_counter() - started > 30:
                        raise RuntimeError("a registered question did not show in its view within 30 s")
                    await asyncio.sleep(0.01)
                out.append(time.perf_counter() - started)
                await asyncio.sleep(0.05)
        finally:
            await client.close()
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))]


async def main(args: argparse.Namespace) -> None:
    tag = uuid.uuid4().hex[:8]
    settings = Settings(topic_prefix=f"bench{tag}.", db_prefix=f"bench{tag}_")
    app = await bootstrap(settings)
    topic = settings.topic(topics.INTAKE_QUESTIONS)
    n = args.events
    try:
        t = time.perf_counter()
        await produce(settings, topic, n)
        print(f"generated and produced {n:,} events in {time.perf_counter() - t:.1f} s")

        generation, rebuilt, spent = await rebuild(app, args.rebuild_batch)
        seen = await app.generations.store(generation).count_positions()
        base, docs = await baseline(app, topic, n, generation)
        print(f"baseline (getmany + one insert_many of the {docs:,} view documents): {n / base:,.0f} events/s")
        print(f"rebuild  (catch_up into a fresh generation, batch {args.rebuild_batch:,}): {n / rebuilt:,.0f} events/s "
              f"= {base / rebuilt:.0%} of baseline (goal >= 50%); wall {rebuilt:.1f} s (goal < 60 s for 1M); of which "
              + ", ".join(f"{k} {v:.1f} s" for k, v in spent.items()) + f" ({seen:,} stream positions)")
        worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux; the fold workers
        print(f"         peak memory of the largest fold worker {worker_rss:,.0f} MiB (what a rebuild's host must hold "
              f"per worker, with the consuming process's batches in flight)")
        applied, seconds, spent = await live(app, args.live_seconds)
        print(f"live     (ProjectionRunner.run, batch {settings.consumer_batch_size:,}, {seconds:.0f} s from the "
              f"beginning): {applied / seconds:,.0f} events/s = {applied / seconds * base / n:.0%} of baseline "
              f"({applied:,} applied); store calls: " + ", ".join(f"{k} {v:.1f} s" for k, v in spent.items()))
        for kept in (False, True):
            for name, lat in (await latencies(app, args.queries, kept)).items():
                print(f"query    {name:<18} {'kept answers' if kept else 'read views  '} ({args.queries} calls, "
                      f"in-process servicer): p50 {statistics.median(lat):6.1f} ms, p99 {pct(lat, 0.99):6.1f} ms "
                      f"(goal p99 < 20 ms)")
        if args.visible:
            seconds_to_view = await visibility(app, settings, args.visible)
            print(f"visible  (RegisterQuestion over gRPC → questions_per_theme, intake + insights as processes, "
                  f"{args.visible} questions): p50 {statistics.median(seconds_to_view) * 1000:.0f} ms, "
                  f"p95 {pct(seconds_to_view, 0.95) * 1000:.0f} ms, max {max(seconds_to_view) * 1000:.0f} ms "
                  f"(goal p95 < 1 s)")
    finally:
        for service in ("insights", "intake"):
            await app.mongo.drop_database(settings.database(service))
        await app.mongo.close()
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
        await admin.start()
        try:
            await admin.delete_topics([t for t in await admin.list_topics() if t.startswith(settings.topic_prefix)])
        finally:
            await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rebuild-batch", type=int, default=5_000)
    parser.add_argument("--live-seconds", type=float, default=30.0)
    parser.add_argument("--queries", type=int, default=300, help="calls per query kind")
    parser.add_argument("--visible", type=int, default=100, help="questions registered through gRPC (0: skip)")
    asyncio.run(main(parser.parse_args()))
