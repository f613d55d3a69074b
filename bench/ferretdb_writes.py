"""Benchmark: what one insert, one `_id` find and one `_id` update cost FerretDB (its CPU per command and commands per
second), with SQLite's `synchronous(normal)` as deploy/local/stack runs it, beside the baseline `synchronous(full)`
(an fsync per commit: FerretDB's default), in one run. Both servers are the installed binary of deploy/local/stack,
started here on ports of their own with fresh data directories, one after the other.

    .local/venv/bin/python bench/ferretdb_writes.py [--commands 4000] [--concurrency 8] [--rounds 2]
"""
from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from pymongo import AsyncMongoClient

ROOT = Path(__file__).resolve().parents[1]
FERRETDB = ROOT / ".local" / "go" / "bin" / "ferretdb"
MODES = {"synchronous(full) (baseline)": "", "synchronous(normal) (deploy/local/stack)": "?_pragma=synchronous(normal)"}
# a commit document of about the demo's size: one envelope of a registered question
DOC = {"tenant": "kortrijk", "command_id": "c", "events": [{"type": "QuestionRegistered", "payload": {
    "theme": "housing.search", "languages": ["ar", "nl"], "text": "x" * 400}}]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100


async def measure(port: int, pid: int, n: int, concurrency: int) -> dict[str, tuple[float, float]]:
    """Per kind of command: FerretDB's CPU ms per command and commands per second."""
    client: AsyncMongoClient[dict] = AsyncMongoClient(f"mongodb://127.0.0.1:{port}")
    col = client["bench"]["commits"]
    await col.insert_one({"_id": "warm"})
    gate = asyncio.Semaphore(concurrency)

    async def run(op: Callable[[int], Awaitable[object]]) -> tuple[float, float]:
        async def one(i: int) -> None:
            async with gate:
                await op(i)
        cpu0, t0 = cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        return 1000 * (cpu_seconds(pid) - cpu0) / n, n / (time.perf_counter() - t0)

    try:
        return {"insert": await run(lambda i: col.insert_one({"_id": f"q{i}|0000000001", **DOC})),
                "find by _id": await run(lambda i: col.find_one({"_id": f"q{i}|0000000001"})),
                "update by _id": await run(lambda i: col.update_one(
                    {"_id": f"q{i}|0000000001"}, {"$set": {"v": i}, "$inc": {"n": 1}}))}
    finally:
        await client.close()


async def one_server(suffix: str, n: int, concurrency: int) -> dict[str, tuple[float, float]]:
    work = Path(tempfile.mkdtemp(prefix="ferretdb-bench-"))
    port = free_port()
    (work / "data").mkdir()
    server = subprocess.Popen(
        [str(FERRETDB), "--handler=sqlite", f"--sqlite-url=file:{work / 'data'}/{suffix}", f"--state-dir={work}",
         f"--listen-addr=127.0.0.1:{port}", "--debug-addr=-", "--telemetry=disable", "--log-level=warn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        return await measure(port, server.pid, n, concurrency)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(work, ignore_errors=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=4000, help="commands of each kind per run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each mode, alternating")
    args = parser.parse_args()
    if not FERRETDB.exists():
        raise SystemExit(f"{FERRETDB.relative_to(ROOT)} is missing: run deploy/local/stack install")
    results: dict[str, list[dict[str, tuple[float, float]]]] = {m: [] for m in MODES}
    for _ in range(args.rounds):
        for mode, suffix in MODES.items():
            results[mode].append(await one_server(suffix, args.commands, args.concurrency))
    print(f"FerretDB {args.commands} commands of each kind, {args.concurrency} at a time, best of {args.rounds} runs")
    print(f"{'mode':42s} {'command':14s} {'CPU ms/command':>15s} {'commands/s':>11s}")
    best = {m: {k: (min(r[k][0] for r in rs), max(r[k][1] for r in rs)) for k in rs[0]} for m, rs in results.items()}
    for mode, kinds in best.items():
        for kind, (cpu, rate) in kinds.items():
            print(f"{mode:42s} {kind:14s} {cpu:15.3f} {rate:11.0f}")
    base, ours = best.values()
    for kind in base:
        print(f"ratio normal/full, {kind}: CPU {ours[kind][0] / base[kind][0]:.2f}, "
              f"commands/s {ours[kind][1] / base[kind][1]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
