"""The rebuild's fold (`GroupTally`, `merge` of several workers' results, `shared_case`, `pack_positions`) gives what
folding delta by delta gives."""
import json
import random
import zlib
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.envelope import Actor, Envelope, Role
from services.plumbing.projection.folding import Folded, merge
from services.plumbing.projection.model import (
    Delta, DocUpdate, GroupTally, Positioned, SeenStream, case_list, fold, shared_case)
from services.plumbing.projection.store import pack_positions, shard_of

ENVELOPE = Envelope(type="QuestionRegistered", schema_version=1, stream_id="q", stream_version=1, tenant="kortrijk",
                    occurred_at=datetime(2026, 3, 1, tzinfo=UTC), correlation_id="c",
                    actor=Actor(staff_id="s", role=Role.FRONT_OFFICE), payload={})
CELLS = [Delta("v", {"tenant": "kortrijk", "theme": t}, {"n": 1, "m": m}) for t in ("housing", "work") for m in (0, 2)]
SIGNALS = [Delta("signals", {"signal": s}, {"n": 1}, {"text": f"text {s}"}) for s in ("s1", "s2")]
GROUPS = [tuple(CELLS[:2]), tuple(CELLS[1:]), (CELLS[3],), (SIGNALS[0],), (SIGNALS[1], CELLS[0])]

# one event: (partition, index of a shared group, or -1 for a group made anew for the event)
events = st.lists(st.tuples(st.integers(0, 2), st.integers(-1, len(GROUPS) - 1)), max_size=80)


def _history(spec: list[tuple[int, int]]) -> list[tuple[Positioned, tuple[Delta, ...]]]:
    offsets = [0, 0, 0]
    out = []
    for partition, group in spec:
        ev = Positioned(ENVELOPE, "t", partition, offsets[partition])
        offsets[partition] += 1
        out.append((ev, GROUPS[group] if group >= 0 else tuple(Delta(d.view, dict(d.key), dict(d.inc), dict(d.facts))
                                                                 for d in GROUPS[len(out) % len(GROUPS)])))
    return out


def _documents(updates: dict[tuple[str, str], DocUpdate] | list[DocUpdate]) -> dict[tuple[str, str], tuple]:
    values = updates.values() if isinstance(updates, dict) else updates
    return {(u.view, u.doc_id): (u.inc, u.offset, u.facts) for u in values}


@settings(max_examples=150, deadline=None)
@given(events, st.integers(1, 40))
def test_counting_groups_gives_the_documents_delta_by_delta_gives(spec: list[tuple[int, int]], kept: int) -> None:
    history = _history(spec)
    expected = fold([(ev, d) for ev, group in history for d in group], {})
    tally, updates = GroupTally(), {}
    tally.KEPT = kept  # emptied into the documents now and then, as in a long rebuild
    for start in range(0, len(history), 7):  # batch by batch
        tally.add(history[start:start + 7], updates)
    tally.into(updates)
    assert _documents(updates) == _documents(expected)


@settings(max_examples=100, deadline=None)
@given(events, st.integers(2, 3))
def test_workers_folding_streams_apart_merge_into_the_documents_of_one_fold(spec: list[tuple[int, int]],
                                                                            workers: int) -> None:
    history = _history(spec)
    expected = fold([(ev, d) for ev, group in history for d in group], {})
    parts = []
    for w in range(workers):  # as the pool shares them: each event (a stream of its own) to one worker
        tally, updates = GroupTally(), {}
        tally.add([item for i, item in enumerate(history) if i % workers == w], updates)
        tally.into(updates)
        parts.append(Folded(updates, [], 0, 0, []))
    assert _documents(merge(parts).updates) == _documents(expected)


def test_equal_cases_are_kept_as_one_object_and_different_ones_are_not() -> None:
    themes = case_list(("housing",))
    first = shared_case({"month": "2026-03", "themes": themes})
    assert shared_case({"month": "2026-03", "themes": themes}) is first
    assert shared_case({"month": "2026-04", "themes": themes}) is not first
    assert shared_case({"month": "2026-03", "themes": ["housing"]}) == first  # equal, another list: kept apart


def test_packed_positions_are_the_json_of_each_pack() -> None:
    rng = random.Random(7)
    cases = [shared_case({"m": f"2026-0{i}", "t": case_list((str(i),)), "q": 'say "hi" é'}) for i in range(1, 6)]
    positions = {f"question-{i}-é\"": SeenStream(rng.randrange(1, 9), i, rng.choice(cases)) for i in range(3000)}
    packs = pack_positions(positions)
    expected: dict[tuple[int, str], dict] = {}
    for stream, p in positions.items():
        expected.setdefault(shard_of(stream), {})[stream] = [p.version, p.offset, p.case]
    assert {at: json.loads(zlib.decompress(z)) for at, z in packs.items()} == expected
