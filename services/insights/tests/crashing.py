"""A projection store that dies at a planned point of a batch's writes, for fault tests without timers.

A planned crash says after how many whole batches a runner's life ends, and where in the next batch: after its reads,
before any write; after the k-th of its n view documents; between its views and its stream positions; after the k-th of
its m stream positions; or after every write, before the offset commit. A cut inside a bulk write writes the first k
documents of it and no more, as a server that applied part of an unordered bulk before the client died. A cut needs two
stored documents to cut between (a packed view stores many view documents as one): a batch with fewer (a replay that
finds its views written already) is committed, and the cut waits for the next batch.
"""
from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from pymongo.errors import BulkWriteError

from services.plumbing.projection.model import DocUpdate, SeenStream
from services.plumbing.projection.store import ProjectionStore

BEFORE_VIEWS = "after the reads, before any write"
IN_VIEWS = "between view documents"
BETWEEN = "between the views and the stream positions"
IN_POSITIONS = "between stream positions"
BEFORE_COMMIT = "after every write, before the offset commit"
POINTS = (BEFORE_VIEWS, IN_VIEWS, BETWEEN, IN_POSITIONS, BEFORE_COMMIT)


class Crash(Exception):
    """The consumer's process dies here: nothing after this point of the batch happens."""


@dataclass(frozen=True)
class PlannedCrash:
    point: str
    after_batches: int  # whole batches the life commits before the batch it dies in
    cut: float  # where in the view documents or stream positions, as a fraction in [0, 1)

    def documents(self, total: int) -> int:
        """How many of `total` documents are written before the cut: at least one, never all."""
        return 1 + int(self.cut * (total - 1))


def plan(rng: random.Random, per_point: int, batches: int, crashed: int) -> list[PlannedCrash]:
    """`per_point` crashes at each point, over `crashed` of the first `batches` batches picked at random, each of them
    crashed at least once. The crashes of one batch go deeper into its writes one after the other, as in a crash loop
    replaying it; the first crash of a batch commits the batches before it (the last one crashed included). (A
    restarted consumer may fetch the partitions in another order, so a replay is not always the same batch.)"""
    points = [p for p in POINTS for _ in range(per_point)]
    rng.shuffle(points)
    targets = sorted(rng.sample(range(batches), crashed))
    bounds = sorted(rng.sample(range(1, len(points)), crashed - 1))
    groups = [sorted(points[a:b], key=POINTS.index) for a, b in zip([0, *bounds], [*bounds, len(points)], strict=True)]
    return [PlannedCrash(point, target - previous if i == 0 else 0, rng.random())
            for target, previous, group in zip(targets, [0, *targets], groups, strict=False)
            for i, point in enumerate(group)]


class CrashingStore(ProjectionStore):
    """The store of one runner life: the same database and collections, dying at `crash` (raising `Crash`)."""

    def __init__(self, store: ProjectionStore, crash: PlannedCrash) -> None:
        super().__init__(store.db.client, store.db.name, store.prefix, store.packed)
        self.crash, self.batches = crash, 0
        self.budget: int | None = None  # documents still written before the cut, while a cut is armed

    def collection(self, view: str) -> Any:
        inner = super().collection(view)
        return inner if self.budget is None else _Cut(inner, self)

    def _due(self, point: str) -> bool:
        return self.batches >= self.crash.after_batches and self.crash.point == point

    async def apply(self, updates: Sequence[DocUpdate], existing: Collection[tuple[str, str]] = ()) -> None:
        if self._due(BEFORE_VIEWS):
            raise Crash(BEFORE_VIEWS)
        stored = len({(u.view, self.stored_id(u.view, u.key, u.doc_id)) for u in updates})  # packed: fewer
        if self._due(IN_VIEWS) and stored >= 2:
            self.budget = self.crash.documents(stored)
        await super().apply(updates, existing)
        if self._due(BETWEEN):
            raise Crash(BETWEEN)

    async def remember(self, changed: Mapping[str, SeenStream], known: Collection[str] = ()) -> None:
        if self._due(IN_POSITIONS) and len(changed) >= 2:
            self.budget = self.crash.documents(len(changed))
        await super().remember(changed, known)
        if self._due(BEFORE_COMMIT):
            raise Crash(BEFORE_COMMIT)
        self.batches += 1


class _Cut:
    """A collection whose writes stop at the store's budget of documents: the rest of that write never happens."""

    def __init__(self, inner: Any, store: CrashingStore) -> None:
        self.inner, self.store = inner, store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def insert_many(self, documents: Sequence[Any], **options: Any) -> Any:
        return await self._write(self.inner.insert_many, list(documents), options)

    async def bulk_write(self, operations: Sequence[Any], **options: Any) -> Any:
        return await self._write(self.inner.bulk_write, list(operations), options)

    async def _write(self, write: Any, items: list[Any], options: dict[str, Any]) -> Any:
        budget = self.store.budget
        assert budget is not None
        if len(items) <= budget:
            self.store.budget = budget - len(items)
            return await write(items, **options)
        if budget:
            with suppress(BulkWriteError):  # duplicates of an earlier attempt: the reply dies with the process
                await write(items[:budget], **options)
        raise Crash(self.store.crash.point)
