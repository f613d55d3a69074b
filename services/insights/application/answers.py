"""Answers kept per state of the views: a query asked again before any view changed is answered from memory.

Every runner counts, in its generation, the batches that may have changed a view (`ProjectionStore.changes`, bumped
after the view writes and before the stream positions, so a batch replayed after a crash bumps it again). An answer
is kept with the count read before it was computed and given again only while the count is the same: the views it
was read from may since have moved on, never back. The count is read on every question (one `_id` lookup), so the
cache holds across processes and runners: whichever of them writes, the next question recomputes.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from services.plumbing.projection.store import ProjectionStore

Query = Callable[[Any, ProjectionStore, int], Awaitable[dict[str, Any]]]


class Answers:
    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, tuple[int, dict[str, Any]]] = OrderedDict()

    async def ask(self, query: Query, q: Hashable, views: ProjectionStore, threshold: int) -> dict[str, Any]:
        """`query(q, views, threshold)`, or its kept answer if no view changed since. Answers are read-only."""
        changes = await views.changes()
        key = (views.db.name, views.prefix, query.__module__, query.__qualname__, q, threshold)
        if (kept := self._kept.get(key)) is not None and kept[0] == changes:
            self._kept.move_to_end(key)
            return kept[1]
        answer = await query(q, views, threshold)
        self._kept[key] = (changes, answer)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return answer
