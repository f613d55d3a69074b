"""The CPU-heavy part of an answer (suppression across tables and levels) runs in a worker thread, never on the
event loop that also answers health and every other call."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from services.insights.application import barriers, coverage, needs, signals
from services.insights.application.policy import GroupedQuery, ThemeQuery
from services.insights.tests.unit.events import ViewDocuments

def watched(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Replace module.name by a wrapper recording the thread it ran on."""
    threads: list[int] = []
    original: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return original(*args, **kwargs)
    monkeypatch.setattr(module, name, wrapper)
    return threads


@pytest.mark.parametrize("module, name, ask", [
    (needs, "both_levels", lambda v: needs.unmet_needs_by_theme(ThemeQuery(tenant="kortrijk"), v, 5)),
    (barriers, "tables", lambda v: barriers.barriers(ThemeQuery(tenant="kortrijk"), v, 5)),
    (signals, "count_table", lambda v: signals.signal_counts(ThemeQuery(tenant="kortrijk"), v, 5)),
    (coverage, "tables", lambda v: coverage.language_coverage(GroupedQuery(tenant="kortrijk"), v, 5)),
])
async def test_suppression_runs_off_the_event_loop(monkeypatch: pytest.MonkeyPatch, module: Any, name: str,
                                                   ask: Callable[[Any], Any]) -> None:
    threads = watched(monkeypatch, module, name)
    await ask(ViewDocuments([]))
    assert threads and threading.get_ident() not in threads
