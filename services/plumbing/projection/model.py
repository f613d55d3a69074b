"""The pure part of projecting: what a projection returns, deduplication by stream version, folding into updates."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from contracts.envelope import Envelope


class Positioned(NamedTuple):
    """An event with the place it was read from (a tuple: made once per event, at a third of a frozen dataclass's
    cost)."""

    envelope: Envelope
    topic: str
    partition: int
    offset: int

    @property
    def source(self) -> str:
        return f"{self.topic}:{self.partition}"


@dataclass(frozen=True)
class Delta:
    """Add `inc` to the counters of the document of `view` identified by `key` (field → value).

    `facts` are fields written once, when the document is created, and never changed after (like `$setOnInsert`):
    what an event says about a thing of its own (a signal's text, say), so a replay writes the same facts again.
    """

    view: str
    key: Mapping[str, Any]
    inc: Mapping[str, int]
    facts: Mapping[str, Any] = field(default_factory=dict)


Case = Mapping[str, Any]

# How many distinct deltas a projection keeps to hand out again (`functools.lru_cache(maxsize=SHARED_DELTAS)` on a
# function making a Delta from the values of its key): a rebuild makes the same few thousand cells a million times,
# and `fold_into` finds the document of a delta it saw before by the object's identity. Shared deltas are read only.
SHARED_DELTAS = 1 << 16


@lru_cache(maxsize=SHARED_DELTAS)
def case_list(values: tuple[Any, ...]) -> list[Any]:
    """A list of `values` for a case to keep, the same object for the same values: a rebuild keeps a case per stream,
    a million of them, mostly holding the same few lists. A case, and what is in it, is never changed in place."""
    return list(values)


_cases: dict[tuple[Any, ...], Case] = {}


def shared_case(case: Case) -> Case:
    """An equal case kept before, or `case` itself from now on: a rebuild keeps a case per stream, a million of them,
    and most are equal (same month, themes, office...), so they share one dict — less memory, and `pack_positions`
    encodes each shared case once. Values are compared by identity (projections share them already: `case_list`,
    interned strings): a kept case holds them, so their ids are not reused while it is kept; equal values that are
    distinct objects only make distinct cases."""
    key = (*case, *map(id, case.values()))
    if (kept := _cases.get(key)) is not None:
        return kept
    if len(_cases) >= SHARED_DELTAS:
        _cases.clear()
    _cases[key] = case
    return case


class Projection(Protocol):
    """A read model: which topics it reads and which counter deltas an event makes. Pure: no I/O.

    A projection that needs what earlier events of the same stream said (the themes of a question when it is closed,
    say) sets `uses_case = True`: it then gets the stream's case — a small dict kept per stream by the runner — as
    `project(envelope, case)`, and keeps it current with `evolve(case, envelope) -> case`, which returns a new case:
    a case and the values in it are never changed in place (cases share values: `case_list`).
    """

    topics: Sequence[str]
    views: Sequence[str]
    # Views whose documents the store keeps packed per tenant and year (`ProjectionStore`): every delta of such a view
    # has `tenant` and `month` ("YYYY-MM") in its key. Optional: a projection without it packs none.
    packed: Sequence[str]
    # Raised whenever what the projection counts changes (a new measure, another rule): views built by another
    # version are not read until a rebuild (`Composite.versions`, `Generations`). Optional: 1 without it.
    version: int

    def project(self, envelope: Envelope) -> Iterable[Delta]: ...


def reads(part: Any, event_type: str) -> bool:
    """Whether `part` looks at events of `event_type`: a projection may declare `reads`, the event types its `project`
    and `evolve` look at (any other gives no deltas and leaves the case as it is), and is then not called for others."""
    known = getattr(part, "reads", None)
    return known is None or event_type in known


def project(part: Any, envelope: Envelope, case: Case) -> Iterable[Delta]:
    return part.project(envelope, case) if getattr(part, "uses_case", False) else part.project(envelope)


def project_groups(part: Any, envelope: Envelope, case: Case) -> list[Sequence[Delta]]:
    """`project`, as the groups of deltas the projection's parts handed out (see `GroupTally`)."""
    if (parts := getattr(part, "project_parts", None)) is not None:
        return parts(envelope, case)  # type: ignore[no-any-return]
    return [list(project(part, envelope, case))]


def evolve(part: Any, case: Case, envelope: Envelope) -> Case:
    step = getattr(part, "evolve", None)
    return step(case, envelope) if step is not None else case


class Composite:
    """Several projections run as one: one consumer, one batch, one write per touched document of any view."""

    def __init__(self, *parts: Projection) -> None:
        self.parts = parts
        self.topics = tuple(dict.fromkeys(t for p in parts for t in p.topics))
        self.views = tuple(v for p in parts for v in p.views)
        self.packed = tuple(v for p in parts for v in getattr(p, "packed", ()))
        # Each view with the version of the projection making it: what a generation records when it is built.
        self.versions = {v: f"{type(p).__name__}.v{getattr(p, 'version', 1)}" for p in parts for v in p.views}
        # Looked up once per event type, not per event: a rebuild calls these a million times.
        self._steps: dict[str, tuple[list[tuple[Any, bool]], list[Any]]] = {}

    uses_case = True

    def _plan(self, event_type: str) -> tuple[list[tuple[Any, bool]], list[Any]]:
        """The `project` steps (with whether each takes the case) and `evolve` steps of the parts reading a type."""
        if len(self._steps) >= 1024:  # types no code knows (poison messages) must not pile up
            self._steps.clear()
        parts = [p for p in self.parts if reads(p, event_type)]
        plan = self._steps[event_type] = ([(p.project, getattr(p, "uses_case", False)) for p in parts],
                                          [step for p in parts if (step := getattr(p, "evolve", None)) is not None])
        return plan

    def project(self, envelope: Envelope, case: Case | None = None) -> list[Delta]:
        return [delta for group in self.project_parts(envelope, case) for delta in group]

    def project_parts(self, envelope: Envelope, case: Case | None = None) -> list[Sequence[Delta]]:
        """`project`, each part's deltas as the part handed them out (often a shared tuple: `GroupTally`)."""
        case = case or {}
        steps = self._steps.get(envelope.type) or self._plan(envelope.type)
        groups: list[Sequence[Delta]] = []
        for step, uses_case in steps[0]:
            made = step(envelope, case) if uses_case else step(envelope)
            if type(made) not in (tuple, list):
                made = list(made)
            if made:
                groups.append(made)
        return groups

    def evolve(self, case: Case, envelope: Envelope) -> Case:
        """Each part evolves the shared case in turn; parts keep to keys of their own."""
        steps = self._steps.get(envelope.type) or self._plan(envelope.type)
        for step in steps[1]:
            case = step(case, envelope)
        return case


@dataclass(frozen=True, slots=True)
class SeenStream:
    """The highest version of a stream applied to the views, where it was read, and the stream's case after it.

    `own_document`: the store holds this position in a document of its own (a later one updates it in place), not
    packed with others by a rebuild nor nowhere yet (a later one is inserted).
    """

    version: int
    offset: int
    case: Case = field(default_factory=dict)
    own_document: bool = field(default=False, compare=False)


@dataclass
class DocUpdate:
    """One view document's change in one batch: summed counters, facts for a new document, the new guard offset."""

    view: str
    doc_id: str
    key: Mapping[str, Any]
    inc: dict[str, int] = field(default_factory=dict)
    offset: int = -1
    facts: dict[str, Any] = field(default_factory=dict)


def doc_id(key: Mapping[str, Any], source: str) -> str:
    return "|".join(str(v) for v in key.values()) + "@" + source


def fold(deltas: Iterable[tuple[Positioned, Delta]], guards: Mapping[tuple[str, str], int]) -> list[DocUpdate]:
    """Sum the deltas per view document, skipping events at or below the document's guard offset; the facts of the
    first delta of a document are kept."""
    updates: dict[tuple[str, str], DocUpdate] = {}
    fold_into(updates, deltas, guards)
    return list(updates.values())


def fold_into(updates: dict[tuple[str, str], DocUpdate], deltas: Iterable[tuple[Positioned, Delta]],
              guards: Mapping[tuple[str, str], int] = {}) -> None:  # noqa: B006 (read only)
    """`fold`, adding to `updates` (keyed by view and document id) in place: a rebuild folds batch after batch."""
    # Projections hand out the same Delta objects again and again (`SHARED_DELTAS`), and an event's deltas come one
    # after another. So per source partition, each delta object (by identity: its entry holds it, so the id is not
    # reused while the entry lives) is looked up once; the loop only counts how often it applies past its document's
    # guard, and the counters, facts and guard offsets are added after it, delta by delta in the order each was
    # first applied — which gives the documents, their counters and facts exactly as adding them one by one would.
    tables: dict[tuple[str, int], dict[int, list[Any]]] = {}
    applied: list[list[Any]] = []  # entries [delta, (view, document id), guard, times applied, highest offset]
    ids: dict[tuple[Any, ...], str] = {}  # the same few documents again and again: their ids made once
    last: Positioned | None = None
    table: dict[int, list[Any]] = {}
    offset = -1
    for ev, delta in deltas:
        if ev is not last:
            last, offset = ev, ev.offset
            if (table := tables.get((ev.topic, ev.partition))) is None:  # type: ignore[assignment]
                table = tables[(ev.topic, ev.partition)] = {}
        if (entry := table.get(id(delta))) is None:
            at = (delta.view, ev.topic, ev.partition, *delta.key.items())
            if (did := ids.get(at)) is None:
                did = ids[at] = doc_id(delta.key, ev.source)
            guard = guards.get((delta.view, did), -1) if guards else -1
            entry = table[id(delta)] = [delta, (delta.view, did), guard, 0, -1]
        if offset > entry[2]:
            if entry[3]:
                entry[3] += 1
            else:
                entry[3] = 1
                applied.append(entry)
            if offset > entry[4]:
                entry[4] = offset
    for delta, at, _, times, highest in applied:
        if (upd := updates.get(at)) is None:
            upd = updates[at] = DocUpdate(delta.view, at[1], delta.key)
        add(upd, delta, times, highest)


def add(upd: DocUpdate, delta: Delta, times: int, highest: int) -> None:
    """`delta` applied `times` to `upd`, the last time at offset `highest`: counters summed, the first facts kept (as
    they would stand in the document), the guard moved up."""
    inc = upd.inc
    for name, amount in delta.inc.items():
        inc[name] = inc.get(name, 0) + amount * times
    if delta.facts:
        for name, value in delta.facts.items():
            upd.facts.setdefault(name, value)
    if highest > upd.offset:
        upd.offset = highest


class GroupTally:
    """What a rebuild into fresh views (no guards) folds, counted per group of deltas: each event's deltas come in the
    groups the projections handed them out in (`project_groups`), and projections hand out the same tuples of deltas
    again and again. So `add` only counts each group (by identity: its entry holds it, so the id is not reused while
    the entry lives) per source partition, a dict lookup per group, and `into` adds them to view documents, group by
    group in the order each was first counted — the documents, counters and facts adding the deltas one by one would
    give. Entries are emptied into the documents when there are `KEPT` of them (groups made anew for each event)."""

    KEPT = 100_000

    def __init__(self) -> None:
        self.tables: dict[tuple[str, int], dict[int, list[Any]]] = {}
        self.entries: list[list[Any]] = []  # [group, topic, partition, times counted, highest offset]

    def add(self, groups: Iterable[tuple[Positioned, Sequence[Delta]]], updates: dict[tuple[str, str], DocUpdate]
            ) -> None:
        tables, entries = self.tables, self.entries
        last: Positioned | None = None
        table: dict[int, list[Any]] = {}
        for ev, group in groups:
            if ev is not last:
                last = ev
                if (table := tables.get((ev.topic, ev.partition))) is None:  # type: ignore[assignment]
                    table = tables[(ev.topic, ev.partition)] = {}
            if (entry := table.get(id(group))) is None:
                entry = table[id(group)] = [group, ev.topic, ev.partition, 0, -1]
                entries.append(entry)
            entry[3] += 1
            if ev.offset > entry[4]:
                entry[4] = ev.offset
        if len(entries) >= self.KEPT:
            self.into(updates)

    def into(self, updates: dict[tuple[str, str], DocUpdate]) -> None:
        """Add what was counted to `updates` (keyed by view and document id), and start counting afresh."""
        ids: dict[tuple[Any, ...], str] = {}
        docs: dict[tuple[str, int, int], DocUpdate] = {}  # by source and delta (by identity: entries hold the deltas)
        for group, topic, partition, times, highest in self.entries:
            for delta in group:
                if (upd := docs.get((topic, partition, id(delta)))) is None:
                    at = (delta.view, topic, partition, *delta.key.items())
                    if (did := ids.get(at)) is None:
                        did = ids[at] = doc_id(delta.key, f"{topic}:{partition}")
                    if (upd := updates.get((delta.view, did))) is None:
                        upd = updates[(delta.view, did)] = DocUpdate(delta.view, did, delta.key)
                    docs[(topic, partition, id(delta))] = upd
                add(upd, delta, times, highest)
        self.tables, self.entries = {}, []
