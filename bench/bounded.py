"""Benchmark: health of every service while each is flooded with oversized requests, beside health with no load.

Starts the four services as processes (as the e2e tests do: mutual TLS, tokens, topic and database prefixes of their
own), probes `grpc.health.v1.Health/Check` of each in turn for half the time with no load, then floods them from a
child process (tests/e2e/floods.py: an ImportHsds of 100,000 objects, RegisterService with 50,000 languages,
RegisterQuestion and ReferToService with 50,000 themes, UnmetNeeds with a 1.4 MB month, `--senders` callers each)
while probing again. Prints p50/p99/max of health in both phases and how fast each flood was refused.

Run: .local/venv/bin/python bench/bounded.py [--seconds 20] [--senders 2]
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the e2e tests' way of starting the services

from contracts.envelope import Role  # noqa: E402
from services.plumbing import devsecrets  # noqa: E402
from services.plumbing.settings import Settings  # noqa: E402
from tests.e2e import floods  # noqa: E402
from tests.e2e.conftest import SERVICES, Tokens, running  # noqa: E402

GOAL = 0.100  # health p99 during the floods


async def main(seconds: float, senders: int) -> None:
    tag = uuid.uuid4().hex[:8]
    settings = Settings().model_copy(update={"topic_prefix": f"bench{tag}.", "db_prefix": f"bench{tag}_"})
    with tempfile.TemporaryDirectory() as tmp:
        secrets = devsecrets.write(Path(tmp))
        token = Tokens(secrets)
        tokens = {r.value: token(r, "kortrijk") for r in (Role.CATALOGUE_ADMIN, Role.FRONT_OFFICE, Role.POLICY)}
        async with running(SERVICES, settings, secrets, f"bench-bounded-{tag}") as ports:
            run = await floods.measure({name: ports[name] for name in SERVICES}, secrets, tokens, seconds, senders)
    print(f"health, no load      {floods.summary(run.idle)}")
    print(f"health, during flood {floods.summary(run.loaded)}   goal p99 < {GOAL * 1000:.0f} ms: "
          f"{'met' if floods.percentile(run.loaded, 99) < GOAL else 'NOT met'}")
    for name, took in run.loaded_by.items():
        print(f"  {name:<18} {floods.summary(took)}")
    for flood in floods.floods():
        answers = run.answers[flood.method]
        codes = sorted({code for code, _, _ in answers})
        took = [s for _, _, s in answers]
        print(f"flood {flood.method.rsplit('/', 1)[1]:<16} {len(flood.payload) / 1e6:4.2f} MB  {len(answers):4d} sent, "
              f"answered {'/'.join(codes)} in p50 {floods.percentile(took, 50) * 1000:6.1f} ms, "
              f"p99 {floods.percentile(took, 99) * 1000:6.1f} ms: {answers[0][1][:70]!r}")
    print(f"health checks not answered SERVING: {len(floods.FAILED)} {floods.FAILED[:3]}")
    wrong = floods.refused_well(run)
    if wrong:
        raise SystemExit("not refused as expected: " + "; ".join(wrong))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--senders", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.senders))
