"""Benchmark: the front office's list of today's questions at an office as the municipality's history grows, read
the way intake reads it now (`question_lists`, `_id` lookups alone) beside the filter on office and day it used
before (FerretDB 1.x reads every question of the collection for it), on a scratch database of the real FerretDB.

For each size N: N question views of one municipality (2 offices, 20 questions a day, spread over the days before
today) are inserted, listed as intake lists the questions stored before its lists existed (`create_indexes`), and
then `--reads` times each: the filter (`find({tenant, office_id, day}).sort(_id)`) and `of_office`. A new
question's write (`put`, version 1: two list entries and its document) is timed beside a bare `insert_one` of such a
document into the same collection (the write of a new question before the lists).

Run: .local/venv/bin/python bench/question_lists.py [--sizes 1000,5000,20000] [--reads 30] [--mongo URL]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient

from services.intake.adapters.mongo import MongoQuestionViews
from services.plumbing.settings import Settings

PER_DAY, OFFICES, TENANT = 20, ("huis", "buurtpunt"), "kortrijk"


def view(n: int, day: str, office: str) -> dict[str, Any]:
    return {"_id": f"q-{n:07d}", "tenant": TENANT,
            "version": 1, "status": "open", "office_id": office, "client_id": f"c-{n % 997}", "themes": ["housing"],
            "barriers": [], "outcome": None, "channel": "walk-in", "urgent": False,
            "registered_at": f"{day}T10:00:00+00:00", "day": day}


def history(size: int) -> list[dict[str, Any]]:
    today = date.today()
    return [view(n, (today - timedelta(days=n // (PER_DAY * len(OFFICES)))).isoformat(), OFFICES[n % len(OFFICES)])
            for n in range(size)]


async def timed(call: Callable[[], Awaitable[Any]], rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


async def one_size(client: AsyncMongoClient[dict[str, Any]], size: int, reads: int) -> None:
    database = f"bench_lists_{uuid.uuid4().hex[:8]}"
    try:
        docs = history(size)
        for start in range(0, size, 1000):
            await client[database]["question_views"].insert_many(docs[start:start + 1000])
        started = time.perf_counter()
        views = MongoQuestionViews(client, database)
        await views.create_indexes()
        listing = time.perf_counter() - started
        day, office = docs[0]["day"], OFFICES[0]
        collection = client[database]["question_views"]

        async def filtered() -> list[dict[str, Any]]:
            query = {"tenant": TENANT, "office_id": office, "day": day}
            return await collection.find(query).sort("_id", ASCENDING).limit(101).to_list()

        async def listed() -> Any:
            return await views.of_office(TENANT, office, day, limit=101)
        assert [d["_id"] for d in await filtered()] == [d["_id"] for d in await listed()]
        old, new = await timed(filtered, reads), await timed(listed, reads)
        n = iter(range(size, size + 10 * reads))
        put = await timed(lambda: views.put(view(next(n), day, office)), reads)
        bare = await timed(lambda: collection.insert_one(view(next(n), day, office)), reads)
        print(f"{size:>7,} {len(await listed()):>5} {listing:9.1f} s   {old[0]:8.1f} {old[1]:8.1f}   "
              f"{new[0]:8.1f} {new[1]:8.1f}   {put[0]:8.1f} {put[1]:8.1f}   {bare[0]:8.1f} {bare[1]:8.1f}")
    finally:
        await client.drop_database(database)


async def main(sizes: list[int], reads: int, url: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    print(f"milliseconds (p50 p95) of {reads} reads each; today's list of one office holds {PER_DAY} questions")
    print(f"{'views':>7} {'today':>5} {'listing':>11}   {'filter p50':>8} {'p95':>8}   {'lists p50':>8} {'p95':>8}   "
          f"{'put p50':>8} {'p95':>8}   {'insert':>8} {'p95':>8}")
    try:
        for size in sizes:
            await one_size(client, size, reads)
    finally:
        await client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--reads", type=int, default=30)
    parser.add_argument("--mongo", default=Settings().mongo_url)
    args = parser.parse_args()
    asyncio.run(main([int(s) for s in args.sizes.split(",")], args.reads, args.mongo))
