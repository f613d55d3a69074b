"""Answers kept per state of the views: a query asked again before any view changed is answered from memory.

Every runner counts, in its generation, the batches that may have changed a view (`ProjectionStore.changes`, bumped
after the view writes and before the stream positions, so a batch replayed after a crash bumps it again). An answer
is kept with the count read before it was computed and given again only while the count is the same: the views it
was read from may since have moved on, never back. The count is read on every question (one `_id` lookup), so the
cache holds across processes and runners: whichever of them writes, the next question recomputes.

Refresh-ahead (`refresh`, called by the insights process every half second): the most recently asked answers of the
current generation whose views changed are recomputed in the background, by the same rule (count read before the
answer), so the next question after a batch of live events usually finds its answer current instead of paying the
read of the views (≈ 25–50 ms on FerretDB).
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from services.plumbing.projection.store import ProjectionStore

Query = Callable[[Any, ProjectionStore, int], Awaitable[dict[str, Any]]]


class Answers:
    def __init__(self, size: int = 512, refreshed: int = 16) -> None:
        self.size, self.refreshed = size, refreshed
        self._kept: OrderedDict[Hashable, tuple[int, dict[str, Any]]] = OrderedDict()
        self._asked: dict[Hashable, tuple[Query, Hashable, int]] = {}  # how to compute each kept answer again

    async def ask(self, query: Query, q: Hashable, views: ProjectionStore, threshold: int) -> dict[str, Any]:
        """`query(q, views, threshold)`, or its kept answer if no view changed since. Answers are read-only."""
        changes = await views.changes()
        key = (views.db.name, views.prefix, query.__module__, query.__qualname__, q, threshold)
        if (kept := self._kept.get(key)) is not None and kept[0] == changes:
            self._kept.move_to_end(key)
            return kept[1]
        answer = await query(q, views, threshold)
        self._kept[key] = (changes, answer)
        self._asked[key] = (query, q, threshold)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._asked.pop(self._kept.popitem(last=False)[0], None)
        return answer

    async def refresh(self, views: ProjectionStore) -> int:
        """Recompute the `refreshed` most recently asked answers from `views` (the current generation) that a change
        of the views made stale; returns how many. Not a use: the order of the kept answers stays."""
        recent = [k for k in reversed(self._kept) if k[:2] == (views.db.name, views.prefix)][:self.refreshed]
        if not recent:
            return 0
        changes = await views.changes()  # read before computing: each answer is at least this new
        done = 0
        for key in recent:
            if (kept := self._kept.get(key)) is None or kept[0] == changes:
                continue
            query, q, threshold = self._asked[key]
            answer = await query(q, views, threshold)
            if key in self._kept:
                self._kept[key] = (changes, answer)
                done += 1
        return done
