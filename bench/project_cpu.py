"""CPU cost per event of what the insights projection does in process: decode, project + evolve, fold (no Kafka).

    .local/venv/bin/python bench/project_cpu.py [--events 100000] [--batch 5000] [--mix] [--repeat 3] [--profile]
                                                [--digest] [--gc on|off|freeze]

The records are the ones `bench/projection.py` produces (QuestionRegistered v2, one stream each), or with `--mix`
whole question, referral, signal and catalogue-service streams (every view's paths). They are handled batch by batch
as `ProjectionRunner`'s rebuild path handles them, minus the awaits: `Envelope.from_bytes` + `Positioned` (decode),
`project_fresh` (dedup, then per event `project_groups` and `evolve` with the stream's case, kept as a
`shared_case`), `GroupTally` (fold). Printed: µs per event of each part, their sum, and the same bytes through `json.loads` (the baseline, measured
in the same run) with the ratio. Best of `--repeat` runs. `--profile` prints cProfile's top functions of one run;
`--digest` prints a hash of the folded documents and the final stream cases (to compare two versions of the code).
`--gc`: `on` (default) lets CPython's cyclic collector run as in the runner, where its full collections, traversing
every stream's case kept so far and the batch in hand, cost as much as the work itself; `off` disables it during the
run (the work alone); `freeze` moves what survives each batch to the permanent generation (`gc.freeze()`), what a
runner could do between batches.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import importlib.util
import json
import pstats
import random
import sys
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contracts import topics  # noqa: E402
from contracts.envelope import Envelope  # noqa: E402
from services.insights.domain.views import all_views  # noqa: E402
from services.insights.tests.synthetic import CHANNELS, LANGUAGES, TENANTS, THEMES  # noqa: E402
from services.plumbing.projection.model import (  # noqa: E402
    DocUpdate, GroupTally, Positioned, SeenStream)
from services.plumbing.projection.folding import project_fresh  # noqa: E402

PARTITIONS = 3


def registrations(count: int) -> Iterator[tuple[str, int, bytes]]:
    """(topic, partition, record value): what `bench/projection.py` produces."""
    spec = importlib.util.spec_from_file_location("bench_projection", ROOT / "bench" / "projection.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for partition, _key, value in module.envelopes(count):
        yield topics.INTAKE_QUESTIONS, partition, value


def mixed(count: int, seed: int = 11) -> Iterator[tuple[str, int, bytes]]:
    """About `count` records of whole streams: questions (registered, clarified, informed, accompanied, gap, closed,
    reopened), referrals (requested v2, accepted, rejected, completed, failed), signals and catalogue services."""
    rng, start = random.Random(seed), datetime(2026, 1, 1, tzinfo=UTC)
    recorded = datetime.now(UTC).isoformat()
    made = 0

    def record(topic: str, stream: str, version: int, tenant: str, at: datetime, kind: str, payload: dict[str, Any],
               schema_version: int = 1) -> tuple[str, int, bytes]:
        nonlocal made
        made += 1
        envelope = {"event_id": f"e-{seed}-{made}", "type": kind, "schema_version": schema_version,
                    "stream_id": stream, "stream_version": version, "tenant": tenant, "occurred_at": at.isoformat(),
                    "recorded_at": recorded, "correlation_id": f"corr-{made}", "causation_id": None,
                    "actor": {"staff_id": "synthetic", "role": "front-office"}, "payload": payload}
        return topic, zlib.crc32(stream.encode()) % PARTITIONS, json.dumps(envelope, separators=(",", ":")).encode()

    themes = [*THEMES, "housing.search", "work.job-search"]
    barriers = ["language", "mobility", "digital", "cost"]
    i = 0
    while made < count:
        i += 1
        tenant = rng.choice(list(TENANTS))
        at = start + timedelta(hours=rng.randrange(24 * 180))
        kind = rng.random()
        if kind < 0.6:  # a question's life
            q, v, spoken = f"question-{seed}-{i}", 0, rng.sample(LANGUAGES, rng.choice((1, 1, 2)))
            steps: list[tuple[str, dict[str, Any], int]] = [("QuestionRegistered", {
                "question_id": q, "office_id": rng.choice(TENANTS[tenant]), "client_id": f"c-{i}",
                "channel": rng.choice(CHANNELS), "themes": rng.sample(themes, rng.choice((1, 2))),
                "barriers": rng.sample(barriers, rng.choice((0, 1, 2))), "client_languages": spoken,
                "language_used": rng.choice([*spoken, "nl"]), "interpreter_needed": rng.random() < 0.3,
                "urgent": False}, 2)]
            if rng.random() < 0.3:
                steps.append(("QuestionClarified", {"question_id": q, "themes": rng.sample(themes, 2),
                                                    "barriers": rng.sample(barriers, 1)}, 1))
            if rng.random() < 0.5:
                steps.append(("QuestionInformed", {"question_id": q, "themes": rng.sample(THEMES, 1)}, 1))
            if rng.random() < 0.2:
                steps.append(("ClientAccompanied", {"question_id": q, "service": "svc-1", "minutes": 30}, 1))
            if rng.random() < 0.2:
                steps.append(("GapRecorded", {"question_id": q, "theme": rng.choice(THEMES), "reason": "none"}, 1))
            if rng.random() < 0.7:
                outcome = rng.choice(["answered", "referred", "gap", "withdrawn", "unreachable"])
                steps.append(("QuestionClosed", {"question_id": q, "outcome": outcome}, 1))
                if rng.random() < 0.1:
                    steps.append(("QuestionReopened", {"question_id": q, "reason": ""}, 1))
                    steps.append(("QuestionClosed", {"question_id": q, "outcome": "answered"}, 1))
            for kind_name, payload, version in steps:
                v += 1
                yield record(topics.INTAKE_QUESTIONS, q, v, tenant, at, kind_name, payload, version)
                at += timedelta(hours=rng.randrange(1, 200))
        elif kind < 0.85:  # a referral's life
            r = f"referral-{seed}-{i}"
            since = (at - timedelta(days=rng.choice((0, 0, 40, 100)))).date()
            yield record(topics.REFERRAL_REFERRALS, r, 1, tenant, at, "ReferralRequested", {
                "referral_id": r, "question_id": f"q-{i}", "client_id": f"c-{i}", "service_id": f"svc-{i % 9}",
                "organization_id": f"org-{i % 4}", "office_id": "o", "themes": rng.sample(themes, 1),
                "mode": rng.choice(["information", "warm-handoff", "accompanied"]), "priority": "routine",
                "client_languages": rng.sample(LANGUAGES, 1), "note": None,
                "client_since": since.isoformat() if rng.random() < 0.8 else None}, 2)
            end = rng.random()
            at += timedelta(hours=rng.randrange(1, 900))
            if end < 0.2:
                yield record(topics.REFERRAL_REFERRALS, r, 2, tenant, at, "ReferralRejected",
                             {"referral_id": r, "reason": "no-capacity", "note": None})
            else:
                yield record(topics.REFERRAL_REFERRALS, r, 2, tenant, at, "ReferralAccepted", {"referral_id": r})
                at += timedelta(hours=rng.randrange(1, 900))
                if end < 0.8:
                    yield record(topics.REFERRAL_REFERRALS, r, 3, tenant, at, "ReferralCompleted",
                                 {"referral_id": r, "outcome": "got-help", "went_alone": rng.random() < 0.5})
                else:
                    yield record(topics.REFERRAL_REFERRALS, r, 3, tenant, at, "ReferralFailed",
                                 {"referral_id": r, "reason": rng.choice(["barrier-language", "other"]),
                                  "note": None})
        elif kind < 0.95:  # a signal
            s = f"signal-{seed}-{i}"
            yield record(topics.INTAKE_SIGNALS, s, 1, tenant, at, "SignalReported", {
                "signal_id": s, "office_id": rng.choice(TENANTS[tenant]),
                "themes": rng.sample(themes, rng.choice((0, 1))), "barriers": rng.sample(barriers, rng.choice((0, 1, 2))),
                "services": ["svc-1"], "text": "long waits"})
        else:  # a catalogue service
            s = f"svc-{seed}-{i}"
            rec = {"name": "Service", "organization_id": "org-1", "languages": rng.sample(LANGUAGES, 2),
                   "themes": rng.sample(THEMES, 1)}
            yield record(topics.CATALOGUE_SERVICES, s, 1, tenant, at, "ServiceRegistered",
                         {"service_id": s, "record": rec})
            yield record(topics.CATALOGUE_SERVICES, s, 2, tenant, at, "ServiceUpdated",
                         {"service_id": s, "changes": {"languages": rng.sample(LANGUAGES, 1),
                                                       "capacity": {"available": 0}}})
            if rng.random() < 0.3:
                yield record(topics.CATALOGUE_SERVICES, s, 3, tenant, at, "ServiceClosed",
                             {"service_id": s, "status": "inactive", "reason": "moved"})


def run(records: list[tuple[str, int, bytes]], batch: int, collector: str = "on") -> tuple[dict[str, float], Any]:
    """One rebuild's in-memory work, timed per part (seconds)."""
    if collector == "off":
        gc.disable()
    try:
        return _run(records, batch, collector)
    finally:
        gc.enable()
        gc.unfreeze()


