"""Benchmark of the insights projection against the real stack: live and rebuild throughput, query latency.

    .local/venv/bin/python bench/projection.py [--events 200000] [--rebuild-batch 50000] [--queries 1000]

Produces N synthetic QuestionRegistered events to a scratch topic, then measures in the same run:
- baseline: raw aiokafka `getmany` of all records, plus one `insert_many` of the documents they fold into;
- rebuild: a ProjectionRunner of a fresh generation from the earliest offsets (`catch_up`), large batches;
- live: a ProjectionRunner with the live batch size, for at most --live-seconds;
- query latency p50/p99 over --queries calls of the three InsightsService methods (servicer in-process).
Scratch topic and database are removed at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiokafka import AIOKafkaConsumer  # noqa: E402
from aiokafka.admin import AIOKafkaAdminClient  # noqa: E402

from contracts import topics  # noqa: E402
from contracts.envelope import Role  # noqa: E402
from contracts.proto import insights_pb2  # noqa: E402
from services.insights.bootstrap import App, bootstrap  # noqa: E402
from services.insights.entrypoints.grpc_api import InsightsServicer  # noqa: E402
from services.insights.tests.synthetic import expected, questions  # noqa: E402
from services.plumbing import auth, kafka  # noqa: E402
from services.plumbing.settings import Settings  # noqa: E402


async def produce(settings: Settings, topic: str, events: list) -> float:
    producer = kafka.producer(settings, "bench")
    await producer.start()
    started = time.perf_counter()
    try:
        for start in range(0, len(events), 20_000):
            futures = [await producer.send(topic, e.to_bytes(), key=e.stream_id.encode())
                       for e in events[start:start + 20_000]]
            await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return time.perf_counter() - started


async def baseline(app: App, topic: str, count: int, docs: list[dict]) -> float:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=app.settings.kafka_bootstrap, group_id=f"bench-{uuid.uuid4()}",
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                max_partition_fetch_bytes=8 * 1024 * 1024)
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
    return time.perf_counter() - started


async def rebuild(app: App, batch: int) -> float:
    generation = await app.generations.new()
    runner = app.runner(generation)
    runner.batch_size = batch
    started = time.perf_counter()
    await runner.catch_up()
    return time.perf_counter() - started


async def live(app: App, seconds: float) -> tuple[int, float]:
    runner = app.runner(await app.generations.active(fresh=True))
    task = asyncio.create_task(runner.run())
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return runner.applied, time.perf_counter() - started


async def latencies(app: App, count: int) -> list[float]:
    auth.bind(auth.Principal(staff_id="bench", role=Role.POLICY, municipality="kortrijk"))
    servicer = InsightsServicer(app.generations, app.settings.suppression_threshold)
    calls = [lambda: servicer.QuestionsPerTheme(insights_pb2.QuestionsPerThemeRequest(), None),
             lambda: servicer.WorkloadByChannel(insights_pb2.PeriodRequest(from_month="2026-02"), None),
             lambda: servicer.LanguageDemand(insights_pb2.PeriodRequest(to_month="2026-04"), None)]
    out = []
    for i in range(count):
        started = time.perf_counter()
        await calls[i % 3]()
        out.append((time.perf_counter() - started) * 1000)
    return out


def documents(app: App, events: list) -> list[dict]:
    docs: dict[tuple, dict] = {}
    for (view, key, name), n in expected(app.projection, events).items():
        docs.setdefault((view, key), {"_id": f"{view}|{key}", **dict(key)})[name] = n
    return list(docs.values())


async def main(args: argparse.Namespace) -> None:
    tag = uuid.uuid4().hex[:8]
    settings = Settings(topic_prefix=f"bench{tag}.", db_prefix=f"bench{tag}_")
    app = await bootstrap(settings)
    topic = settings.topic(topics.INTAKE_QUESTIONS)
    try:
        t = time.perf_counter()
        events = questions(args.events, seed=42)
        print(f"generated {len(events):,} events in {time.perf_counter() - t:.1f} s; "
              f"produced in {await produce(settings, topic, events):.1f} s")
        docs = documents(app, events)
        base = await baseline(app, topic, len(events), docs)
        print(f"baseline (getmany + one insert_many of {len(docs)} documents): {len(events) / base:,.0f} events/s")
        rebuilt = await rebuild(app, args.rebuild_batch)
        print(f"rebuild  (ProjectionRunner.catch_up, batch {args.rebuild_batch:,}): {len(events) / rebuilt:,.0f} "
              f"events/s = {base / rebuilt:.0%} of baseline (goal >= 50%)")
        applied, seconds = await live(app, args.live_seconds)
        print(f"live     (ProjectionRunner.run, batch {settings.consumer_batch_size:,}, {seconds:.0f} s): "
              f"{applied / seconds:,.0f} events/s ({applied:,} applied)")
        lat = sorted(await latencies(app, args.queries))
        p50, p99 = statistics.median(lat), lat[int(len(lat) * 0.99) - 1]
        print(f"queries  ({args.queries} over 3 methods, in-process servicer): p50 {p50:.1f} ms, p99 {p99:.1f} ms "
              f"(goal p99 < 20 ms)")
    finally:
        await app.mongo.drop_database(settings.database("insights"))
        await app.mongo.close()
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
        await admin.start()
        try:
            await admin.delete_topics([topic])
        finally:
            await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rebuild-batch", type=int, default=50_000)
    parser.add_argument("--live-seconds", type=float, default=60.0)
    parser.add_argument("--queries", type=int, default=1000)
    asyncio.run(main(parser.parse_args()))
