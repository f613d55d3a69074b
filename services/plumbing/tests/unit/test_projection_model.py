"""Exactly-once rules of the projection runner, without I/O."""
from datetime import UTC, datetime

from contracts.envelope import Actor, Envelope, Role
from services.plumbing.projection.folding import project_fresh
from services.plumbing.projection.model import Delta, Positioned, SeenStream, doc_id, fold


def at(offset: int, stream: str = "q-1", version: int = 1, partition: int = 0) -> Positioned:
    env = Envelope(type="QuestionRegistered", schema_version=1, stream_id=stream, stream_version=version,
                   tenant="kortrijk", occurred_at=datetime(2026, 3, 1, tzinfo=UTC), correlation_id="c",
                   actor=Actor(staff_id="s", role=Role.FRONT_OFFICE), payload={})
    return Positioned(env, "topic", partition, offset)


class OnePerEvent:
    """A projection giving one delta per event it is given."""

    topics, views = ("topic",), ("v",)

    def project(self, envelope: Envelope) -> list[Delta]:
        return [Delta("v", {"stream": envelope.stream_id}, {"n": 1})]


def fresh_events(events: list[Positioned], seen: dict[str, SeenStream]) -> list[Positioned]:
    groups, fresh, refused = project_fresh(OnePerEvent(), events, seen)
    assert fresh == len(groups) and not refused
    return [ev for ev, _ in groups]


def test_a_relay_duplicate_at_a_later_offset_is_dropped() -> None:
    seen: dict[str, SeenStream] = {}
    events = [at(10, version=1), at(11, version=2), at(12, version=1), at(13, version=2), at(14, version=3)]
    assert [e.offset for e in fresh_events(events, seen)] == [10, 11, 14]
    assert seen == {"q-1": SeenStream(3, 14)}


def test_versions_already_in_the_views_are_skipped_and_the_case_is_carried() -> None:
    seen = {"q-1": SeenStream(2, 11, {"themes": ["housing"]})}
    # Read again after a crash: positions are stored after the views, so version 2 is in the views already.
    assert fresh_events([at(10, version=1), at(11, version=2)], seen) == []
    assert [e.offset for e in fresh_events([at(12, version=3)], seen)] == [12]
    assert seen["q-1"] == SeenStream(3, 12, {"themes": ["housing"]})


def test_fold_sums_per_document_and_moves_the_guard() -> None:
    key = {"tenant": "kortrijk", "theme": "housing"}
    deltas = [(at(o), Delta("v", key, {"n": 1})) for o in (3, 4, 5)]
    [update] = fold(deltas, {})
    assert (update.inc, update.offset, update.doc_id) == ({"n": 3}, 5, "kortrijk|housing@topic:0")


def test_fold_skips_what_the_guard_already_applied() -> None:
    key = {"tenant": "kortrijk"}
    did = doc_id(key, "topic:0")
    deltas = [(at(o), Delta("v", key, {"n": 1})) for o in (3, 4, 5)]
    [update] = fold(deltas, {("v", did): 4})
    assert (update.inc, update.offset) == ({"n": 1}, 5)
    assert fold(deltas, {("v", did): 5}) == []


def test_documents_are_owned_by_one_partition() -> None:
    key = {"tenant": "kortrijk"}
    updates = fold([(at(1, partition=0), Delta("v", key, {"n": 1})), (at(1, partition=1), Delta("v", key, {"n": 1}))],
                   {})
    assert sorted(u.doc_id for u in updates) == ["kortrijk@topic:0", "kortrijk@topic:1"]


def test_facts_of_a_document_are_the_first_deltas_and_a_redelivery_adds_nothing() -> None:
    key = {"tenant": "kortrijk", "signal": "s-1"}
    first = Delta("signals", key, {"n": 1}, {"text": "no interpreter at the desk", "month": "2026-03"})
    later = Delta("signals", key, {"n": 1}, {"text": "changed", "office": "o-2"})
    [update] = fold([(at(7), first), (at(8), later)], {})
    assert update.facts == {"text": "no interpreter at the desk", "month": "2026-03", "office": "o-2"}
    assert (update.inc, update.offset) == ({"n": 2}, 8)
    assert fold([(at(7), first)], {("signals", update.doc_id): 7}) == []  # the same event again changes nothing
