"""Signals: one document per signal with its facts, and counts per theme and barrier."""
from __future__ import annotations

from contracts.events.intake_signal import SignalReported
from services.insights.domain.signals import Signals
from services.insights.tests.unit.events import env, totals
from services.plumbing.projection.model import Positioned, fold, project


def signal(sid: str, themes: tuple[str, ...], barriers: tuple[str, ...]) -> SignalReported:
    return SignalReported(signal_id=sid, office_id="huis", themes=themes, barriers=barriers, services=("svc-1",),
                          text="Het woonloket heeft geen tolk Arabisch.")


def test_a_signal_is_one_document_with_its_facts() -> None:
    april = "2026-03-31T22:30:00+00:00"  # already April in Brussels
    e = env("s-a", signal("s-a", ("housing.search",), ("language",)), at=april)
    [doc] = [d for d in project(Signals(), e, {}) if d.view == "signals"]
    assert (dict(doc.key), dict(doc.inc)) == ({"tenant": "kortrijk", "signal": "s-a"}, {"n": 1})
    assert doc.facts == {
        "month": "2026-04", "at": "2026-03-31T22:30:00.000000Z", "order": "2026-03-31T22:30:00.000000Z|s-a",
        "office": "huis", "themes": ["housing.search"], "theme_rows": ["housing.search", "housing"],
        "barriers": ["language"], "services": ["svc-1"], "text": "Het woonloket heeft geen tolk Arabisch."}


def test_counts_per_theme_row_and_barrier_with_each_signal_once_in_the_totals() -> None:
    found = totals(Signals(), [env("s-b", signal("s-b", ("housing.search", "work"), ("language", "cost"))),
                               env("s-c", signal("s-c", (), ("cost",)))])
    counts = {(dict(k)["theme"], dict(k)["barrier"]): n for (k, m), n in found.items() if m == "signals"}
    assert counts == {("*", "*"): 2, ("housing.search", "language"): 1, ("housing.search", "cost"): 1,
                      ("housing", "language"): 1, ("housing", "cost"): 1, ("work", "language"): 1, ("work", "cost"): 1,
                      ("", "cost"): 1}
    assert not any("tolk" in str(k) for k in found)


def test_a_redelivered_signal_counts_once_and_keeps_its_facts() -> None:
    e = env("s-d", signal("s-d", ("work",), ()))
    [doc] = [d for d in project(Signals(), e, {}) if d.view == "signals"]
    read = Positioned(e, "signals", 0, 3)
    [first] = fold([(read, doc)], {})
    assert fold([(read, doc)], {("signals", first.doc_id): 3}) == []
    assert first.inc == {"n": 1} and first.facts["text"] == "Het woonloket heeft geen tolk Arabisch."