def _run(records: list[tuple[str, int, bytes]], batch: int, collector: str) -> tuple[dict[str, float], Any]:
    projection = all_views()
    spent = dict.fromkeys(("decode", "dedup+project+evolve", "fold"), 0.0)
    seen: dict[str, SeenStream] = {}
    updates: dict[tuple[str, str], DocUpdate] = {}
    tally = GroupTally()
    offsets = [0] * PARTITIONS
    clock = time.perf_counter
    for first in range(0, len(records), batch):
        t0 = clock()
        events = []
        for topic, partition, value in records[first:first + batch]:
            events.append(Positioned(Envelope.from_bytes(value), topic, partition, offsets[partition]))
            offsets[partition] += 1
        t1 = clock()
        groups, _, _ = project_fresh(projection, events, seen)
        t2 = clock()
        tally.add(groups, updates)
        if first + batch >= len(records):
            tally.into(updates)
        t3 = clock()
        for part, took in zip(spent, (t1 - t0, t2 - t1, t3 - t2)):
            spent[part] += took
        if collector == "freeze":
            del events, groups
            gc.freeze()
    return spent, (updates, seen)


def baseline(records: list[tuple[str, int, bytes]]) -> float:
    started = time.perf_counter()
    for _, _, value in records:
        json.loads(value)
    return time.perf_counter() - started


def digest(state: Any) -> str:
    updates, seen = state
    docs = sorted((u.view, u.doc_id, sorted(u.key.items()), sorted(u.inc.items()), u.offset,
                   json.dumps(u.facts, sort_keys=True, default=str)) for u in updates.values())
    cases = sorted((s, p.version, p.offset, json.dumps(p.case, sort_keys=True, default=str)) for s, p in seen.items())
    return hashlib.sha256(repr((docs, cases)).encode()).hexdigest()[:16] + f" ({len(docs)} documents)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--mix", action="store_true", help="whole streams of every kind, not registrations only")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--digest", action="store_true")
    parser.add_argument("--gc", choices=("on", "off", "freeze"), default="on")
    args = parser.parse_args()
    made = mixed(args.events) if args.mix else registrations(args.events)
    records = [r for _, r in zip(range(args.events), made)]
    n = len(records)
    print(f"{n:,} records ({'mixed streams' if args.mix else 'QuestionRegistered v2'}), batch {args.batch:,}, "
          f"collector {args.gc}, Python {sys.version.split()[0]}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run(records, args.batch, args.gc)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    best: dict[str, float] = {}
    best_base = float("inf")
    state = None
    for _ in range(args.repeat):
        gc.collect()
        base = baseline(records)
        spent, state = run(records, args.batch, args.gc)
        best_base = min(best_base, base)
        best = {k: min(v, best.get(k, float("inf"))) for k, v in spent.items()}
        del spent
    total = sum(best.values())
    for part, took in best.items():
        print(f"{part:21s} {took / n * 1e6:7.1f} µs/event")
    print(f"{'total':21s} {total / n * 1e6:7.1f} µs/event  ({n / total:,.0f} events/s)")
    print(f"{'baseline':21s} {best_base / n * 1e6:7.1f} µs/event  (json.loads of the same bytes); "
          f"total = {total / best_base:.1f}× baseline")
    if args.digest:
        print("digest", digest(state))


if __name__ == "__main__":
    main()
